#!/usr/bin/env bash
# //experiments:predict against the Python reference (tools/reference/check_predictions.py): a
# folder of face crops (two "video" folders, a truncated JPEG, a stray text file) predicted with
# checkpoints of tests/models/write_checkpoints, compared with the reference models' outputs in the
# PyTorch of $EMOGCN_TORCH_PYTHON (default /usr/bin/python3: Debian's 1.13; tools/libtorch2.sh
# passes its venv's 2.11). Also: --strict stops at the bad image, and bad input is a clear error.
set -euo pipefail
python=${EMOGCN_TORCH_PYTHON:-/usr/bin/python3}
work="${TEST_TMPDIR:-$(mktemp -d)}/predict_pytorch"
rm -rf "$work" && mkdir -p "$work/ckpt"
"$python" -c 'import torch, numpy, PIL' 2>/dev/null ||
  { echo "FAIL: $python has no torch, numpy and PIL (run sudo ./setup.sh, or tools/libtorch2.sh)"; exit 1; }
tests/models/write_checkpoints "$work/ckpt" > /dev/null
"$python" tools/reference/check_predictions.py make "$work"
for model in bregnext_emotion_gcn densenet_single_task bregnext_multi_task; do
  experiments/predict --checkpoint "$work/ckpt/$model.pth" --input "$work/faces" --out "$work/$model.csv" \
    --input_size 112 --glove "$work/glove.txt" --threads 2 --batch_size 2 > "$work/$model.log" 2>&1 ||
    { cat "$work/$model.log"; exit 1; }
  grep -q "wrote 6 prediction(s) to .* (1 unreadable image(s)" "$work/$model.log" || { cat "$work/$model.log"; exit 1; }
  "$python" tools/reference/check_predictions.py check "$work" "$work/ckpt/$model.pth" "${model%%_*}" "${model#*_}" \
    "$work/$model.csv"
done
# Like every run, predict prints its resolved configuration (the file's kind and backbone, the
# input size and threads as used) and the code version before it starts.
log="$work/bregnext_multi_task.log"
grep -Eq '^config [0-9a-f]{16}: \{"backbone":"bregnext",.*"input_size":112,.*"model":"multi_task",.*"threads":2,' "$log" ||
  { cat "$log"; echo "FAIL: predict must print its resolved configuration"; exit 1; }
grep -q '^code version ' "$log" || { cat "$log"; echo "FAIL: predict must print the code version"; exit 1; }
# An AffectNet-format CSV: faces aligned with its boxes and landmarks, documented drops reported.
experiments/predict --checkpoint "$work/ckpt/bregnext_multi_task.pth" --input tests/testdata/affectnet/training.csv \
  --out "$work/csv.csv" --input_size 48 > "$work/csv.log" 2>&1 || { cat "$work/csv.log"; exit 1; }
[ "$(cut -d, -f1 "$work/csv.csv" | tr '\n' ' ')" = "path 1/a.jpg 1/b.jpg 2/c.jpg " ] || { cat "$work/csv.csv"; exit 1; }
[ "$(awk -F, 'NR > 1 && $10 != "" && $12 == ""' "$work/csv.csv" | wc -l)" -eq 3 ] || { echo "FAIL: CSV rows"; cat "$work/csv.csv"; exit 1; }
set +e
experiments/predict --checkpoint "$work/ckpt/densenet_single_task.pth" --input "$work/faces" --out "$work/strict.csv" \
  --input_size 112 --strict > "$work/strict.log" 2>&1
strict=$?
experiments/predict --checkpoint "$work/ckpt/densenet_single_task.pth" --input "$work/nowhere" --out "$work/x.csv" \
  > "$work/missing.log" 2>&1
missing=$?
experiments/predict --checkpoint "$work/faces/video1/00001.png" --input "$work/faces" --out "$work/x.csv" \
  > "$work/notckpt.log" 2>&1
notckpt=$?
set -e
[ "$strict" -eq 2 ] && grep -q "00003.jpg" "$work/strict.log" || { echo "FAIL: --strict must stop at the bad image"; cat "$work/strict.log"; exit 1; }
[ ! -e "$work/strict.csv" ] || { echo "FAIL: a stopped prediction must not leave a partial CSV"; exit 1; }
[ "$missing" -eq 2 ] && grep -q "nowhere" "$work/missing.log" || { echo "FAIL: a missing input must be named"; cat "$work/missing.log"; exit 1; }
[ "$notckpt" -eq 2 ] && grep -q "00001.png" "$work/notckpt.log" || { echo "FAIL: a non-checkpoint must be named"; cat "$work/notckpt.log"; exit 1; }
echo "predict test passed"
