#!/usr/bin/env bash
# Manual check that LIBTORCH_HOME switches the LibTorch a build uses.
# Builds a stand-in LibTorch distribution (include/ and lib/ linked from
# Debian's libtorch-dev, or the directory given as $1, e.g. a CUDA LibTorch or
# a Python torch package), builds //experiments:build_info against it and
# checks that the binary reports that directory. Restores the default after.
set -euo pipefail
cd "$(dirname "$0")/.."

home=${1:-}
if [ -z "$home" ]; then
  home=$(mktemp -d /tmp/libtorch-home.XXXXXX)
  mkdir -p "$home/include" "$home/lib"
  for d in ATen c10 caffe2 torch; do ln -s "/usr/include/$d" "$home/include/$d"; done
  for l in libtorch libtorch_cpu libc10; do
    ln -s "/usr/lib/x86_64-linux-gnu/$l.so" "$home/lib/$l.so"
  done
fi

out=$(LIBTORCH_HOME="$home" bazel run //experiments:build_info 2>/dev/null)
echo "$out"
grep -qx "libtorch_source=$home" <<<"$out" || { echo "FAIL: build did not use LIBTORCH_HOME=$home" >&2; exit 1; }
grep -qx "libtorch_libdir=$home/lib" <<<"$out" || { echo "FAIL: libraries not linked from $home/lib" >&2; exit 1; }

out=$(bazel run //experiments:build_info 2>/dev/null)
grep -qx "libtorch_source=debian:libtorch-dev" <<<"$out" || { echo "FAIL: default is not Debian's LibTorch" >&2; exit 1; }
echo "OK: LIBTORCH_HOME=$home was used, and the default is Debian's libtorch-dev again"
