#!/usr/bin/env bash
# GPU check on a machine that has Bazel, a GPU and this checkout: builds the bundle against
# LibTorch 2.11 (tools/libtorch2.sh) in a temporary folder and runs its GPU check
# (tools/gpu_check_bundle.sh) into OUT_DIR; further arguments go to the check (--budget, --grid,
# --timeout STEP=SECONDS, ...). On a GPU node without Bazel, see docs/gpu.md.
#   tools/gpu_check.sh [OUT_DIR [ARGS...]]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-gpu_check_out}
[ $# -gt 0 ] && shift
bundle=$(mktemp -d "${TMPDIR:-/tmp}/emogcn-gpu-bundle.XXXXXX")
tools/libtorch2.sh run //tools:bundle -- "$bundle/bundle"
EMOGCN_PYTHON=${EMOGCN_PYTHON:-$(tools/libtorch2.sh --print-python)} "$bundle/bundle/share/gpu_check_bundle.sh" "$out" "$@"
