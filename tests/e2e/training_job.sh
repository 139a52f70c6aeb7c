# Sourced by shell tests that signal a training job mid-run (interrupt_test, the distributed_*_test scripts).
#   start_training LOG COMMAND...   starts COMMAND in the background, output in LOG, and returns
#                                   once training has begun (its first progress line); the job's
#                                   pid is in $job_pid.
#   wait_job                        waits for it; its exit status is in $job_rc.

start_training() {
  local log=$1
  shift
  "$@" > "$log" 2>&1 &
  job_pid=$!
  for _ in $(seq 1 600); do
    grep -q "batch" "$log" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "FAIL: no training progress within 60 s: $*"
  cat "$log"
  exit 1
}

wait_job() {
  set +e
  wait "$job_pid"
  job_rc=$?
  set -e
}
