#!/usr/bin/env bash
# Re-measures tests/testdata/gate_baseline.txt: trains the gate's configuration (the one in
# tests/regression_gate_test.sh) with SEEDS seeds and writes value = mean, tolerance = 3 x the
# sample std over seeds. Run from the workspace root; takes about SEEDS x 45 s on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${SEEDS:-6}
work=$(mktemp -d)
export EMOGCN_CACHE="$work/cache"
bazel build //experiments:runner //reports:check
config=(--dataset synth-affectnet --backbone densenet --model single_task --schedule smoke
        --input_size 48 --epochs 6 --lr 0.003 --lr_step 5 --threads 2 --workers 2)
for ((s = 0; s < seeds; s++)); do
  bazel-bin/experiments/runner "${config[@]}" --seed "$s" --db "$work/seeds.db" | grep -E '^(finished|epoch [0-9]+/[0-9]+:)'
done
bazel-bin/reports/check --db "$work/seeds.db" --write_baseline tests/testdata/gate_baseline.txt \
  --metrics accuracy,macro_f1 --k 3 --check_seeds 1
{
  echo "# measured by tools/make_gate_baseline.sh over $seeds seeds on $(nproc) cores, $(date -u +%Y-%m-%d)"
  echo "# config: ${config[*]}"
  cat tests/testdata/gate_baseline.txt
} > "$work/baseline" && mv "$work/baseline" tests/testdata/gate_baseline.txt
cat tests/testdata/gate_baseline.txt
