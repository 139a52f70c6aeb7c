#!/usr/bin/env bash
# Runs a Bazel command against LibTorch 2.x: the PyPI `torch` wheel pinned to the version the
# GPU machines run (CUDA 13.0 build), instead of Debian's libtorch-dev 1.13.1.
#
#   tools/libtorch2.sh test //...          # the whole suite against LibTorch 2.11.0
#   tools/libtorch2.sh build //...         # any Bazel command and arguments
#   tools/libtorch2.sh --print-home        # prints LIBTORCH_HOME (installs the wheel if needed)
#   tools/libtorch2.sh --print-python      # prints the Python of that environment (torch 2.11.0)
#
# The first call per machine creates a Python virtual environment with torch==$EMOGCN_TORCH2_VERSION
# and its CUDA libraries (PyPI's nvidia-* wheels, which libtorch_cuda.so loads through its RUNPATH)
# in $EMOGCN_TORCH2_CACHE (default ~/.cache/emogcn-bench/pytorch-2.11.0, about 4.6 GB, about 2.5
# minutes at 50 MB/s). Later calls reuse it. Its torch package directory (include/, lib/) becomes
# LIBTORCH_HOME, and its Python is EMOGCN_TORCH2_PYTHON for checks written in Python.
#
# Bazel runs with its own output base beside the default one, so switching between the two
# LibTorch builds never rebuilds either from scratch.
set -euo pipefail
cd "$(dirname "$0")/.."

version=${EMOGCN_TORCH2_VERSION:-2.11.0}
# torchvision for the Python reference models (tests/checkpoint_pytorch_test); the release paired with torch.
vision_version=${EMOGCN_TORCHVISION_VERSION:-0.26.0}
spec="torch==$version torchvision==$vision_version numpy"
cache=${EMOGCN_TORCH2_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/emogcn-bench/pytorch-$version}
python=${EMOGCN_TORCH2_BASE_PYTHON:-/usr/bin/python3}

die() { echo "libtorch2.sh: error: $*" >&2; exit 1; }

install_wheel() {
  [ -x "$python" ] || die "$python not found: run 'sudo ./setup.sh' (Debian's python3 and python3-venv)"
  mkdir -p "$(dirname "$cache")"
  exec 9>"$cache.lock"
  flock 9  # Two CI jobs on one machine install once.
  [ "$(cat "$cache/.complete" 2>/dev/null)" = "$spec" ] && return 0
  echo "libtorch2.sh: installing $spec from PyPI into $cache (about 4.7 GB, once per machine)" >&2
  [ -x "$cache/bin/python" ] || "$python" -m venv "$cache" ||
    die "could not create a virtual environment (install python3-venv)"
  # shellcheck disable=SC2086
  "$cache/bin/python" -m pip install --quiet --disable-pip-version-check --no-input $spec ||
    die "pip could not install $spec (is PyPI reachable?)"
  local got
  got=$("$cache/bin/python" -c 'import torch; print(torch.__version__)' 2>/dev/null | tail -1)
  case "$got" in
    "$version"|"$version"+*) ;;
    *) die "installed torch reports version '$got', expected $version" ;;
  esac
  echo "$spec" > "$cache/.complete"
}

[ "$(cat "$cache/.complete" 2>/dev/null)" = "$spec" ] || install_wheel
home=$("$cache/bin/python" -c 'import os, torch; print(os.path.dirname(torch.__file__))' 2>/dev/null | tail -1)
[ -f "$home/lib/libtorch.so" ] || die "$home has no lib/libtorch.so: remove $cache and run again"

case "${1:-}" in
  --print-home) echo "$home"; exit 0 ;;
  --print-python) echo "$cache/bin/python"; exit 0 ;;
esac
[ $# -gt 0 ] || die "usage: tools/libtorch2.sh BAZEL_COMMAND [ARGS...] (e.g. test //...)"

export LIBTORCH_HOME="$home"
export EMOGCN_TORCH2_PYTHON="$cache/bin/python"
workspace=$(pwd -P)
output_base="${HOME}/.cache/bazel/_bazel_$(id -un)/$(printf '%s' "$workspace" | md5sum | cut -c1-32)-libtorch2"
command=$1
shift
case "$command" in
  build|test|run|coverage|cquery|aquery)
    # Without convenience symlinks: the default build's bazel-* links point into the other
    # output base, and each build would otherwise walk the other's tree for `//...`.
    args=(--experimental_convenience_symlinks=ignore)
    # Python checks of the tests (tests/checkpoint_pytorch_test) use this PyTorch 2.11.
    case "$command" in test|coverage) args+=(--test_env=EMOGCN_TORCH_PYTHON="$cache/bin/python") ;; esac
    # Tests of the other LibTorch only are left out (.bazelrc); a later --test_tag_filters wins.
    case "$command" in test|coverage) args+=(--test_tag_filters=-benchmark_full,-gpu,-libtorch_debian_only) ;; esac
    for arg in "$@"; do
      if [ "$arg" = "//..." ]; then
        # `//...` without the bazel-* symlinks of the default build: every top-level package.
        while read -r dir; do args+=("//${dir#./}/..."); done < <(find . -mindepth 2 -maxdepth 2 -name BUILD \
            -not -path './bazel-*' -not -path './.*' -printf '%h\n' | sort)
        args+=("//:all")
      else
        args+=("$arg")
      fi
    done
    set -- "${args[@]}"
    ;;
esac
exec bazel --output_base="$output_base" "$command" "$@"
