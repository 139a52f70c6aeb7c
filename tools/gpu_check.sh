#!/usr/bin/env bash
# GPU check on a machine that has Bazel, a GPU and this checkout: builds the bundle against
# LibTorch 2.11 (tools/libtorch2.sh) and runs its GPU check (tools/gpu_check_bundle.sh).
# On a GPU node without Bazel, build the bundle elsewhere and run BUNDLE/share/gpu_check_bundle.sh.
#   tools/gpu_check.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mkdir -p "${1:-gpu_check_out}" && cd "${1:-gpu_check_out}" && pwd -P)
tools/libtorch2.sh run //tools:bundle -- "$out/bundle"
EMOGCN_PYTHON=${EMOGCN_PYTHON:-$(tools/libtorch2.sh --print-python)} "$out/bundle/share/gpu_check_bundle.sh" "$out"
