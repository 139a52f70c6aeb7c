#!/usr/bin/env bash
# The benchmarks execute and record: //experiments:throughput --quick stores its repetitions
# (with FLOPs and the matmul peak) in a fresh result store. //reports:compare_throughput then
# compares that session with a copy whose every measurement is 40% slower (written with SQL):
# it must match every benchmark, report each ratio as 0.600, mark them significant, and fail
# (exit 1); the other way round it must report 1.667 and pass.
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
sqlite3 "$db" "INSERT INTO bench_sessions (label, started_at, code_version, device, filter, peak_gflops)
                 SELECT 'slower', started_at, code_version, device, filter, peak_gflops FROM bench_sessions WHERE id = 1;
               INSERT INTO bench_results (session_id, name, repetition, images_per_s, flops_per_image, error)
                 SELECT 2, name, repetition, 0.6 * images_per_s, flops_per_image, error FROM bench_results WHERE session_id = 1;"
benchmarks=$(sqlite3 "$db" "SELECT COUNT(DISTINCT name) FROM bench_results WHERE session_id = 1 AND images_per_s > 0 AND error IS NULL")
set +e
reports/compare_throughput --db "$db" --baseline label:smoke --candidate label:slower > "$work/slower.md"
slower=$?
reports/compare_throughput --db "$db" --baseline label:slower --candidate label:smoke > "$work/faster.md"
faster=$?
set -e
cat "$work/slower.md"
[ "$slower" -eq 1 ] || { echo "FAIL: a 40% slowdown must fail the comparison (exit $slower)"; exit 1; }
[ "$faster" -eq 0 ] || { echo "FAIL: a speed-up must pass (exit $faster)"; cat "$work/faster.md"; exit 1; }
matched=$(grep -c "| 0.600 |" "$work/slower.md" || true)
[ "$matched" -eq "$benchmarks" ] || { echo "FAIL: expected $benchmarks ratios of 0.600, got $matched"; exit 1; }
[ "$(grep -c "| 1.667 |" "$work/faster.md" || true)" -eq "$benchmarks" ] || { echo "FAIL: expected ratios of 1.667"; exit 1; }
# Out-of-range flags: exit 2 with the flag named, before anything runs.
set +e
experiments/throughput --threads -1 --db "$work/never.db" > "$work/bad.log" 2>&1; rc_threads=$?
reports/compare_throughput --db "$db" --baseline label:smoke --candidate label:slower --threshold nan > "$work/bad2.log" 2>&1; rc_threshold=$?
set -e
[ "$rc_threads" -eq 2 ] && grep -q -- "--threads must be in" "$work/bad.log" || { echo "FAIL: --threads -1"; cat "$work/bad.log"; exit 1; }
[ ! -e "$work/never.db" ] || { echo "FAIL: a bad flag created a database"; exit 1; }
[ "$rc_threshold" -eq 2 ] && grep -q -- "--threshold must be in" "$work/bad2.log" || { echo "FAIL: --threshold nan"; cat "$work/bad2.log"; exit 1; }

# Each benchmark is stored as it finishes: throughput killed (SIGKILL) while its second benchmark
# runs keeps the first one's repetitions, and the GPU tables render them (the model benchmarks'
# names end in Google Benchmark's "/manual_time").
partial="$work/partial.db"
experiments/throughput --threads 1 --db "$partial" --label partial --benchmark_repetitions=3 --benchmark_min_time=0.01 \
  '--benchmark_filter=BM_TrainStep/densenet_emotion_gcn/bs:2/cpu/fp32/(contiguous|channels_last)' > "$work/partial.log" 2>&1 &
pid=$!
stored=0
for _ in $(seq 1200); do
  stored=$(sqlite3 "$partial" "SELECT COUNT(*) FROM bench_results" 2>/dev/null || echo 0)
  [ "$stored" -gt 0 ] || ! kill -0 "$pid" 2>/dev/null && break
  sleep 0.05
done
kill -0 "$pid" 2>/dev/null || { cat "$work/partial.log"; echo "FAIL: throughput ended before it stored any benchmark ($stored rows)"; exit 1; }
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
[ "$(sqlite3 "$partial" "SELECT COUNT(*) || '/' || COUNT(DISTINCT name) FROM bench_results")" = "3/1" ] ||
  { sqlite3 "$partial" "SELECT * FROM bench_results"; echo "FAIL: expected the first benchmark's 3 repetitions"; exit 1; }
first=$(sqlite3 "$partial" "SELECT DISTINCT name FROM bench_results")
case "$first" in */manual_time) ;; *) echo "FAIL: '$first' does not end in /manual_time"; exit 1 ;; esac
reports/gpu_tables --db "$partial" --out "$work/gpu_tables.md" > /dev/null
format=$(echo "$first" | cut -d/ -f6)
grep -q "^| densenet_emotion_gcn | 2 | fp32 | $format | [0-9.]* | - | - |$" "$work/gpu_tables.md" ||
  { cat "$work/gpu_tables.md"; echo "FAIL: the stored benchmark is not in the GPU tables"; exit 1; }
echo "throughput smoke test passed ($rows repetitions recorded)"
