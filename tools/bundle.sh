#!/usr/bin/env bash
# Builds a relocatable bundle of the harness for machines without Bazel (HPC GPU nodes, the lent
# GPU machine): the binaries, the non-LibTorch shared libraries they need, and launchers that
# find everything relative to themselves and use the node's own LibTorch at run time.
#
#   bazel run //tools:bundle -- OUT_DIR                  # against Debian's LibTorch 1.13
#   tools/libtorch2.sh run //tools:bundle -- OUT_DIR     # against LibTorch 2.11 (GPU machines)
#
# OUT_DIR/bin/<tool>   launchers: runner, suite, ablation_affectnet, ablation_affwild2, throughput,
#                      build_info, validate_dataset, evaluate, predict, render, check,
#                      compare_throughput, gpu_tables, gpu_test
# OUT_DIR/libexec/     the binaries        OUT_DIR/lib/    their libraries (OpenCV core/imgproc,
# OUT_DIR/share/       data and scripts                    Boost, SQLite, TurboJPEG, libpng, ...)
#
# LibTorch is not copied (about 1 GB with CUDA): the launchers look for it in $LIBTORCH_HOME
# (a LibTorch directory or a torch package directory), then in the torch package of
# ${EMOGCN_PYTHON:-python3}, then where it was at build time; its major.minor version must be
# the one the bundle was built with (LibTorch has no stable C++ ABI across versions).
# Images are decoded by TurboJPEG, libpng, libtiff, libwebp and our BMP code (imaging/image_io.h),
# not OpenCV's imgcodecs, whose GDAL dependency alone is ~140 libraries and over 200 MB.
# dlib's 95 MiB landmark model is not copied: predict --detect needs --landmark_model on a node.
set -euo pipefail

die() { echo "bundle: error: $*" >&2; exit 1; }
[ $# -eq 1 ] || die "usage: bazel run //tools:bundle -- OUT_DIR"
out=$1
case "$out" in /*) ;; *) out="${BUILD_WORKING_DIRECTORY:-$PWD}/$out" ;; esac

runfiles="${RUNFILES_DIR:-$0.runfiles}/emogcn_bench"
[ -d "$runfiles" ] || die "runfiles not found at $runfiles (run through bazel run)"
tools=(experiments/build_info experiments/runner experiments/suite experiments/throughput
       experiments/validate_dataset experiments/evaluate experiments/predict reports/render reports/check reports/compare_throughput reports/gpu_tables tests/experiments/gpu_test)

rm -rf "$out"
mkdir -p "$out/bin" "$out/libexec" "$out/lib" "$out/share"

# Which LibTorch the binaries were linked against (and so which libraries are the node's).
torch_libdir=$(sed -n 's/^libtorch_libdir=//p' <("$runfiles/experiments/build_info"))
torch_version=$("$runfiles/experiments/build_info" | sed -n 's/^LibTorch \([0-9]*\.[0-9]*\).*/\1/p')
[ -n "$torch_libdir" ] && [ -n "$torch_version" ] || die "build_info did not report the LibTorch it uses"

# Libraries that come with LibTorch (its own closure) or with every Linux (glibc) stay out.
declare -A skip=()
while read -r name; do skip[$name]=1; done < <(ldd "$torch_libdir/libtorch.so" | awk '{print $1}')
for glibc in linux-vdso.so.1 ld-linux-x86-64.so.2 /lib64/ld-linux-x86-64.so.2 libc.so.6 libm.so.6 \
             libpthread.so.0 libdl.so.2 librt.so.1 libutil.so.1 libcuda.so.1; do
  skip[$glibc]=1
done

declare -A bundled=()
for tool in "${tools[@]}"; do
  name=$(basename "$tool")
  install -m 755 "$runfiles/$tool" "$out/libexec/$name"
  while read -r soname path; do
    [ -n "${skip[$soname]:-}" ] && continue
    case "$soname" in libtorch*|libc10*|libcudart*|libcudnn*|libcublas*|libnccl*|libnv*|libcu*) continue ;; esac
    [ -n "$path" ] && [ -f "$path" ] || die "$tool needs $soname, which ldd cannot resolve here"
    # OpenCV's core links BLAS/LAPACK for a few matrix decompositions the harness never calls:
    # carry the small reference builds rather than OpenBLAS (35 MB).
    case "$soname" in
      libblas.so.3) [ -f /usr/lib/x86_64-linux-gnu/blas/libblas.so.3 ] && path=/usr/lib/x86_64-linux-gnu/blas/libblas.so.3 ;;
      liblapack.so.3) [ -f /usr/lib/x86_64-linux-gnu/lapack/liblapack.so.3 ] && path=/usr/lib/x86_64-linux-gnu/lapack/liblapack.so.3 ;;
    esac
    bundled[$soname]=$path
  done < <(ldd "$runfiles/$tool" | awk '$2 == "=>" {print $1, $3}')
done
for soname in "${!bundled[@]}"; do
  cp -L "${bundled[$soname]}" "$out/lib/$soname"
  chmod 644 "$out/lib/$soname"
done
# libopenblas carried in by the reference LAPACK/BLAS swap is not needed.
rm -f "$out/lib/libopenblas.so.0"
for extra in $(ldd "$out"/lib/*.so* 2>/dev/null | awk '$2 == "=>" {print $1}' | sort -u); do
  [ -n "${skip[$extra]:-}" ] || [ -e "$out/lib/$extra" ] || case "$extra" in
    libopenblas*) ;;
    *) cp -L "$(ldconfig -p | awk -v n="$extra" '$1 == n {print $NF; exit}')" "$out/lib/$extra" ;;
  esac
done

install -m 644 "$runfiles/reports/paper_values.csv" "$out/share/paper_values.csv"
install -m 755 "$runfiles/tools/gpu_check_bundle.sh" "$out/share/gpu_check_bundle.sh"
install -m 644 "$runfiles/tools/gpu_check_steps.sh" "$out/share/gpu_check_steps.sh"
install -m 644 "$runfiles/tools/gpu_python_eager.py" "$out/share/gpu_python_eager.py"
install -m 644 "$runfiles/tools/reference/reference_models.py" "$out/share/reference_models.py"
printf '%s\n' "$torch_version" > "$out/share/libtorch_version"
printf '%s\n' "$torch_libdir" > "$out/share/libtorch_build_libdir"

# One environment script that every launcher sources.
cat > "$out/libexec/env.sh" <<'ENV'
# Sourced by the launchers in ../bin: finds the node's LibTorch and sets the library path.
here=$(cd "$(dirname "$0")/.." && pwd -P)
want=$(cat "$here/share/libtorch_version")
build_libdir=$(cat "$here/share/libtorch_build_libdir")
# Candidates in order; one of another major.minor is skipped (LibTorch has no stable C++ ABI
# across versions) and named if nothing fits.
torch_lib=""
skipped=""
for candidate in "${LIBTORCH_HOME:+$LIBTORCH_HOME/lib}" \
                 "$("${EMOGCN_PYTHON:-python3}" -c 'import os, torch; print(os.path.dirname(torch.__file__))' 2>/dev/null | tail -1)/lib" \
                 "$build_libdir"; do
  [ -n "$candidate" ] && [ "$candidate" != /lib ] && [ -f "$candidate/libtorch.so" ] || continue
  have=""
  if [ -f "$candidate/../version.py" ]; then
    have=$(sed -n "s/^__version__ = '\([0-9]*\.[0-9]*\).*/\1/p" "$candidate/../version.py")
  fi
  if [ -n "$have" ] && [ "$have" != "$want" ]; then
    skipped="$skipped $candidate ($have)"
    continue
  fi
  torch_lib=$candidate
  break
done
if [ -z "$torch_lib" ]; then
  echo "emogcn-bench bundle: no LibTorch $want found${skipped:+ (skipped other versions:$skipped)}: set LIBTORCH_HOME to a LibTorch $want (or torch package) directory, or EMOGCN_PYTHON to a Python with torch $want" >&2
  exit 127
fi
cuda_dirs=""
for d in "$torch_lib"/../../nvidia/*/lib /usr/local/cuda/lib64; do
  [ -d "$d" ] && cuda_dirs="$cuda_dirs:$d"
done
export LD_LIBRARY_PATH="$here/lib:$torch_lib$cuda_dirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export EMOGCN_PAPER_VALUES="${EMOGCN_PAPER_VALUES:-$here/share/paper_values.csv}"
ENV

launcher() {  # name binary [fixed arguments...]
  local name=$1 binary=$2
  shift 2
  {
    echo '#!/bin/sh'
    echo '. "$(dirname "$0")/../libexec/env.sh"'
    echo "exec \"\$here/libexec/$binary\" $* \"\$@\""
  } > "$out/bin/$name"
  chmod 755 "$out/bin/$name"
}
for tool in "${tools[@]}"; do launcher "$(basename "$tool")" "$(basename "$tool")"; done
while read -r name args; do launcher "$name" suite "$args"; done < "$runfiles/tools/suite_args.txt"

size=$(du -sm "$out" | cut -f1)
echo "bundle: $out (${size} MiB; LibTorch $torch_version from the node; $(ls "$out/lib" | wc -l) libraries)"
ls "$out/bin" | tr '\n' ' '
echo
