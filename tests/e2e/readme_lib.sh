# Sourced by the README's real-data tests (readme_suite_test.sh, readme_runner_test.sh; issue
# #28): what a researcher brings, written by tests/e2e/make_affectnet_copy.py into $work: an
# AffectNet-shaped copy in the release layout ($data), torchvision's DenseNet-121 file
# ($weights) and a GloVe file ($glove). The binaries are the ones `bazel run` starts.
set -euo pipefail
work="${TEST_TMPDIR:-$(mktemp -d)}/readme-real-data"
rm -rf "$work" && mkdir -p "$work"
export EMOGCN_CACHE="$work/cache"
python=${EMOGCN_TORCH_PYTHON:-/usr/bin/python3}
fail() { echo "FAIL: $*"; exit 1; }
q() { sqlite3 "$1" "$2"; }
source tests/e2e/training_job.sh

"$python" tests/e2e/make_affectnet_copy.py "$work" > "$work/make.log" 2>&1 || { cat "$work/make.log"; fail "making the copy"; }
data=$work/AffectNet
weights=$work/densenet121-random.pth
glove=$work/glove.test.300d.txt
