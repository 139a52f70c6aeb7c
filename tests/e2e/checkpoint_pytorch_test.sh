#!/usr/bin/env bash
# Our checkpoints in PyTorch itself: tests/models/write_checkpoints writes the six models' checkpoints,
# and tools/reference/check_checkpoints.py loads them with plain torch.load in the PyTorch of
# $EMOGCN_TORCH_PYTHON (default /usr/bin/python3: Debian's python3-torch 1.13; tools/libtorch2.sh
# passes its venv's, PyTorch 2.11 with weights-only loading), into the reference models.
set -euo pipefail
python=${EMOGCN_TORCH_PYTHON:-/usr/bin/python3}
work="${TEST_TMPDIR:-$(mktemp -d)}/checkpoint_pytorch"
rm -rf "$work" && mkdir -p "$work"
"$python" -c 'import torch, torchvision' 2>/dev/null ||
  { echo "FAIL: $python has no torch and torchvision (run sudo ./setup.sh, or tools/libtorch2.sh)"; exit 1; }
tests/models/write_checkpoints "$work" > /dev/null
"$python" tools/reference/check_checkpoints.py "$work"
