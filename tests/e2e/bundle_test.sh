#!/usr/bin/env bash
# The relocatable bundle (tools/bundle.sh): built from this build's binaries, moved to a directory
# outside the workspace, and run there with a bare environment on the CPU. Every shared object the
# processes load must come from the bundle, the system or LibTorch, never from Bazel's outputs;
# it must fit the 64 MiB a GPU-machine call can carry; the runner trains and stores a run; the
# report finds the published values; the GPU tests report SKIPPED without a GPU.
set -euo pipefail
# Outside Bazel's tree altogether ($TEST_TMPDIR is inside its sandbox).
work=$(mktemp -d /tmp/emogcn-bundle-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/outside"
runfiles=$(cd "${RUNFILES_DIR:-$0.runfiles}" && pwd -P)

tools/bundle "$work/built" > "$work/bundle.log" 2>&1 || { cat "$work/bundle.log"; exit 1; }
cat "$work/bundle.log"
size=$(du -sm "$work/built" | cut -f1)
[ "$size" -le 64 ] || { echo "FAIL: bundle is $size MiB, over the 64 MiB a GPU-machine call carries"; exit 1; }
if ls "$work/built/lib" | grep -E '^lib(opencv_imgcodecs|gdal)'; then
  echo "FAIL: the bundle carries OpenCV's image codecs or GDAL"; exit 1
fi

# Relocate: the bundle must not remember where it was made.
mv "$work/built" "$work/outside/moved"
b=$(cd "$work/outside/moved" && pwd -P)
cd "$work/outside"
bare=(env -i PATH=/usr/bin:/bin HOME="$work/home" EMOGCN_CACHE="$work/cache")

"${bare[@]}" "$b/bin/build_info" > "$work/build_info.txt"
cat "$work/build_info.txt"
grep -q "^LibTorch " "$work/build_info.txt" || { echo "FAIL: build_info printed no LibTorch line"; exit 1; }
# The runner links every library the harness uses: record where each one is loaded from.
"${bare[@]}" LD_DEBUG=files "$b/bin/runner" --help > /dev/null 2> "$work/ld.log"
for bad in "$runfiles" "/execroot/" "bazel-out" "_solib"; do
  if grep "calling init:" "$work/ld.log" | grep -F -- "$bad"; then
    echo "FAIL: a library was loaded from Bazel's outputs ($bad)"; exit 1
  fi
done
grep "calling init:" "$work/ld.log" | grep -F "$b/lib/" > /dev/null || {  # Not -q: pipefail.
  grep "calling init:" "$work/ld.log" | awk '{print $NF}' | sed 's|/[^/]*$||' | sort | uniq -c
  echo "FAIL: no library came from the bundle ($b/lib)"; exit 1
}

"${bare[@]}" "$b/bin/runner" --dataset synth-affectnet --backbone densenet --model emotion_gcn --epochs 1 \
  --batch_size 6 --input_size 48 --threads 1 --workers 1 --synth_train_per_class 3 --synth_val_per_class 2 \
  --db "$work/results.db" > "$work/runner.log" 2>&1 || { cat "$work/runner.log"; exit 1; }
tail -3 "$work/runner.log"
[ "$(sqlite3 "$work/results.db" "SELECT status FROM runs")" = "finished" ] || { echo "FAIL: run not finished"; exit 1; }
[ "$(sqlite3 "$work/results.db" "SELECT COUNT(*) FROM provenance WHERE key = 'libtorch'")" = "1" ] ||
  { echo "FAIL: no provenance stored"; exit 1; }

"${bare[@]}" "$b/bin/render" --db "$work/results.db" --out "$work/report.md" > "$work/render.log" 2>&1 ||
  { cat "$work/render.log"; exit 1; }
grep -q "66.46" "$work/report.md" || { echo "FAIL: the report lacks the published Emotion-GCN value"; exit 1; }
ls "$work"/report_files/*.png > /dev/null 2>&1 || ls "$work"/*.png > /dev/null 2>&1 ||
  [ -n "$(find "$work" -name '*.png')" ] || { echo "FAIL: no PNG chart written"; exit 1; }

"${bare[@]}" "$b/bin/gpu_test" > "$work/gpu_test.log" 2>&1 || { cat "$work/gpu_test.log"; exit 1; }
grep -q "SKIPPED: no CUDA device" "$work/gpu_test.log" || { cat "$work/gpu_test.log"; echo "FAIL: no skip message"; exit 1; }

# A LibTorch that cannot be found is a clear error (exit 127), not a loader crash.
echo "/nonexistent/lib" > "$b/share/libtorch_build_libdir"
set +e
env -i PATH=/usr/bin:/bin HOME="$work/home" EMOGCN_PYTHON=/bin/false "$b/bin/build_info" > "$work/missing.log" 2>&1
rc=$?
set -e
[ "$rc" -eq 127 ] && grep -q "no LibTorch" "$work/missing.log" || { cat "$work/missing.log"; echo "FAIL: rc $rc"; exit 1; }
echo "bundle test passed ($size MiB)"
