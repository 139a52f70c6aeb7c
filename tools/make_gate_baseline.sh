#!/usr/bin/env bash
# Re-measures tests/testdata/gate_baseline.txt (or, with BAZEL=tools/libtorch2.sh,
# tests/testdata/gate_baseline_libtorch2.txt): trains the gate's configuration (the one in
# tests/e2e/gate_config.sh) with SEEDS seeds and writes value = mean, their sample std and count,
# tolerance 0.25 points, and the 3 runs a check makes (issue #32: a regression is a drop whose
# 95% t interval lies below the tolerance). Run from the workspace root; takes about SEEDS x 45 s on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${SEEDS:-6}
source tests/e2e/gate_config.sh
# BAZEL=tools/libtorch2.sh measures the LibTorch 2.x baseline (gate_baseline_libtorch2.txt).
bazel=${BAZEL:-bazel}
out=tests/testdata/gate_baseline.txt
[ "$bazel" = bazel ] || out=tests/testdata/gate_baseline_libtorch2.txt
work=$(mktemp -d)
export EMOGCN_CACHE="$work/cache"
$bazel build //experiments:runner //reports:check //experiments:build_info
bin=$($bazel info bazel-bin 2>/dev/null)
for ((s = 0; s < seeds; s++)); do
  "$bin/experiments/runner" "${gate_config[@]}" --seed "$s" --db "$work/seeds.db" | grep -E '^(finished|epoch [0-9]+/[0-9]+:)'
done
"$bin/reports/check" --db "$work/seeds.db" --write_baseline "$out" \
  --metrics accuracy,macro_f1 --tolerance 0.0025 --check_seeds 3
{
  echo "# measured by tools/make_gate_baseline.sh over $seeds seeds on $(nproc) cores, $(date -u +%Y-%m-%d)"
  echo "# $("$bin/experiments/build_info" | head -1)"
  echo "# config: ${gate_config[*]}"
  cat "$out"
} > "$work/baseline" && mv "$work/baseline" "$out"
cat "$out"
