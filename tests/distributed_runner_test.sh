#!/usr/bin/env bash
# Data-parallel training end to end (issue #11): the runner with --nproc 2 (Gloo, 2 ranks on
# loopback, as torchrun would start them). The run finishes with one row written by rank 0 (world
# size and backend in its provenance and config); its whole-split validation metrics equal a
# single-process evaluation of its checkpoint; an interrupted distributed run resumes to the same
# result; a killed rank or a hung one stops the job within the timeout with the run marked
# failed, naming the rank; a rank that fails on its own is named with its error by rank 0; an
# unreachable master and a port in use are clear errors, not hangs; a rank whose validation
# shard is empty still joins the gathered metrics; a job across machines whose master's name
# resolves to loopback runs over the machine's interface address; ranks started with another
# configuration or another copy of the data are refused before training, naming the field.
set -euo pipefail
source tests/training_job.sh
runner=experiments/runner
evaluate=experiments/evaluate
work="${TEST_TMPDIR:-$(mktemp -d)}/distributed"
rm -rf "$work" && mkdir -p "$work"
export EMOGCN_CACHE="$work/cache"
data=(--dataset synth-affectnet --input_size 32 --synth_train_per_class 10 --synth_val_per_class 5 --workers 1)
common=("${data[@]}" --backbone densenet --model multi_task --batch_size 8 --threads 1)
fail() { echo "FAIL: $*"; exit 1; }
q() { sqlite3 "$1" "$2"; }
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# Two ranks started by hand (torchrun's variables); sets rc0 and rc1.
two_ranks() {  # name, rank 0's extra flags (one string), rank 1's extra flags...; both: "${pair[@]}"
  local name=$1 flags0=$2
  shift 2
  port=$(free_port)
  local -a job=(WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port)
  env RANK=0 LOCAL_RANK=0 LOCAL_WORLD_SIZE=2 "${job[@]}" "$runner" "${pair[@]}" $flags0 --epochs 1 --dist_timeout 30 \
    --db "$work/$name.db" > "$work/$name-0.log" 2>&1 &
  local pid0=$!
  set +e
  env RANK=1 LOCAL_RANK=1 LOCAL_WORLD_SIZE=2 "${job[@]}" "$runner" "${pair[@]}" "$@" --epochs 1 --dist_timeout 30 \
    --db "$work/$name-1.db" > "$work/$name-1.log" 2>&1
  rc1=$?
  wait "$pid0"
  rc0=$?
  set -e
}

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
metrics="SELECT printf('%.6f %.6f %.6f %.6f', accuracy, macro_f1, ccc_valence, ccc_arousal) FROM final_metrics"
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

# 7. A rank that fails on its own (rank 1 of a torchrun-style job whose data root is missing on
# its machine): rank 0, whose collective fails, names rank 1 and its error. The ranks read the
# synthetic set of run 1 in AffectNet's own format, as real copies. The job fails before its run
# begins, so, as for a dataset one process cannot open, no row is written.
synth=$(ls -d "$EMOGCN_CACHE"/synth-affectnet-*-n10-5-* | head -1)
[ -f "$synth/validation.csv" ] || fail "no synthetic AffectNet copy in $EMOGCN_CACHE"
cp -r "$synth" "$work/copy-a"
pair=("${common[@]/synth-affectnet/affectnet}")
start=$(date +%s)
two_ranks missing "--data_root $work/copy-a" --data_root "$work/not-mounted"
[ "$rc1" -eq 2 ] && [ "$rc0" -ne 0 ] || { cat "$work/missing-0.log" "$work/missing-1.log"; fail "both ranks must fail (rank 0: $rc0, rank 1: $rc1)"; }
grep -q "runner: rank 0: first failure (rank 1): open dataset: $work/not-mounted: field 'data_root': directory not found" "$work/missing-0.log" ||
  { cat "$work/missing-0.log"; fail "rank 0 must name rank 1's error"; }
[ $(( $(date +%s) - start )) -lt 25 ] || fail "rank 0 took too long to stop after rank 1 failed"
[ ! -e "$work/missing.db" ] || [ "$(q "$work/missing.db" "SELECT COUNT(*) FROM runs")" -eq 0 ] || fail "no row before the run began"

# 7b. Rank 1 fails during training (its copy's images are unreadable, unchecked with
# --image_check off): rank 0 marks the run failed, storing rank 1's error as the first failure.
cp -r "$synth" "$work/copy-broken"
for f in "$work"/copy-broken/Manually_Annotated_Images/*/*.jpg; do printf 'not an image' > "$f"; done
two_ranks broken "--data_root $work/copy-a --image_check off" --data_root "$work/copy-broken" --image_check off
[ "$rc1" -ne 0 ] && [ "$rc0" -ne 0 ] || { cat "$work/broken-0.log" "$work/broken-1.log"; fail "both ranks must fail (rank 0: $rc0, rank 1: $rc1)"; }
[ "$(q "$work/broken.db" "SELECT status FROM runs")" = failed ] || { cat "$work/broken-0.log"; fail "rank 0's run row must be marked failed"; }
q "$work/broken.db" "SELECT message FROM runs" | grep -q "; first failure (rank 1): .*$work/copy-broken/Manually_Annotated_Images/" ||
  { q "$work/broken.db" "SELECT message FROM runs"; cat "$work/broken-1.log"; fail "the stored failure must name rank 1's error and file"; }

# 8. More ranks than validation samples (7 samples, 8 ranks): rank 7's shard is empty; the
# gathered metrics still equal one process's evaluation of the checkpoint.
tiny=(--dataset synth-affectnet --input_size 32 --synth_train_per_class 4 --synth_val_per_class 1 --workers 1)
"$runner" "${tiny[@]}" --backbone densenet --model multi_task --batch_size 4 --threads 1 --epochs 1 --nproc 8 \
  --db "$work/eight.db" > "$work/eight.log" 2>&1 || { cat "$work/eight.log"; fail "--nproc 8 with 7 validation samples"; }
ckpt=$(q "$work/eight.db" "SELECT checkpoint_path FROM final_metrics")
"$evaluate" --checkpoint "$ckpt" "${tiny[@]}" --batch_size 4 --threads 1 --db "$work/eight-eval.db" > "$work/eight-eval.log" 2>&1 ||
  { cat "$work/eight-eval.log"; fail "evaluate (8 ranks)"; }
dp=$(q "$work/eight.db" "$metrics")
single=$(q "$work/eight-eval.db" "$metrics")
[ "$dp" = "$single" ] || fail "8 ranks, one with an empty shard: metrics ($dp) differ from one process's ($single)"
[ "$(q "$work/eight.db" "SELECT val_size FROM datasets")" -eq 7 ] || fail "expected 7 validation samples"

# 9. Under torchrun, whose agent serves the store itself (TORCHELASTIC_USE_AGENT_STORE=True):
# every rank is its client, the job trains, and a failing worker's error reaches torchrun's
# error file. The real torchrun of $EMOGCN_TORCH_PYTHON's PyTorch (the version this binary is
# built against) when it runs; Debian's 1.13 torchrun does not (it fails on its own arguments),
# so there the agent is what torchrun does: a TCPStore server on MASTER_PORT and the variables.
python=${EMOGCN_TORCH_PYTHON:-/usr/bin/python3}
port=$(free_port)
if "$python" -m torch.distributed.run --no-python --nproc-per-node 1 --master-port "$port" /bin/true > "$work/probe.log" 2>&1; then
  agent=torchrun
  run_agent() {  # db, extra runner flags...
    local db=$1
    shift
    "$python" -m torch.distributed.run --no-python --nproc-per-node 2 --master-port "$port" \
      "$runner" "${common[@]}" --epochs 1 --dist_timeout 30 --db "$db" "$@"
  }
else
  agent=emulated
  run_agent() {
    local db=$1
    shift
    "$python" - "$port" "$work" "$runner" "${common[@]}" --epochs 1 --dist_timeout 30 --db "$db" "$@" <<'PY'
import os, subprocess, sys
from datetime import timedelta
import torch.distributed as dist
port, work, argv = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
store = dist.TCPStore("127.0.0.1", port, 3, True, timedelta(seconds=30), wait_for_workers=False)
procs = []
for rank in range(2):
    env = dict(os.environ, RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE="2", LOCAL_WORLD_SIZE="2",
               MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), TORCHELASTIC_USE_AGENT_STORE="True",
               TORCHELASTIC_RESTART_COUNT="0", TORCHELASTIC_ERROR_FILE=f"{work}/agent-error-{rank}.json")
    procs.append(subprocess.Popen(argv, env=env))
codes = [p.wait() for p in procs]
for rank in range(2):
    path = f"{work}/agent-error-{rank}.json"
    if os.path.exists(path):
        print(f"rank {rank} error file: " + open(path).read())
sys.exit(max(codes))
PY
  }
fi
echo "torchrun case: $agent"
run_agent "$work/agent.db" > "$work/agent.log" 2>&1 || { cat "$work/agent.log"; fail "a 2-rank job under $agent's store"; }
grep -q "data-parallel: rank 0 of 2 (gloo)" "$work/agent.log" || { cat "$work/agent.log"; fail "no data-parallel line under $agent"; }
[ "$(q "$work/agent.db" "SELECT status FROM runs")" = finished ] || fail "the run under $agent did not finish"
[ "$(q "$work/agent.db" "SELECT value FROM provenance WHERE key = 'world_size'")" = 2 ] || fail "world size under $agent"
set +e
run_agent "$work/agent-bad.db" --image_check nonsense > "$work/agent-bad.log" 2>&1
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "a failing job under $agent must fail"
# torchrun prints the error file's message as the failure's traceback; the emulation prints the file.
grep -q "image_check" "$work/agent-bad.log" && grep -Eq '(traceback : |"message": *\{"extraInfo).*image_check' "$work/agent-bad.log" ||
  { cat "$work/agent-bad.log"; fail "the worker's error must reach $agent's error file"; }

# 9b. An elastic job (torchrun --max-restarts 1) with --resume: rank 1 dies in epoch 2 of the
# first attempt, rank 0 marks the run failed with its last epoch's resume state, torchrun
# restarts both, and the second attempt resumes at epoch 2 and ends where an undisturbed job
# ends, to every stored digit. Needs the real torchrun (the 2.11 suite).
if [ "$agent" = torchrun ]; then
  elastic=("${common[@]}" --epochs 3 --dist_timeout 20 --resume)
  "$python" -m torch.distributed.run --no-python --nproc-per-node 2 --max-restarts 1 --master-port "$port" \
    "$runner" "${elastic[@]}" --db "$work/elastic.db" --testing_die_rank 1 --testing_die_after_steps 7 \
    > "$work/elastic.log" 2>&1 || { cat "$work/elastic.log"; fail "the restarted elastic job must finish"; }
  grep -q "no error posted within 5 s by rank(s) 1 (killed, or hung)" "$work/elastic.log" ||
    { cat "$work/elastic.log"; fail "the first attempt must fail naming rank 1"; }
  grep -q "resumed from .* at epoch 2, batch 0" "$work/elastic.log" || { cat "$work/elastic.log"; fail "no resume at epoch 2"; }
  [ "$(q "$work/elastic.db" "SELECT COUNT(*) || ' ' || status FROM runs")" = "1 finished" ] ||
    fail "the restart must continue run 1 to 'finished'"
  "$python" -m torch.distributed.run --no-python --nproc-per-node 2 --master-port "$port" \
    "$runner" "${elastic[@]}" --db "$work/steady.db" > "$work/steady.log" 2>&1 || { cat "$work/steady.log"; fail "undisturbed job"; }
  losses="SELECT group_concat(printf('%.12g', train_loss), ' ') FROM (SELECT train_loss FROM epochs ORDER BY epoch)"
  [ "$(q "$work/elastic.db" "$losses")" = "$(q "$work/steady.db" "$losses")" ] &&
    [ "$(q "$work/elastic.db" "$metrics")" = "$(q "$work/steady.db" "$metrics")" ] ||
    fail "the restarted job ($(q "$work/elastic.db" "$losses")) differs from the undisturbed one ($(q "$work/steady.db" "$losses"))"
else
  echo "9b skipped: no working torchrun in $python (Debian's 1.13 torchrun is broken); the 2.11 suite runs it"
fi

# 10. SIGTERM to the --nproc launcher (a scheduler stopping the job) reaches every rank: they
# stop at the same step with a resume state, as for Ctrl-C.
start_training "$work/term.log" "$runner" "${common[@]}" --epochs 50 --nproc 2 --db "$work/term.db"
kill -TERM "$job_pid"
wait_job
rc=$job_rc
[ "$rc" -eq 130 ] || { cat "$work/term.log"; fail "SIGTERM to the launcher must stop the job as Ctrl-C does (exit 130), got $rc"; }
grep -q "launcher: SIGTERM: passing it on to the ranks" "$work/term.log" || fail "the launcher must say it passed SIGTERM on"
[ "$(q "$work/term.db" "SELECT status FROM runs")" = interrupted ] || fail "SIGTERM: the run must be marked interrupted"
# 11. Two ranks as two machines run them (LOCAL_WORLD_SIZE 1 each), the master named by this
# host's name. Where that name resolves to loopback (Debian's /etc/hosts, containers), Gloo must
# not announce loopback, which the other machine could not reach: it binds to this machine's
# interface address, and the job runs over it.
host=$(hostname)
port=$(free_port)
job=(WORLD_SIZE=2 LOCAL_RANK=0 LOCAL_WORLD_SIZE=1 MASTER_ADDR=$host MASTER_PORT=$port)
env RANK=0 "${job[@]}" "$runner" "${common[@]}" --epochs 1 --dist_timeout 30 --db "$work/nodes.db" > "$work/node0.log" 2>&1 &
node0=$!
set +e
env RANK=1 "${job[@]}" "$runner" "${common[@]}" --epochs 1 --dist_timeout 30 --db "$work/nodes.db" > "$work/node1.log" 2>&1
rc1=$?
wait "$node0"
rc0=$?
set -e
[ "$rc0" -eq 0 ] && [ "$rc1" -eq 0 ] || { cat "$work/node0.log" "$work/node1.log"; fail "a job of two 'machines' (ranks 0: $rc0, 1: $rc1)"; }
bound=$(sed -n 's/^data-parallel: rank 0 of 2 .*; gloo on \(.*\)$/\1/p' "$work/node0.log")
[ -n "$bound" ] || { cat "$work/node0.log"; fail "rank 0 must say where Gloo is bound"; }
resolved=$(getent hosts "$host" | awk '{print $1; exit}')
interfaces=$(hostname -I 2>/dev/null || true)
echo "host $host resolves to ${resolved:-nothing}; interfaces: ${interfaces:-none}; Gloo bound to $bound"
if [[ "$resolved" == 127.* && -n "${interfaces// /}" ]]; then
  [[ "$bound" != 127.* ]] || fail "a job across machines announced loopback ($bound) although this machine has $interfaces"
fi

# 12. Ranks that do not share their configuration or their data: every rank fails before
# training, naming the rank and the field, and no row is written. Data: two copies of the
# synthetic set in AffectNet's own format, mounted at different paths (which is allowed), one
# with one validation label changed.
pair=("${common[@]}")
two_ranks lr "" --lr 0.02
[ "$rc0" -eq 2 ] && [ "$rc1" -eq 2 ] || { cat "$work/lr-0.log" "$work/lr-1.log"; fail "ranks with different --lr must both fail (0: $rc0, 1: $rc1)"; }
for r in 0 1; do
  grep -q "rank(s) 1 of 2 differ from rank 0 in the configuration" "$work/lr-$r.log" &&
    grep -q "lr: 0.02 on rank 1, 0.01 on rank 0" "$work/lr-$r.log" || { cat "$work/lr-$r.log"; fail "rank $r must name rank 1's --lr"; }
done
[ ! -e "$work/lr.db" ] || [ "$(q "$work/lr.db" "SELECT COUNT(*) FROM runs")" -eq 0 ] || fail "a refused job must write no row"
cp -r "$synth" "$work/copy-b"
awk -F, 'BEGIN { OFS = "," } NR == 2 { $7 = ($7 + 1) % 7 } { print }' "$synth/validation.csv" > "$work/copy-b/validation.csv"
! cmp -s "$synth/validation.csv" "$work/copy-b/validation.csv" || fail "the copy's label was not changed"
pair=("${common[@]/synth-affectnet/affectnet}")
two_ranks data "--data_root $work/copy-a" --data_root "$work/copy-b"
[ "$rc0" -eq 2 ] && [ "$rc1" -eq 2 ] || { cat "$work/data-0.log" "$work/data-1.log"; fail "ranks reading different data must both fail (0: $rc0, 1: $rc1)"; }
grep -q "rank(s) 1 of 2 differ from rank 0 in the dataset" "$work/data-0.log" && grep -q "index_digest: " "$work/data-0.log" ||
  { cat "$work/data-0.log"; fail "rank 0 must name rank 1's dataset digest"; }
! grep -q "in the configuration" "$work/data-0.log" || fail "copies at different paths must not count as another configuration"

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

echo "distributed runner test passed"
