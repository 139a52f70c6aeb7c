#!/usr/bin/env bash
# GPU check, for a machine with an NVIDIA GPU and a CUDA LibTorch (a cxx11-ABI LibTorch
# directory, or a CUDA-enabled Python torch whose package directory has include/ and lib/).
# Builds against it, runs the CUDA paths of the runner (fp32, bf16, fp16 autocast,
# channels-last) on the synthetic set, records a short throughput suite for CPU and CUDA, and
# prints the CUDA-vs-CPU comparison table. Usage: tools/gpu_check.sh [LIBTORCH_DIR] [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
home=${1:-${LIBTORCH_HOME:-$(python3 -c 'import os, torch; print(os.path.dirname(torch.__file__))')}}
out=${2:-gpu_check_out}
mkdir -p "$out"
export LIBTORCH_HOME="$home" EMOGCN_CACHE="$out/cache"
db="$out/gpu.db"
bazel build //experiments:build_info //experiments:runner //experiments:throughput //reports:compare_throughput //reports:render
bazel-bin/experiments/build_info | tee "$out/build_info.txt"
grep -q "cuda_available=1" "$out/build_info.txt" || { echo "gpu_check: CUDA is not available with $home" >&2; exit 1; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv | tee "$out/gpu.txt"

# CUDA training paths: one short run per precision / memory format (results land in $db).
for flags in "--precision fp32" "--precision bf16" "--precision fp16" "--precision bf16 --channels_last"; do
  # shellcheck disable=SC2086
  bazel-bin/experiments/runner --device cuda --dataset synth-affectnet --backbone densenet --model emotion_gcn \
    --epochs 1 --db "$db" --run_name "gpu_check $flags" $flags | grep -E "^(epoch 1/1:|finished|config)" | tee -a "$out/runs.txt"
done

# Throughput: CUDA at the paper's batch (35) and 128, every precision and memory format; CPU at batch 8.
bazel-bin/experiments/throughput --db "$db" --label cuda --device cuda --benchmark_repetitions=5 \
  --benchmark_filter='BM_(Forward|TrainStep)/.*/bs:(35|128)/cuda/' | tee "$out/throughput_cuda.txt"
bazel-bin/experiments/throughput --db "$db" --label cpu --device cpu --benchmark_repetitions=3 \
  --benchmark_filter='BM_(Forward|TrainStep)/.*_emotion_gcn/bs:8/cpu/fp32/contiguous' | tee "$out/throughput_cpu.txt"
bazel-bin/reports/compare_throughput --db "$db" --baseline label:cpu --candidate label:cuda --ignore device | tee "$out/cuda_vs_cpu.md" || true
bazel-bin/reports/render --db "$db" --out "$out/report.md" --no_details
sqlite3 -header -column "$db" "SELECT name, ROUND(AVG(images_per_s), 1) AS images_per_s, ROUND(AVG(images_per_s * flops_per_image) / 1e9, 1) AS gflops
  FROM bench_results r JOIN bench_sessions s ON s.id = r.session_id WHERE s.label = 'cuda' AND error IS NULL GROUP BY name ORDER BY name" | tee "$out/cuda_table.txt"
echo "gpu_check: results in $out/ (commit the tables to docs/ with the card's name)"
