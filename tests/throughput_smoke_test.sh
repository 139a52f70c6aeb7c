#!/usr/bin/env bash
# The benchmarks execute and record: //experiments:throughput --quick stores its repetitions
# (with FLOPs and the matmul peak) in a fresh result store, and //reports:compare_throughput
# compares that session with itself (ratio 1, nothing significant, exit 0).
set -euo pipefail
work="${TEST_TMPDIR:-$(mktemp -d)}/throughput"
rm -rf "$work" && mkdir -p "$work"
export EMOGCN_CACHE="$work/cache"
db="$work/bench.db"
experiments/throughput --quick --threads 2 --db "$db" --label smoke > "$work/run.log" 2>&1 || { cat "$work/run.log"; exit 1; }
grep -q "recorded .* measurement(s) as benchmark session #1 ('smoke')" "$work/run.log" || { cat "$work/run.log"; exit 1; }
rows=$(sqlite3 "$db" "SELECT COUNT(*) FROM bench_results WHERE images_per_s > 0 AND error IS NULL")
model_rows=$(sqlite3 "$db" "SELECT COUNT(*) FROM bench_results WHERE name LIKE 'BM_Forward/bregnext_single_task/%' AND flops_per_image > 1e10")
peak=$(sqlite3 "$db" "SELECT peak_gflops > 0 FROM bench_sessions WHERE id = 1")
[ "$rows" -ge 9 ] || { echo "FAIL: expected >= 9 recorded repetitions, got $rows"; exit 1; }
[ "$model_rows" -eq 3 ] || { echo "FAIL: expected 3 model repetitions with FLOPs, got $model_rows"; exit 1; }
[ "$peak" -eq 1 ] || { echo "FAIL: no matmul peak recorded"; exit 1; }
reports/compare_throughput --db "$db" --baseline session:1 --candidate label:smoke > "$work/compare.md"
cat "$work/compare.md"
grep -q "| 1.000 |" "$work/compare.md"
echo "throughput smoke test passed ($rows repetitions recorded)"
