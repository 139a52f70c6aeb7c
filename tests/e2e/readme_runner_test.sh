#!/usr/bin/env bash
# Issue #28: the README's real-data runner commands, run as a user pastes them, on what a
# researcher brings (tests/e2e/readme_lib.sh): the runner under torchrun's variables with
# --resume; a run interrupted, its annotations edited, then --resume: not continued on other
# data; merge unions the two stores.
source tests/e2e/readme_lib.sh

# 1. The runner as torchrun starts it (two ranks of one machine), with --resume.
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

# 2. A run interrupted, its annotations edited, then --resume: not continued on other data.
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

# 3. merge unions two stores: the data-parallel run and the two runs on the edited copy.
reports/merge --out "$work/all.db" "$work/dp.db" "$work/edit.db" > "$work/merge.log" 2>&1 || { cat "$work/merge.log"; fail "merge"; }
[ "$(q "$work/all.db" "SELECT COUNT(*) FROM runs")" -eq 3 ] || fail "merge: 1 + 2 runs"
echo "readme runner test passed"
