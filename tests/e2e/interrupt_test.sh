#!/usr/bin/env bash
# Ctrl-C for real: SIGINT to a training runner finishes the current step, saves a resume state,
# marks the run 'interrupted' and exits 130; the same command with --resume finishes the run.
# SIGTERM does the same.
set -euo pipefail
source tests/e2e/training_job.sh
runner=experiments/runner
work="${TEST_TMPDIR:-$(mktemp -d)}/interrupt"
rm -rf "$work" && mkdir -p "$work"
export EMOGCN_CACHE="$work/cache"
db="$work/results.db"
config=(--dataset synth-affectnet --backbone densenet --model multi_task --input_size 48 --epochs 2
        --synth_train_per_class 20 --synth_val_per_class 4 --threads 1 --db "$db")

# Interrupt once training has started (the first progress line), not during data generation.
start_training "$work/first.log" "$runner" "${config[@]}"
kill -INT "$job_pid"
wait_job
rc=$job_rc
cat "$work/first.log"
[ "$rc" -eq 130 ] || { echo "FAIL: an interrupted runner must exit 130, got $rc"; exit 1; }
[ "$(sqlite3 "$db" "SELECT status FROM runs WHERE id = 1")" = "interrupted" ] || { echo "FAIL: run not marked interrupted"; exit 1; }
state=$(sqlite3 "$db" "SELECT resume_state FROM runs WHERE id = 1")
[ -s "$state" ] || { echo "FAIL: no resume state at '$state'"; exit 1; }

"$runner" "${config[@]}" --resume > "$work/second.log" 2>&1 || { cat "$work/second.log"; exit 1; }
grep -q "resumed from" "$work/second.log"
[ "$(sqlite3 "$db" "SELECT status FROM runs WHERE id = 1")" = "finished" ] || { echo "FAIL: resumed run did not finish"; exit 1; }
[ "$(sqlite3 "$db" "SELECT COUNT(*) FROM runs")" -eq 1 ] || { echo "FAIL: --resume must continue run 1, not start another"; exit 1; }
[ "$(sqlite3 "$db" "SELECT COUNT(*) FROM epochs WHERE run_id = 1")" -eq 2 ] || { echo "FAIL: expected 2 epochs"; exit 1; }

# SIGTERM (what Slurm, Kubernetes and torchrun send before SIGKILL) stops the same way.
start_training "$work/term.log" "$runner" "${config[@]/$db/$work/term.db}"
kill -TERM "$job_pid"
wait_job
rc=$job_rc
[ "$rc" -eq 130 ] || { cat "$work/term.log"; echo "FAIL: SIGTERM must stop the runner as Ctrl-C does (exit 130), got $rc"; exit 1; }
[ "$(sqlite3 "$work/term.db" "SELECT status FROM runs WHERE id = 1")" = "interrupted" ] || { echo "FAIL: SIGTERM: run not marked interrupted"; exit 1; }
[ -s "$(sqlite3 "$work/term.db" "SELECT resume_state FROM runs WHERE id = 1")" ] || { echo "FAIL: SIGTERM: no resume state"; exit 1; }

# Flags out of range stop the runner before any work: exit 2 (not a signal such as SIGFPE's 136),
# a message naming the flag, and no database written.
for bad in "--lr_step 0" "--early_stop 0" "--lambda -1" "--momentum nan" "--batch_size 1" "--seed -1"; do
  set +e
  # shellcheck disable=SC2086
  "$runner" ${config[@]/$db/$work/bad.db} $bad > "$work/bad.log" 2>&1
  rc=$?
  set -e
  flag=${bad%% *}
  [ "$rc" -eq 2 ] || { echo "FAIL: '$bad' must exit 2, got $rc"; cat "$work/bad.log"; exit 1; }
  grep -q -- "$flag" "$work/bad.log" || { echo "FAIL: '$bad': the message must name $flag"; cat "$work/bad.log"; exit 1; }
  [ ! -e "$work/bad.db" ] || { echo "FAIL: '$bad' wrote a database"; exit 1; }
done
echo "interrupt test passed"
