#!/usr/bin/env bash
# End-to-end accuracy regression gate with the power to catch a moderate regression: trains the
# gate's configuration (tests/e2e/gate_config.sh) with the real runner and checks it with
# //reports:check against the committed baseline (value = mean over 6 seeds, tolerance = 3 x
# their sample std). Must pass. Then two worse runs, each a different configuration (so never a
# stand-in for the baseline's: exit 2 naming the field), compared on purpose with
# --ignore_fields, must each fail (exit 1):
#   - a learning rate ten times too small: a moderately worse run, it still learns (to about 71%),
#   - training labels permuted (a broken model).
# (30% label noise costs about 5 points: caught with both baselines on this machine, but inside
# LibTorch 2.11's tolerance by only 0.2 points, so it is measured in README, not asserted here.)
# An empty store exits 2, and so does a bad flag. Finally the three runs, merged into one store,
# are compared sample by sample with //reports:compare_runs: the good run is better than each
# worse one (supported), and each worse one against it is reversed.
set -euo pipefail
runner=experiments/runner
check=reports/check
merge=reports/merge
compare_runs=reports/compare_runs
work="${TEST_TMPDIR:-$(mktemp -d)}/gate"
rm -rf "$work" && mkdir -p "$work"
export EMOGCN_CACHE="$work/cache"
source tests/e2e/gate_config.sh

train_with() {  # name, the whole configuration
  local name=$1; shift
  "$runner" "$@" --seed 0 --db "$work/$name.db" > "$work/$name.log" 2>&1 || { cat "$work/$name.log"; exit 1; }
  grep "^finished" "$work/$name.log"
}
train() { local name=$1; shift; train_with "$name" "${gate_config[@]}" "$@"; }  # name, extra flags...
replaced() {  # flag, value: the gate's configuration with that flag's value replaced
  local i
  for ((i = 0; i < ${#gate_config[@]}; i++)); do
    echo "${gate_config[i]}"
    if [ "${gate_config[i]}" = "$1" ]; then echo "$2"; i=$((i + 1)); fi
  done
}
check_exit() {  # name, extra check flags...
  local name=$1; shift
  set +e
  "$check" --db "$work/$name.db" --baseline "$baseline" "$@" > "$work/$name.md" 2>&1
  local rc=$?
  set -e
  cat "$work/$name.md" >&2
  return $rc
}
expect() {  # want, name, what, extra check flags...
  local want=$1 name=$2 what=$3; shift 3
  local got=0
  check_exit "$name" "$@" || got=$?
  [ "$got" -eq "$want" ] || { echo "FAIL: $what (exit $got, want $want)"; exit 1; }
}

train good
# The result depends on the LibTorch's kernels (1.13 with OpenBLAS vs 2.x with MKL), so each
# major version has a baseline measured with it (tools/make_gate_baseline.sh).
if grep -q "^LibTorch 1\." "$work/good.log"; then
  baseline=tests/testdata/gate_baseline.txt
else
  baseline=tests/testdata/gate_baseline_libtorch2.txt
fi
echo "gate baseline: $baseline"
# The gate's power: its baseline was measured over at least 5 seeds whose accuracies spread by at
# most 2 points (sample std), so its tolerance (3 std) is at most 6 points.
spread=$(grep -E "^# synth-affectnet bregnext single_task smoke accuracy: [0-9]+ seeds, sample std " "$baseline") ||
  { echo "FAIL: $baseline states no measured accuracy spread"; exit 1; }
echo "$spread" | awk '{ n = $7 + 0; std = $11 + 0; if (n < 5 || std > 0.02) { print "FAIL: baseline spread " $0; exit 1 } }'
expect 0 good "the unmodified model must pass the gate"
set +e
"$check" --db "$work/good.db" --baseline "$baseline" --k nan > "$work/bad_flag.log" 2>&1
bad_flag=$?
"$check" --db "$work/empty.db" --baseline "$baseline" > "$work/empty.md" 2>&1
missing_file=$?
set -e
[ "$bad_flag" -eq 2 ] && grep -q -- "--k must be in" "$work/bad_flag.log" || { echo "FAIL: check --k nan must exit 2 naming --k"; cat "$work/bad_flag.log"; exit 1; }
[ "$missing_file" -eq 2 ] || { echo "FAIL: a missing database must exit 2 (got $missing_file)"; exit 1; }

# A moderately worse run: still learning, but less.
mapfile -t slow_config < <(replaced --lr 0.001)
train_with slow "${slow_config[@]}"
expect 2 slow "a run with another learning rate must never stand in for the baseline's configuration"
grep -q "lr (baseline 0.01, store 0.001)" "$work/slow.md" || { echo "FAIL: the gate must name the field that differs"; exit 1; }
expect 1 slow "a learning rate ten times too small must be a regression" --ignore_fields lr
# A broken model.
train broken --shuffle_train_labels
expect 2 broken "a broken run must never stand in for the baseline's configuration"
grep -q "shuffle_train_labels (baseline false, store true)" "$work/broken.md" || { echo "FAIL: the gate must name the field that differs"; exit 1; }
expect 1 broken "a model trained on shuffled labels must be a regression" --ignore_fields shuffle_train_labels
grep -q REGRESSION "$work/broken.md"

# The same three runs compared sample by sample (issue #32; //reports:compare_runs on the merged
# store): the good run beats both worse ones (supported), and the other way round is reversed.
"$merge" --out "$work/all.db" "$work/good.db" "$work/slow.db" "$work/broken.db" > "$work/merge.log" 2>&1 ||
  { cat "$work/merge.log"; exit 1; }
verdict() {  # baseline run, candidate run, expected verdict
  "$compare_runs" --db "$work/all.db" --baseline "run:$1" --candidate "run:$2" > "$work/compare_$1_$2.md" 2>&1 ||
    { cat "$work/compare_$1_$2.md"; echo "FAIL: compare_runs run:$1 run:$2"; exit 1; }
  grep -q "Verdict on accuracy .*\*\*$3\*\*" "$work/compare_$1_$2.md" ||
    { cat "$work/compare_$1_$2.md"; echo "FAIL: run $2 against run $1 must be $3"; exit 1; }
}
verdict 2 1 supported  # Runs 1, 2, 3: good, lr / 10, shuffled labels (merged in that order).
verdict 3 1 supported
verdict 1 2 reversed
verdict 1 3 reversed
grep -q "McNemar's exact test on accuracy" "$work/compare_3_1.md"
echo "gate self-test passed: the good run passes; lr / 10 and shuffled labels fail and are worse sample by sample; missing data exits 2"
