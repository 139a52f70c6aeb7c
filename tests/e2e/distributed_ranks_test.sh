#!/usr/bin/env bash
# Data-parallel ranks that disagree or differ, end to end (issue #11): a job across machines
# whose master's name resolves to loopback runs over the machine's interface address; a rank
# that fails on its own is named with its error by rank 0 (before the run begins, and during
# training); ranks started with another configuration or another copy of the data are refused
# before training, naming the field; a rank whose validation shard is empty still joins the
# gathered metrics.
source tests/e2e/distributed_lib.sh

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


# 7. A rank that fails on its own (rank 1 of a torchrun-style job whose data root is missing on
# its machine): rank 0, whose collective fails, names rank 1 and its error. The ranks read the
# synthetic set of the two-machine run (11) in AffectNet's own format, as real copies. The job
# fails before its run begins, so, as for a dataset one process cannot open, no row is written.
synthetic_copy
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

echo "distributed ranks test passed"
