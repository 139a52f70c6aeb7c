#!/usr/bin/env bash
# Data-parallel training end to end (issue #11), the runs that must end as one process ends: the
# runner with --nproc 2 (Gloo, 2 ranks on loopback, as torchrun would start them) finishes with
# one row written by rank 0 (world size and backend in its provenance and config); its
# whole-split validation metrics equal a single-process evaluation of its checkpoint; an
# interrupted distributed run resumes to the same result, also without a shared file system
# (rank 0 sends the resume state's bytes); --pretrained on rank 0's machine only reaches every
# rank by the initial broadcast.
source tests/e2e/distributed_lib.sh

# 1. Two ranks train; rank 0 alone writes.
"$runner" "${common[@]}" --epochs 2 --nproc 2 --db "$work/dp.db" > "$work/dp.log" 2>&1 || { cat "$work/dp.log"; fail "--nproc 2 run"; }
grep -q "data-parallel: rank 0 of 2 (gloo); per-rank batch 8, global batch 16; gloo on 127.0.0.1$" "$work/dp.log" ||
  { cat "$work/dp.log"; fail "no data-parallel line (a one-machine job binds Gloo to loopback)"; }
[ "$(q "$work/dp.db" "SELECT COUNT(*) FROM runs")" -eq 1 ] || fail "expected one run row"
[ "$(q "$work/dp.db" "SELECT status FROM runs")" = finished ] || fail "run not finished"
[ "$(q "$work/dp.db" "SELECT value FROM provenance WHERE key = 'world_size'")" = 2 ] || fail "provenance world_size"
[ "$(q "$work/dp.db" "SELECT value FROM provenance WHERE key = 'dist_backend'")" = gloo ] || fail "provenance dist_backend"
q "$work/dp.db" "SELECT config_json FROM runs" | grep -q '"world_size":2' || fail "config must record world_size"
[ "$(q "$work/dp.db" "SELECT COUNT(*) FROM epochs")" -eq 2 ] || fail "expected 2 epochs"

# 2. Whole-split metrics: the same as one process evaluating the saved weights.
ckpt=$(q "$work/dp.db" "SELECT checkpoint_path FROM final_metrics")
"$evaluate" --checkpoint "$ckpt" "${data[@]}" --batch_size 8 --threads 1 --db "$work/eval.db" > "$work/eval.log" 2>&1 ||
  { cat "$work/eval.log"; fail "evaluate"; }
dp=$(q "$work/dp.db" "$metrics")
single=$(q "$work/eval.db" "$metrics")
[ "$dp" = "$single" ] || fail "distributed validation metrics ($dp) differ from one process's ($single)"

# 3. Interrupted after 3 steps on every rank, then resumed: the same result as run 1.
set +e
"$runner" "${common[@]}" --epochs 2 --nproc 2 --db "$work/resume.db" --interrupt_after_steps 3 > "$work/int.log" 2>&1
rc=$?
set -e
[ "$rc" -eq 130 ] || { cat "$work/int.log"; fail "an interrupted distributed run must exit 130, got $rc"; }
[ "$(q "$work/resume.db" "SELECT status FROM runs")" = interrupted ] || fail "run not marked interrupted"
"$runner" "${common[@]}" --epochs 2 --nproc 2 --db "$work/resume.db" --resume > "$work/res.log" 2>&1 || { cat "$work/res.log"; fail "--resume"; }
grep -q "resumed from" "$work/res.log" || fail "did not resume"
[ "$(q "$work/resume.db" "SELECT COUNT(*) FROM runs")" -eq 1 ] || fail "--resume must continue run 1"
resumed=$(q "$work/resume.db" "$metrics")
[ "$resumed" = "$dp" ] || fail "resumed distributed run ($resumed) differs from the uninterrupted one ($dp)"

# 13. --resume without a shared file system: the ranks run in different directories with a
# relative --db, so the resume state's path (checkpoints/... beside rank 0's database) names no
# file where rank 1 runs. Rank 0 reads it and sends its bytes; the resumed job ends where the
# uninterrupted one of run 1 ends.
mkdir -p "$work/node-a" "$work/node-b"
runner_path=$(pwd)/$runner
resume_pair() {  # flags for both ranks after "${common[@]}"
  port=$(free_port)
  local -a job=(WORLD_SIZE=2 LOCAL_WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port)
  (cd "$work/node-a" && env RANK=0 LOCAL_RANK=0 "${job[@]}" "$runner_path" "${common[@]}" "$@" \
    > "$work/node-a/run.log" 2>&1) &
  local pid0=$!
  set +e
  (cd "$work/node-b" && env RANK=1 LOCAL_RANK=1 "${job[@]}" "$runner_path" "${common[@]}" "$@" \
    > "$work/node-b/run.log" 2>&1)
  rc1=$?
  wait "$pid0"
  rc0=$?
  set -e
}
resume_pair --epochs 2 --db own.db --interrupt_after_steps 3
[ "$rc0" -eq 130 ] && [ "$rc1" -eq 130 ] || { cat "$work/node-a/run.log" "$work/node-b/run.log"; fail "interrupted pair (0: $rc0, 1: $rc1)"; }
state=$(q "$work/node-a/own.db" "SELECT resume_state FROM runs")
[ -f "$work/node-a/$state" ] && [ ! -e "$work/node-b/$state" ] || fail "the resume state ($state) must exist beside rank 0 only"
resume_pair --epochs 2 --db own.db --resume
[ "$rc0" -eq 0 ] && [ "$rc1" -eq 0 ] || { cat "$work/node-a/run.log" "$work/node-b/run.log"; fail "--resume without a shared file system (0: $rc0, 1: $rc1)"; }
trace="SELECT group_concat(printf('%.12g %.12g', train_loss, val_loss), ' ') FROM (SELECT * FROM epochs ORDER BY epoch)"
uninterrupted="$(q "$work/dp.db" "$trace") $(q "$work/dp.db" "$metrics")"
resumed="$(q "$work/node-a/own.db" "$trace") $(q "$work/node-a/own.db" "$metrics")"
[ "$resumed" = "$uninterrupted" ] ||
  fail "resumed without a shared file system ($resumed) differs from the uninterrupted run ($uninterrupted)"

# 13b. --pretrained on rank 0's machine only: rank 0 reads the file, the others get its weights
# by the initial broadcast.
cp tests/testdata/checkpoints/densenet121_legacy.pth "$work/node-a/imagenet.pth"
resume_pair --epochs 1 --db pretrained.db --pretrained imagenet.pth
[ "$rc0" -eq 0 ] && [ "$rc1" -eq 0 ] || { cat "$work/node-a/run.log" "$work/node-b/run.log"; fail "--pretrained on rank 0's machine only (0: $rc0, 1: $rc1)"; }
grep -q "loaded ImageNet DenseNet-121 weights from imagenet.pth" "$work/node-a/run.log" || fail "rank 0 must load the weights"

echo "distributed train test passed"
