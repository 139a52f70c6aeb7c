#!/usr/bin/env bash
# Issue #28: the README's real-data commands, run as a user pastes them (the binaries `bazel run`
# starts, epochs shortened by --epochs 1), on what a researcher brings (tests/make_affectnet_copy.py):
# an AffectNet-shaped copy in the release layout, torchvision's DenseNet-121 file and a GloVe file.
# The suite with --data_root --pretrained --glove trains all six configurations; one stopped by
# SIGTERM mid-way is completed by the same command without retraining what finished, to the same
# table; then validate_dataset, the runner under torchrun's variables, evaluate, predict, render,
# check and merge; render and check leave the store byte for byte as it was.
set -euo pipefail
work="${TEST_TMPDIR:-$(mktemp -d)}/readme-real-data"
rm -rf "$work" && mkdir -p "$work"
export EMOGCN_CACHE="$work/cache"
python=${EMOGCN_TORCH_PYTHON:-/usr/bin/python3}
fail() { echo "FAIL: $*"; exit 1; }
q() { sqlite3 "$1" "$2"; }
source tests/training_job.sh

"$python" tests/make_affectnet_copy.py "$work" > "$work/make.log" 2>&1 || { cat "$work/make.log"; fail "making the copy"; }
data=$work/AffectNet
weights=$work/densenet121-random.pth
glove=$work/glove.test.300d.txt
suite() {  # db, log: the README's suite command with --epochs 1
  experiments/ablation_affectnet --data_root "$data" --pretrained "$weights" --glove "$glove" --epochs 1 \
    --db "$1" --report "${1%.db}.md" > "$2" 2>&1
}
table() { sed -n '/^affectnet:$/,/^report:/p' "$1" | grep '^|'; }

# The dataset check the README shows first.
experiments/validate_dataset --dataset affectnet --data_root "$data" > "$work/validate.log" 2>&1 ||
  { cat "$work/validate.log"; fail "validate_dataset"; }
grep -q "expression 8" "$work/validate.log" || { cat "$work/validate.log"; fail "documented codes must be counted"; }

# 1. The suite, uninterrupted: six configurations; --pretrained for the DenseNet ones only.
suite "$work/straight.db" "$work/straight.log" || { cat "$work/straight.log"; fail "the suite failed"; }
[ "$(q "$work/straight.db" "SELECT COUNT(*) FROM runs WHERE status = 'finished'")" -eq 6 ] || fail "six finished runs"
grep -q "preflight: ImageNet DenseNet-121 weights $weights" "$work/straight.log" || fail "the weights are checked first"
[ "$(q "$work/straight.db" "SELECT COUNT(*) FROM runs WHERE backbone = 'densenet' AND config_json LIKE '%\"pretrained\":\"$weights\"%'")" -eq 3 ] ||
  fail "the DenseNet runs record the weights"
[ "$(q "$work/straight.db" "SELECT COUNT(*) FROM runs WHERE backbone = 'bregnext' AND config_json LIKE '%\"pretrained\":\"\"%'")" -eq 3 ] ||
  fail "the BReG-NeXt runs record no weights"
[ "$(q "$work/straight.db" "SELECT COUNT(*) FROM runs WHERE dataset = 'affectnet'")" -eq 6 ] || fail "the real dataset"
[ -z "$(ls "$work"/checkpoints/*.resume.pt 2>/dev/null)" ] || fail "finished runs keep no resume state"
grep -q "Emotion-GCN" "$work/straight.md" || fail "no report"
table "$work/straight.log" > "$work/straight.table"
[ "$(wc -l < "$work/straight.table")" -eq 8 ] || { cat "$work/straight.log"; fail "the paper table has 6 rows"; }

# 2. The same suite stopped by SIGTERM in its second configuration, then the same command again.
start_training "$work/stopped.log" experiments/ablation_affectnet --data_root "$data" --pretrained "$weights" \
  --glove "$glove" --epochs 1 --db "$work/suite.db" --report "$work/suite.md"
for _ in $(seq 1 1200); do
  sed -n '/=== \[2\/6\]/,$p' "$work/stopped.log" | grep -q "batch" && break
  sleep 0.1
done
kill -TERM "$job_pid"
wait_job
[ "$job_rc" -eq 130 ] || { cat "$work/stopped.log"; fail "SIGTERM must stop the suite with 130 (got $job_rc)"; }
[ "$(q "$work/suite.db" "SELECT COUNT(*) FROM runs WHERE status = 'finished'")" -eq 1 ] || fail "one run finished before"
suite "$work/suite.db" "$work/resumed.log" || { cat "$work/resumed.log"; fail "the re-run failed"; }
grep -q "already finished as run #1" "$work/resumed.log" || fail "the finished run must be skipped"
grep -q "resumed from" "$work/resumed.log" || { cat "$work/resumed.log"; fail "the interrupted run must resume"; }
[ "$(q "$work/suite.db" "SELECT COUNT(*) FROM runs")" -eq 6 ] || fail "no configuration trains twice"
table "$work/resumed.log" > "$work/resumed.table"
diff "$work/straight.table" "$work/resumed.table" || fail "the continued suite's table differs from the uninterrupted one"

# 3. The runner as torchrun starts it (two ranks of one machine), with --resume.
port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
job=(WORLD_SIZE=2 LOCAL_WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port)
args=(--dataset affectnet --data_root "$data" --resume --epochs 1 --db "$work/dp.db")
env RANK=1 LOCAL_RANK=1 "${job[@]}" experiments/runner "${args[@]}" > "$work/dp-1.log" 2>&1 &
rank1=$!
env RANK=0 LOCAL_RANK=0 "${job[@]}" experiments/runner "${args[@]}" > "$work/dp-0.log" 2>&1 ||
  { cat "$work/dp-0.log" "$work/dp-1.log"; fail "the torchrun-style runner"; }
wait "$rank1" || { cat "$work/dp-1.log"; fail "rank 1"; }
[ "$(q "$work/dp.db" "SELECT dataset || ' ' || status FROM runs")" = "affectnet finished" ] || fail "torchrun: the real dataset"
grep -q "WARNING: Emotion-GCN without --glove" "$work/dp-0.log" || fail "no --glove must be warned about"

# 4. evaluate and predict with a trained Emotion-GCN's weights.
best=$(q "$work/suite.db" "SELECT checkpoint_path FROM final_metrics f JOIN runs r ON r.id = f.run_id WHERE r.model = 'emotion_gcn' AND r.backbone = 'densenet'")
experiments/evaluate --checkpoint "$best" --dataset affectnet --data_root "$data" --glove "$glove" \
  --db "$work/suite.db" > "$work/evaluate.log" 2>&1 || { cat "$work/evaluate.log"; fail "evaluate"; }
experiments/predict --checkpoint "$best" --input "$data/validation.csv" --glove "$glove" --out "$work/predictions.csv" \
  > "$work/predict.log" 2>&1 || { cat "$work/predict.log"; fail "predict"; }
[ "$(wc -l < "$work/predictions.csv")" -eq 15 ] || fail "14 predictions and a header"
grep -q "reference preprocessing" "$work/predict.log" || fail "predict preprocesses as training's paper schedule"

# 5. render and check read the store without writing it; merge unions two stores.
# The database and its WAL's contents (an SQLite reader of a WAL store opens an empty -wal and
# its shared-memory index, -shm, as every reader does; a missing -wal reads as empty).
store_bytes() { sha256sum < "$work/suite.db"; { cat "$work/suite.db-wal" 2>/dev/null || true; } | sha256sum; }
before=$(store_bytes)
reports/render --db "$work/suite.db" --out "$work/report.md" > "$work/render.log" 2>&1 || { cat "$work/render.log"; fail "render"; }
# One seed per configuration: a baseline needs a spread over seeds (--seeds N), and says so.
set +e
reports/check --db "$work/suite.db" --write_baseline "$work/baseline.txt" > "$work/check.log" 2>&1
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q "field 'seeds'" "$work/check.log" || { cat "$work/check.log"; fail "check --write_baseline on one seed"; }
[ ! -e "$work/baseline.txt" ] || fail "no baseline from one seed"
[ "$before" = "$(store_bytes)" ] || fail "render and check must not write the store"
reports/merge --out "$work/all.db" "$work/straight.db" "$work/dp.db" > "$work/merge.log" 2>&1 || { cat "$work/merge.log"; fail "merge"; }
[ "$(q "$work/all.db" "SELECT COUNT(*) FROM runs")" -eq 7 ] || fail "merge: 6 + 1 runs"
# 6. A run interrupted, its annotations edited, then --resume: not continued on other data.
one=(--dataset affectnet --data_root "$data" --backbone bregnext --model single_task --epochs 1 --db "$work/edit.db")
set +e
experiments/runner "${one[@]}" --interrupt_after_steps 1 > "$work/edit-1.log" 2>&1
rc=$?
set -e
[ "$rc" -eq 130 ] || { cat "$work/edit-1.log"; fail "the interrupted run must exit 130 (got $rc)"; }
"$python" - "$data/training.csv" <<'PY'
import sys
path = sys.argv[1]
lines = open(path).read().split('\n')
for i, line in enumerate(lines):
    if '/train_0000.' in line:
        fields = line.split(',')
        fields[7] = '0.3333'  # Another valence for one kept row.
        lines[i] = ','.join(fields)
open(path, 'w').write('\n'.join(lines))
PY
experiments/runner "${one[@]}" --resume > "$work/edit-2.log" 2>&1 || { cat "$work/edit-2.log"; fail "the run after the edit"; }
grep -q "so it is not resumed; starting a new run" "$work/edit-2.log" || { cat "$work/edit-2.log"; fail "an edited dataset must not be resumed"; }
[ "$(q "$work/edit.db" "SELECT group_concat(status) FROM (SELECT status FROM runs ORDER BY id)")" = "interrupted,finished" ] || fail "a new run on the edited data"
echo "readme real-data test passed"
