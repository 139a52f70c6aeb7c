#!/usr/bin/env bash
# Fetches what the face tests compare against (issue #33), from PyPI, once per machine:
#   - Python dlib 19.24 (PyPI's dlib-bin wheel: the same release as Debian's libdlib-dev), in a
#     virtual environment that also sees Debian's python3-opencv and numpy;
#   - scikit-image's public-domain portrait skimage/data/astronaut.png (NASA, Eileen Collins),
#     taken out of the scikit-image wheel (no dependency installed).
# Nothing is committed.
#
#   tools/fetch_face_reference.sh --python      # prints the environment's Python
#   tools/fetch_face_reference.sh --astronaut   # prints the portrait's path
#
# Where: $EMOGCN_FACES_DIR, else ${XDG_CACHE_HOME:-$HOME/.cache}/emogcn-bench/faces-reference.
set -euo pipefail
home=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}  # Bazel's tests run without HOME.
dir=${EMOGCN_FACES_DIR:-${XDG_CACHE_HOME:-$home/.cache}/emogcn-bench/faces-reference}
spec="dlib-bin==19.24.2 scikit-image==0.26.0"
python=${EMOGCN_FACES_BASE_PYTHON:-/usr/bin/python3}
die() { echo "fetch_face_reference.sh: error: $*" >&2; exit 1; }

mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9  # Tests running side by side fetch once.
if [ "$(cat "$dir/.complete" 2>/dev/null)" != "$spec" ]; then
  [ -x "$python" ] || die "$python not found: run 'sudo ./setup.sh' (python3, python3-venv, python3-opencv)"
  echo "fetch_face_reference.sh: installing dlib-bin and the astronaut portrait into $dir (once per machine)" >&2
  rm -rf "$dir/venv" "$dir/wheel"
  "$python" -m venv --system-site-packages "$dir/venv" ||
    die "could not create a virtual environment (install python3-venv)"
  pip=("$dir/venv/bin/python" -m pip --quiet --disable-pip-version-check --no-input)
  "${pip[@]}" install "dlib-bin==19.24.2" || die "pip could not install dlib-bin (is PyPI reachable?)"
  "${pip[@]}" download --no-deps --only-binary :all: -d "$dir/wheel" "scikit-image==0.26.0" ||
    die "pip could not download the scikit-image wheel (is PyPI reachable?)"
  "$dir/venv/bin/python" - "$dir" <<'PY' || die "could not take astronaut.png out of the wheel"
import glob, sys, zipfile
out = sys.argv[1]
wheel = glob.glob(out + "/wheel/scikit_image-*.whl")[0]
with zipfile.ZipFile(wheel) as z, open(out + "/astronaut.png", "wb") as f:
    f.write(z.read("skimage/data/astronaut.png"))
PY
  rm -rf "$dir/wheel"
  "$dir/venv/bin/python" -c "import dlib, cv2, numpy" || die "the environment cannot import dlib, cv2 and numpy"
  echo "$spec" > "$dir/.complete"
fi
case "${1:-}" in
  --python) echo "$dir/venv/bin/python" ;;
  --astronaut) echo "$dir/astronaut.png" ;;
  *) die "usage: tools/fetch_face_reference.sh --python | --astronaut" ;;
esac
