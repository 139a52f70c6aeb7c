#!/usr/bin/env bash
# The GPU check in one call, from a bundle (bazel run //tools:bundle) on a machine with an NVIDIA
# GPU and a CUDA LibTorch of the bundle's version (the node's Python torch). No Bazel needed.
# docs/gpu.md has the exact command for the lent GPU machine.
#
#   BUNDLE/share/gpu_check_bundle.sh OUT [--quick] [--budget SECONDS] [--grid core|full]
#                                        [--scratch DIR] [--timeout STEP=SECONDS]...
#
# Steps, most valuable first, each under its own time limit and all under --budget (default
# 480 s); a step that would start with less than its minimum left is skipped, with the reason:
#   build_info, versions     the binaries' LibTorch/CUDA/cuDNN, nvidia-smi, the node's torch
#   gpu_test                 the CUDA tests
#   throughput_train         BM_TrainStep (the runner's step) of the six models, batches 35 and 128,
#                            fp32 contiguous and bf16 channels-last (--grid full: every precision
#                            and format); each benchmark stored as it finishes
#   eager                    the same cases in eager PyTorch (tools/gpu_python_eager.py)
#   throughput_forward       BM_Forward, batch 128, the same two configurations
#   train_fp32, train_bf16_cl   the six synthetic AffectNet configurations, fp32, then bf16 +
#                            channels-last, each into its own store and checkpoint folder
#   render_fp32, render_bf16_cl the two training reports
# OUT holds only what the GPU machine's return rules let come back (at most 8 files, none
# deeper than OUT/a/b, names of letters, digits, '.', '_', '-'), rewritten as each step ends so a
# call cut off at its limit still returns what ran: summary.txt, gpu_tables.md, report_fp32.md,
# report_bf16_cl.md and results.tar.gz (the stores, logs and CSVs). The data cache, checkpoints
# and logs live in the scratch folder (default: a new one under ${TMPDIR:-/tmp}).
# --quick shrinks every step for the CPU rehearsal (EMOGCN_GPU_CHECK_DEVICE=cpu). Exit code: 0
# when every step passed, 1 otherwise.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd -P)
usage="usage: gpu_check_bundle.sh OUT [--quick] [--budget SECONDS] [--grid core|full] [--scratch DIR] [--timeout STEP=SECONDS]..."
out=${1:?$usage}
shift
quick=0 budget=480 grid=core scratch=""
declare -A limit=()
while [ $# -gt 0 ]; do
  case "$1" in
    quick | --quick) quick=1 ;;
    --budget) budget=${2:?$usage}; shift ;;
    --grid) grid=${2:?$usage}; shift ;;
    --scratch) scratch=${2:?$usage}; shift ;;
    --timeout) limit[${2%%=*}]=${2#*=}; shift ;;
    *) echo "gpu_check_bundle.sh: unknown argument '$1'"; echo "$usage"; exit 2 ;;
  esac
  shift
done
case "$budget" in '' | *[!0-9]*) echo "gpu_check_bundle.sh: --budget must be whole seconds, got '$budget'"; exit 2 ;; esac
case "$grid" in core | full) ;; *) echo "gpu_check_bundle.sh: --grid must be core or full, got '$grid'"; exit 2 ;; esac
for step in "${!limit[@]}"; do
  case "${limit[$step]}" in '' | *[!0-9]*) echo "gpu_check_bundle.sh: --timeout $step=${limit[$step]}: whole seconds"; exit 2 ;; esac
done
device=${EMOGCN_GPU_CHECK_DEVICE:-cuda}
python=${EMOGCN_PYTHON:-python3}
mkdir -p "$out" || exit 2
out=$(cd "$out" && pwd -P)
[ -n "$scratch" ] || scratch=$(mktemp -d "${TMPDIR:-/tmp}/emogcn-gpu-check.XXXXXX")
mkdir -p "$scratch/logs" || exit 2
scratch=$(cd "$scratch" && pwd -P)
case "$scratch/" in "$out"/*) echo "gpu_check_bundle.sh: the scratch folder must lie outside OUT"; exit 2 ;; esac
export EMOGCN_CACHE="$scratch/cache"
reserve=15  # Seconds kept for the last tables and archive.
start=$SECONDS
failed=0
steps=()  # "name|status|seconds|detail", in order.

. "$here/share/gpu_check_steps.sh"

if [ "$quick" = 1 ]; then
  epochs=(--epochs 1 --synth_train_per_class 2 --synth_val_per_class 1)
  bench=(--benchmark_min_time=0.01 --benchmark_repetitions=1)
  # The CPU suite registers batches 2 and 8 for training, 1 and 8 for inference.
  train_filter="BM_TrainStep/bregnext_emotion_gcn/bs:2/$device/(fp32/contiguous|bf16/channels_last)"
  forward_filter="BM_Forward/bregnext_emotion_gcn/bs:1/$device/fp32/contiguous"
  eager=(--models bregnext_emotion_gcn --batches 2 --pairs fp32:contiguous,bf16:channels_last --warmup 1 --iterations 1 --repetitions 1)
  defaults=(build_info=30 versions=60 gpu_test=120 throughput_train=120 eager=120 throughput_forward=60
            train_fp32=240 render_fp32=30 train_bf16_cl=240 render_bf16_cl=30)
else
  bench=(--benchmark_min_time=0.2 --benchmark_repetitions=3)
  epochs=()
  if [ "$grid" = full ]; then
    train_filter="BM_TrainStep/.*/bs:(35|128)/$device/"
    forward_filter="BM_Forward/.*/bs:(35|128)/$device/"
    eager=(--batches 35,128 --precisions fp32,bf16,fp16 --formats contiguous,channels_last --warmup 2 --iterations 5)
  else
    train_filter="BM_TrainStep/.*/bs:(35|128)/$device/(fp32/contiguous|bf16/channels_last)"
    forward_filter="BM_Forward/.*/bs:128/$device/(fp32/contiguous|bf16/channels_last)"
    eager=(--batches 35,128 --pairs fp32:contiguous,bf16:channels_last --warmup 2 --iterations 5)
  fi
  # Caps, not estimates: each sized at about twice what the step should take on an H200.
  defaults=(build_info=30 versions=60 gpu_test=120 throughput_train=180 eager=150 throughput_forward=60
            train_fp32=120 render_fp32=30 train_bf16_cl=120 render_bf16_cl=30)
fi
for d in "${defaults[@]}"; do [ -n "${limit[${d%%=*}]:-}" ] || limit[${d%%=*}]=${d#*=}; done
publish_summary

step build_info 5 "$here/bin/build_info"
step versions 5 bash -c 'command -v nvidia-smi > /dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  "$0" -c "import torch; print(\"python torch\", torch.__version__, \"cuda\", torch.version.cuda, \"cudnn\", torch.backends.cudnn.version(), \"device\", torch.cuda.get_device_name(0) if torch.cuda.is_available() else \"none\")"' "$python"
step gpu_test 10 "$here/bin/gpu_test" --durations yes
step throughput_train 20 "$here/bin/throughput" --db "$scratch/gpu.db" --label "$device-train" --device "$device" \
  --benchmark_filter="$train_filter" "${bench[@]}"
publish_tables
step eager 20 "$python" "$here/share/gpu_python_eager.py" --device "$device" --out "$scratch/eager.csv" "${eager[@]}"
publish_tables
step throughput_forward 10 "$here/bin/throughput" --db "$scratch/gpu.db" --label "$device-forward" --device "$device" \
  --benchmark_filter="$forward_filter" "${bench[@]}"
publish_tables
# One store per precision: report rows group by dataset, backbone, model and schedule only (#16),
# so fp32 and bf16 runs in one store would be averaged into one row. Each suite has its own
# checkpoint folder.
for suite in fp32 bf16_cl; do
  flags=()
  [ "$suite" = bf16_cl ] && flags=(--precision bf16 --channels_last)
  mkdir -p "$scratch/train_$suite"
  step "train_$suite" 30 "$here/bin/ablation_affectnet" --device "$device" --db "$scratch/train_$suite/results.db" \
    --checkpoint_dir "$scratch/train_$suite/checkpoints" "${flags[@]}" "${epochs[@]}"
  step_if "$scratch/train_$suite/results.db" "no store: train_$suite did not run" "render_$suite" 5 \
    "$here/bin/render" --db "$scratch/train_$suite/results.db" --out "$scratch/train_$suite/report.md" --no_details
  [ -f "$scratch/train_$suite/report.md" ] && publish "$scratch/train_$suite/report.md" "report_$suite.md"
done
publish_tables
publish_summary
cat "$out/summary.txt"
exit $failed
