#!/usr/bin/env bash
# The GPU check, run from a bundle (bazel run //tools:bundle) on a machine with an NVIDIA GPU
# and a CUDA LibTorch of the bundle's version (here: the node's Python torch). No Bazel needed.
#
#   BUNDLE/share/gpu_check_bundle.sh OUT_DIR [quick]
#
# 1. the CUDA tests (BUNDLE/bin/gpu_test);
# 2. the six synthetic AffectNet configurations trained on CUDA, fp32, then bf16 + channels-last
#    (OUT_DIR/train_fp32.db, OUT_DIR/train_bf16_cl.db);
# 3. the CUDA throughput suite (Forward and TrainStep of the six models; batch 35 and 128; fp32,
#    bf16, fp16; contiguous and channels-last) recorded into OUT_DIR/gpu.db;
# 4. the same six networks' training step in the node's eager Python PyTorch, same batches,
#    precisions and memory formats, for a side-by-side ratio (OUT_DIR/eager.csv);
# 5. the tables: OUT_DIR/report_fp32.md and report_bf16_cl.md (training, from train_*.db) and
#    OUT_DIR/gpu_tables.md (throughput, C++ against eager Python, from gpu.db and eager.csv).
# "quick" shrinks every step (CPU rehearsal: EMOGCN_GPU_CHECK_DEVICE=cpu). Each step's log is in
# OUT_DIR; a failing step is reported and the next one still runs; the exit code is non-zero if
# any failed.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd -P)
out=${1:?usage: gpu_check_bundle.sh OUT_DIR [quick]}
mode=${2:-full}
device=${EMOGCN_GPU_CHECK_DEVICE:-cuda}
python=${EMOGCN_PYTHON:-python3}
mkdir -p "$out"
db="$out/gpu.db"
export EMOGCN_CACHE="$out/cache"
failed=0
step() {  # name command...
  local name=$1
  shift
  local t0=$SECONDS
  echo "== $name" | tee -a "$out/summary.txt"
  if "$@" > "$out/$name.log" 2>&1; then
    echo "   ok ($((SECONDS - t0)) s)" | tee -a "$out/summary.txt"
  else
    echo "   FAILED ($((SECONDS - t0)) s), last lines:" | tee -a "$out/summary.txt"
    tail -15 "$out/$name.log" | sed 's/^/   | /' | tee -a "$out/summary.txt"
    failed=1
  fi
}

if [ "$mode" = quick ]; then
  epochs=(--epochs 1 --synth_train_per_class 4 --synth_val_per_class 2)
  bench=(--benchmark_min_time=0.01 --benchmark_repetitions=1)
  # bs 8: the CPU suite registers batches 1 and 8, the CUDA one 35 and 128.
  filter="BM_TrainStep/densenet_emotion_gcn/bs:(8|35)/$device/(fp32|bf16)/contiguous"
  eager=(--models densenet_emotion_gcn --batches 8,35 --precisions fp32 --formats contiguous --warmup 1 --iterations 1 --repetitions 1)
else
  epochs=()
  bench=(--benchmark_min_time=0.3 --benchmark_repetitions=3)
  filter="BM_(Forward|TrainStep)/.*/bs:(35|128)/$device/"
  eager=(--batches 35,128 --precisions fp32,bf16,fp16 --formats contiguous,channels_last)
fi

step build_info "$here/bin/build_info"
cat "$out/build_info.log"
command -v nvidia-smi > /dev/null && nvidia-smi > "$out/nvidia-smi.txt" 2>&1
step gpu_test "$here/bin/gpu_test" --durations yes
# One store per precision: report rows group by dataset, backbone, model and schedule only (#16),
# so fp32 and bf16 runs in one store would be averaged into one row.
step train_fp32 "$here/bin/ablation_affectnet" --device "$device" --db "$out/train_fp32.db" "${epochs[@]}"
cl_flags=(--precision bf16 --channels_last)
step train_bf16_cl "$here/bin/ablation_affectnet" --device "$device" --db "$out/train_bf16_cl.db" "${cl_flags[@]}" "${epochs[@]}"
step throughput "$here/bin/throughput" --db "$db" --label "$device" --device "$device" \
  --benchmark_filter="$filter" "${bench[@]}"
step eager "$python" "$here/share/gpu_python_eager.py" --device "$device" --out "$out/eager.csv" "${eager[@]}"
step render_fp32 "$here/bin/render" --db "$out/train_fp32.db" --out "$out/report_fp32.md" --no_details
step render_bf16_cl "$here/bin/render" --db "$out/train_bf16_cl.db" --out "$out/report_bf16_cl.md" --no_details
step tables "$python" - "$db" "$out/eager.csv" "$out/gpu_tables.md" <<'PY'
import csv, sqlite3, sys
db, eager_csv, out = sys.argv[1:4]
con = sqlite3.connect(db)
rows = con.execute("""SELECT r.name, AVG(r.images_per_s) FROM bench_results r
                      JOIN bench_sessions s ON s.id = r.session_id
                      WHERE r.error IS NULL AND r.name LIKE 'BM_TrainStep/%' GROUP BY r.name""").fetchall()
ours = {}
for name, rate in rows:
    _, model, bs, dev, prec, fmt = name.split('/')
    ours[(model, int(bs.split(':')[1]), prec, fmt)] = rate
eager = {}
with open(eager_csv) as f:
    for r in csv.DictReader(f):
        eager[(r['model'], int(r['batch']), r['precision'], r['memory_format'])] = float(r['images_per_s'])
lines = ['| Model | Batch | Precision | Memory format | C++ img/s | Python eager img/s | Ratio |',
         '| --- | ---: | --- | --- | ---: | ---: | ---: |']
for key in sorted(ours):
    e = eager.get(key)
    lines.append('| %s | %d | %s | %s | %.0f | %s | %s |' % (key + (ours[key], '%.0f' % e if e else '-',
                                                                  '%.2f' % (ours[key] / e) if e else '-')))
# Against the reference recipe as the official code runs it: fp32, batch 35, contiguous.
lines += ['', '| Model | C++ bf16 + channels-last, bs 128 | Reference recipe (eager fp32, bs 35) | Ratio |',
          '| --- | ---: | ---: | ---: |']
for model in sorted({k[0] for k in ours}):
    a, b = ours.get((model, 128, 'bf16', 'channels_last')), eager.get((model, 35, 'fp32', 'contiguous'))
    if a and b:
        lines.append('| %s | %.0f | %.0f | %.2f |' % (model, a, b, a / b))
open(out, 'w').write('\n'.join(lines) + '\n')
print('\n'.join(lines))
PY
cat "$out/summary.txt"
exit $failed
