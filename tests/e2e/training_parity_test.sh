#!/usr/bin/env bash
# Training parity against the reference run here: tools/make_training_fixtures.py trains the six
# Python reference models for 20 SGD steps in $EMOGCN_TORCH_PYTHON's PyTorch (default
# /usr/bin/python3: Debian's python3-torch 1.13, the version of Debian's LibTorch;
# tools/libtorch2.sh passes its venv's 2.11), on this machine's CPU kernels; the C++ runner's
# train_step must give the same losses (tests/training/training_parity_test.cc).
set -euo pipefail
python=${EMOGCN_TORCH_PYTHON:-/usr/bin/python3}
work="${TEST_TMPDIR:-$(mktemp -d)}/training_parity"
rm -rf "$work" && mkdir -p "$work"
"$python" -c 'import torch' 2>/dev/null ||
  { echo "FAIL: $python has no torch (run sudo ./setup.sh, or tools/libtorch2.sh)"; exit 1; }
EMOGCN_FIXTURE_OUT="$work" "$python" tools/make_training_fixtures.py
steps=$(ls "$work"/sgd_steps*.txt)
[ "$(echo "$steps" | wc -l)" = 1 ] || { echo "FAIL: expected one fixture in $work, got: $steps"; exit 1; }
echo "reference: $(head -1 "$steps")"
EMOGCN_SGD_STEPS="$steps" tests/training/training_parity_check
