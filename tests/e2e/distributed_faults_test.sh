#!/usr/bin/env bash
# Data-parallel faults end to end (issue #11): a killed rank or a hung one stops the job within
# the timeout with the run marked failed, naming the rank; an unreachable master and a port in
# use are clear errors, not hangs; SIGTERM to the --nproc launcher reaches every rank, which stop
# at the same step with a resume state.
source tests/e2e/distributed_lib.sh

# 4. A killed rank: the other stops with an error, the run is failed, the launcher names the rank.
start=$(date +%s)
set +e
"$runner" "${common[@]}" --epochs 2 --dist_timeout 8 --nproc 2 --db "$work/killed.db" --testing_die_rank 1 --testing_die_after_steps 2 > "$work/killed.log" 2>&1
rc=$?
set -e
took=$(( $(date +%s) - start ))
[ "$rc" -ne 0 ] || fail "a job with a killed rank must fail"
[ "$took" -lt 60 ] || fail "the job took ${took} s to stop after a rank was killed"
grep -q "launcher: rank 1 (pid [0-9]*) was killed by signal 9" "$work/killed.log" || { cat "$work/killed.log"; fail "launcher must name rank 1"; }
[ "$(q "$work/killed.db" "SELECT status FROM runs")" = failed ] || fail "run must be marked failed"
q "$work/killed.db" "SELECT message FROM runs" | grep -q "rank 0: " || fail "the failure message must name the rank"
q "$work/killed.db" "SELECT message FROM runs" | grep -q "no error posted within 5 s by rank(s) 1 (killed, or hung)" ||
  { q "$work/killed.db" "SELECT message FROM runs"; fail "the stored failure must name rank 1 as the one that went silent"; }

# 5. A hung rank (stopped, its sockets open): rank 0 times out, the launcher ends the job.
start=$(date +%s)
start_training "$work/hung.log" "$runner" "${common[@]}" --epochs 50 --nproc 2 --db "$work/hung.db" --dist_timeout 4
ranks=($(pgrep -P "$job_pid" | sort -n || true))
[ "${#ranks[@]}" -eq 2 ] || fail "expected 2 ranks under the launcher, found ${#ranks[@]}"
kill -STOP "${ranks[1]}"
wait_job
rc=$job_rc
took=$(( $(date +%s) - start ))
[ "$rc" -ne 0 ] || fail "a job with a hung rank must fail"
[ "$took" -lt 90 ] || fail "the job took ${took} s to stop with a hung rank"
[ "$(q "$work/hung.db" "SELECT status FROM runs")" = failed ] || { cat "$work/hung.log"; fail "hung job: run must be marked failed"; }
q "$work/hung.db" "SELECT message FROM runs" | grep -q "by rank(s) 1 (killed, or hung)" || fail "hung job: rank 1 must be named"

# 6. An unreachable master, and a port in use: errors within the timeout, exit 2.
port=$(free_port)
start=$(date +%s)
set +e
RANK=1 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port "$runner" "${common[@]}" --epochs 1 --dist_timeout 3 --db "$work/x.db" > "$work/addr.log" 2>&1
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q "rank 1: joining the rendezvous at 127.0.0.1:$port (MASTER_ADDR / MASTER_PORT) failed" "$work/addr.log" ||
  { cat "$work/addr.log"; fail "an unreachable master must exit 2 naming MASTER_ADDR (exit $rc)"; }
[ $(( $(date +%s) - start )) -lt 60 ] || fail "an unreachable master took too long"
/usr/bin/python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(60)' "$port" &
holder=$!
sleep 1
set +e
RANK=0 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port "$runner" "${common[@]}" --epochs 1 --dist_timeout 3 --db "$work/y.db" > "$work/port.log" 2>&1
rc=$?
set -e
kill "$holder" 2>/dev/null || true
[ "$rc" -eq 2 ] && grep -q "rank 0: serving the rendezvous at 127.0.0.1:$port (is the port in use?) failed" "$work/port.log" ||
  { cat "$work/port.log"; fail "a port in use must exit 2 saying so (exit $rc)"; }

# 10. SIGTERM to the --nproc launcher (a scheduler stopping the job) reaches every rank: they
# stop at the same step with a resume state, as for Ctrl-C.
start_training "$work/term.log" "$runner" "${common[@]}" --epochs 50 --nproc 2 --db "$work/term.db"
kill -TERM "$job_pid"
wait_job
rc=$job_rc
[ "$rc" -eq 130 ] || { cat "$work/term.log"; fail "SIGTERM to the launcher must stop the job as Ctrl-C does (exit 130), got $rc"; }
grep -q "launcher: SIGTERM: passing it on to the ranks" "$work/term.log" || fail "the launcher must say it passed SIGTERM on"
[ "$(q "$work/term.db" "SELECT status FROM runs")" = interrupted ] || fail "SIGTERM: the run must be marked interrupted"
echo "distributed faults test passed"
