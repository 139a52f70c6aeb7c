#!/usr/bin/env bash
# Data-parallel training under torchrun (issue #11): its agent serves the store, its error file
# receives a failing worker's error, and an elastic restart with --resume ends where an
# undisturbed job ends.
source tests/e2e/distributed_lib.sh

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

echo "distributed torchrun test passed"
