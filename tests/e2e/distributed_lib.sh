# Sourced by the data-parallel end-to-end tests (distributed_*_test.sh, issue #11): the runner as
# torchrun or --nproc starts it (Gloo, ranks on loopback), on a small synthetic AffectNet twin.
#   $work      the test's scratch folder (EMOGCN_CACHE is its cache/)
#   common     the runner flags every job shares; data: the dataset flags alone
#   two_ranks NAME FLAGS0 FLAGS1...   starts ranks 0 and 1 by hand with torchrun's variables and
#              "${pair[@]}", one epoch; sets rc0 and rc1 (logs: $work/NAME-0.log, NAME-1.log)
#   metrics    the SQL that prints a run's whole-split validation metrics
set -euo pipefail
source tests/e2e/training_job.sh
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
metrics="SELECT printf('%.6f %.6f %.6f %.6f', accuracy, macro_f1, ccc_valence, ccc_arousal) FROM final_metrics"
# A synthetic AffectNet copy in AffectNet's own format (written by a first run with "${data[@]}").
synthetic_copy() {
  synth=$(ls -d "$EMOGCN_CACHE"/synth-affectnet-*-n10-5-* | head -1)
  [ -f "$synth/validation.csv" ] || fail "no synthetic AffectNet copy in $EMOGCN_CACHE"
}
