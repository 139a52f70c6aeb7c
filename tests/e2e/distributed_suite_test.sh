#!/usr/bin/env bash
# An ablation suite as a data-parallel job (issue #11): `suite --nproc 2` (what
# `bazel run //experiments:ablation_affectnet -- --nproc 2` runs) trains every configuration with
# both ranks; rank 0 alone prints, writes the rows and renders the report; a rerun skips on every
# rank; --shard combines with it; the rows are the runner's own (same config hash: `runner
# --nproc 2` reuses them); each rank's default thread count is the machine's cores shared by the
# ranks; a rank that dies ends the suite with the run marked failed and no later configuration
# started; evaluate, which runs in one process, refuses the data-parallel flags, and evaluate
# and predict refuse to run as ranks of a launcher's job.
set -euo pipefail
suite=experiments/suite
runner=experiments/runner
evaluate=experiments/evaluate
work="${TEST_TMPDIR:-$(mktemp -d)}/distributed-suite"
rm -rf "$work" && mkdir -p "$work"
export EMOGCN_CACHE="$work/cache"
data=(--input_size 32 --synth_train_per_class 10 --synth_val_per_class 5 --workers 1)
grid=(--ablations affectnet:densenet:single_task,affectnet:densenet:emotion_gcn)
fail() { echo "FAIL: $*"; exit 1; }
q() { sqlite3 "$1" "$2"; }

# 1. Two configurations, each trained by 2 ranks.
"$suite" "${grid[@]}" "${data[@]}" --epochs 1 --batch_size 8 --nproc 2 --db "$work/s.db" --report "$work/s.md" \
  > "$work/s.log" 2>&1 || { cat "$work/s.log"; fail "suite --nproc 2"; }
[ "$(q "$work/s.db" "SELECT COUNT(*) FROM runs WHERE status = 'finished'")" -eq 2 ] || { cat "$work/s.log"; fail "expected 2 finished runs"; }
[ "$(q "$work/s.db" "SELECT COUNT(*) FROM provenance WHERE key = 'world_size' AND value = '2'")" -eq 2 ] ||
  fail "both runs must record world size 2 (the suite ignored --nproc?)"
[ "$(grep -c "^=== \[1/2\]" "$work/s.log")" -eq 1 ] || { cat "$work/s.log"; fail "only rank 0 may print the suite's progress"; }
[ "$(grep -c "data-parallel: rank 0 of 2 (gloo)" "$work/s.log")" -eq 2 ] || fail "each run must say it is data-parallel"
grep -q "Emotion-GCN" "$work/s.md" || fail "the report was not rendered"
cores=$(getconf _NPROCESSORS_ONLN)
threads=$(( cores / 2 > 0 ? cores / 2 : 1 ))
[ "$(q "$work/s.db" "SELECT COUNT(*) FROM runs WHERE config_json LIKE '%\"threads\":$threads,%'")" -eq 2 ] ||
  { q "$work/s.db" "SELECT config_json FROM runs"; fail "each rank's default threads must be $cores cores / 2 ranks = $threads"; }

# 2. A rerun skips both configurations on both ranks; the runner reuses the suite's rows.
"$suite" "${grid[@]}" "${data[@]}" --epochs 1 --batch_size 8 --nproc 2 --db "$work/s.db" --report "$work/s.md" \
  > "$work/again.log" 2>&1 || { cat "$work/again.log"; fail "suite rerun"; }
grep -q "2 run(s), 2 already in" "$work/again.log" || { cat "$work/again.log"; fail "the rerun must skip both runs"; }
"$runner" --dataset synth-affectnet --backbone densenet --model emotion_gcn "${data[@]}" --epochs 1 --batch_size 8 \
  --nproc 2 --db "$work/s.db" > "$work/runner.log" 2>&1 || { cat "$work/runner.log"; fail "runner --nproc 2"; }
grep -q "already finished as run #2" "$work/runner.log" || { cat "$work/runner.log"; fail "the runner must reuse the suite's run"; }
[ "$(q "$work/s.db" "SELECT COUNT(*) FROM runs")" -eq 2 ] || fail "reruns must add no rows"

# 2b. --shard and --nproc combine: shard 2 of 2 is the second configuration, trained by 2 ranks.
"$suite" "${grid[@]}" "${data[@]}" --epochs 1 --batch_size 8 --nproc 2 --shard 2/2 --db "$work/shard.db" --no_report \
  > "$work/shard.log" 2>&1 || { cat "$work/shard.log"; fail "suite --shard 2/2 --nproc 2"; }
[ "$(q "$work/shard.db" "SELECT model FROM runs WHERE status = 'finished'")" = emotion_gcn ] || fail "shard 2/2 must run emotion_gcn alone"
[ "$(q "$work/shard.db" "SELECT value FROM provenance WHERE key = 'world_size'")" = 2 ] || fail "the shard's run must record world size 2"

# 3. A rank dies in the first configuration: the suite stops, that run is failed, the second
# never starts.
set +e
"$suite" "${grid[@]}" "${data[@]}" --epochs 2 --batch_size 8 --nproc 2 --dist_timeout 8 --db "$work/dead.db" --no_report \
  --testing_die_rank 1 --testing_die_after_steps 2 > "$work/dead.log" 2>&1
rc=$?
set -e
[ "$rc" -ne 0 ] || { cat "$work/dead.log"; fail "a suite whose rank died must fail"; }
grep -q "launcher: rank 1 (pid [0-9]*) was killed by signal 9" "$work/dead.log" || { cat "$work/dead.log"; fail "launcher must name rank 1"; }
[ "$(q "$work/dead.db" "SELECT COUNT(*) FROM runs")" -eq 1 ] || fail "the second configuration must not start"
[ "$(q "$work/dead.db" "SELECT status FROM runs")" = failed ] || fail "the run must be marked failed"
! grep -q "^=== \[2/2\]" "$work/dead.log" || fail "the suite went on after a failed run"

# 4. evaluate runs in one process: the data-parallel flags are an error, not ignored.
for flag in "--nproc 2" "--dist_timeout 5"; do
  set +e
  "$evaluate" --checkpoint "$work/none.pth" $flag > "$work/eval.log" 2>&1
  rc=$?
  set -e
  [ "$rc" -eq 2 ] && grep -q "is a data-parallel training flag" "$work/eval.log" ||
    { cat "$work/eval.log"; fail "evaluate $flag must be refused (exit $rc)"; }
done
# 5. evaluate and predict started by a launcher as ranks of a job: refused, not run N times.
for tool in evaluate predict; do
  args=(--checkpoint "$work/none.pth")
  [ "$tool" = evaluate ] || args+=(--input "$work" --out "$work/p.csv")
  set +e
  RANK=1 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=1 "experiments/$tool" "${args[@]}" > "$work/$tool.log" 2>&1
  rc=$?
  set -e
  [ "$rc" -eq 2 ] && grep -q "$tool runs in one process, but was started as rank 1 of a torchrun job of 2" "$work/$tool.log" ||
    { cat "$work/$tool.log"; fail "$tool under a launcher must be refused (exit $rc)"; }
done
echo "PASS"
