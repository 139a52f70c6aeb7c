#!/usr/bin/env bash
# End-to-end accuracy regression gate: trains a small deterministic synthetic configuration
# with the real runner, gates it with //reports:check against the committed baseline
# (tests/testdata/gate_baseline.txt: must pass), then a deliberately broken run (training labels
# shuffled): it is another configuration, so it never stands in for the baseline's (exit 2),
# and compared on purpose (--ignore_fields shuffle_train_labels) it is a regression (exit 1).
# An empty store exits 2.
set -euo pipefail
runner=experiments/runner
check=reports/check
work="${TEST_TMPDIR:-$(mktemp -d)}/gate"
rm -rf "$work" && mkdir -p "$work"
export EMOGCN_CACHE="$work/cache"

# Keep in step with the header of the baseline file (tools/make_gate_baseline.sh writes both).
config=(--dataset synth-affectnet --backbone densenet --model single_task --schedule smoke
        --input_size 48 --epochs 6 --lr 0.003 --lr_step 5 --threads 2 --workers 2)

"$runner" "${config[@]}" --seed 0 --db "$work/good.db" > "$work/good.log" 2>&1 || { cat "$work/good.log"; exit 1; }
# The seed-0 result depends on the LibTorch's kernels (1.13 with OpenBLAS vs 2.x with MKL), so each
# major version has a baseline measured with it (tools/make_gate_baseline.sh).
if grep -q "^LibTorch 1\." "$work/good.log"; then
  baseline=tests/testdata/gate_baseline.txt
else
  baseline=tests/testdata/gate_baseline_libtorch2.txt
fi
echo "gate baseline: $baseline"
set +e
"$check" --db "$work/good.db" --baseline "$baseline" | tee "$work/good.md"
good=${PIPESTATUS[0]}
set -e
set +e
"$check" --db "$work/good.db" --baseline "$baseline" --k nan > "$work/bad_flag.log" 2>&1
bad_flag=$?
set -e
[ "$bad_flag" -eq 2 ] && grep -q -- "--k must be in" "$work/bad_flag.log" || { echo "FAIL: check --k nan must exit 2 naming --k"; cat "$work/bad_flag.log"; exit 1; }
[ "$good" -eq 0 ] || { echo "FAIL: the unmodified model must pass the gate (exit $good)"; cat "$work/good.log"; exit 1; }

"$runner" "${config[@]}" --seed 0 --shuffle_train_labels --db "$work/broken.db" > "$work/broken.log" 2>&1 ||
  { cat "$work/broken.log"; exit 1; }
set +e
"$check" --db "$work/broken.db" --baseline "$baseline" | tee "$work/broken_exact.md"
broken_exact=${PIPESTATUS[0]}
"$check" --db "$work/broken.db" --baseline "$baseline" --ignore_fields shuffle_train_labels | tee "$work/broken.md"
broken=${PIPESTATUS[0]}
"$check" --db "$work/empty.db" --baseline "$baseline" > "$work/empty.md" 2>&1
missing_file=$?
set -e
[ "$broken_exact" -eq 2 ] || { echo "FAIL: a broken run must never stand in for the baseline's configuration (exit $broken_exact, want 2)"; exit 1; }
grep -q "shuffle_train_labels (baseline false, store true)" "$work/broken_exact.md" ||
  { echo "FAIL: the gate must name the field that differs"; exit 1; }
[ "$broken" -eq 1 ] || { echo "FAIL: a model trained on shuffled labels must be a regression (exit $broken, want 1)"; exit 1; }
grep -q REGRESSION "$work/broken.md"
[ "$missing_file" -eq 2 ] || { echo "FAIL: a missing database must exit 2 (got $missing_file)"; exit 1; }
echo "gate self-test passed: good run passes, broken run fails, missing data exits 2"
