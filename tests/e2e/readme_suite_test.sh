#!/usr/bin/env bash
# Issue #28: the README's real-data suite, run as a user pastes it (the binaries `bazel run`
# starts, epochs shortened by --epochs 1), on what a researcher brings (tests/e2e/readme_lib.sh):
# validate_dataset first; the suite with --data_root --pretrained --glove trains all six
# configurations; one stopped by SIGTERM mid-way is completed by the same command without
# retraining what finished, to the same table; evaluate and predict with a trained Emotion-GCN's
# weights; render and check leave the store byte for byte as it was.
source tests/e2e/readme_lib.sh
suite() {  # db, log: the README's suite command with --epochs 1
  experiments/ablation_affectnet --data_root "$data" --pretrained "$weights" --glove "$glove" --epochs 1 \
    --db "$1" --report "${1%.db}.md" > "$2" 2>&1
}
table() { sed -n '/^affectnet:$/,/^Claims (affectnet):$/p' "$1" | grep '^|'; }

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

# 3. evaluate and predict with a trained Emotion-GCN's weights.
best=$(q "$work/suite.db" "SELECT checkpoint_path FROM final_metrics f JOIN runs r ON r.id = f.run_id WHERE r.model = 'emotion_gcn' AND r.backbone = 'densenet'")
experiments/evaluate --checkpoint "$best" --dataset affectnet --data_root "$data" --glove "$glove" \
  --db "$work/suite.db" > "$work/evaluate.log" 2>&1 || { cat "$work/evaluate.log"; fail "evaluate"; }
experiments/predict --checkpoint "$best" --input "$data/validation.csv" --glove "$glove" --out "$work/predictions.csv" \
  > "$work/predict.log" 2>&1 || { cat "$work/predict.log"; fail "predict"; }
[ "$(wc -l < "$work/predictions.csv")" -eq 15 ] || fail "14 predictions and a header"
grep -q "reference preprocessing" "$work/predict.log" || fail "predict preprocesses as training's paper schedule"

# 4. render and check read the store without writing it.
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
echo "readme suite test passed"
