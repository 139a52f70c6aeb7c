#!/usr/bin/env bash
# The data-parallel scaling benchmark executes (issue #11): every mode runs in fresh processes
# (2 ranks on loopback) and the table has its four rows with positive rates and the all-reduce
# cost line; options out of range are errors naming the field. Speed itself is not asserted.
set -euo pipefail
bench=experiments/scaling_benchmark
work="${TEST_TMPDIR:-$(mktemp -d)}/scaling"
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }

"$bench" --backbone bregnext --input_size 16 --batch 2 --steps 1 --warmup 0 > "$work/table.md" 2>&1 ||
  { cat "$work/table.md"; fail "the benchmark failed"; }
cat "$work/table.md"
grep -q "^| bregnext single_task at 16 px, global batch 4 | images/s | ms/step | vs 1 rank |$" "$work/table.md" ||
  fail "no table header"
for mode in "1 rank x 2 thread(s)" "2 ranks x 1 thread(s), all-reduce overlapping backward" \
            "2 ranks x 1 thread(s), one all-reduce after backward" \
            "2 ranks x 1 thread(s), no gradient exchange (compute only)"; do
  row=$(grep -F "| $mode |" "$work/table.md") || fail "no row for '$mode'"
  rate=$(echo "$row" | awk -F'|' '{print $3}')
  awk -v r="$rate" 'BEGIN { exit !(r > 0) }' || fail "'$mode': images/s must be positive, got '$rate'"
done
grep -q "^| 1 rank x 2 thread(s) | .* | 1.00x |$" "$work/table.md" || fail "the peer's ratio must be 1.00x"
grep -q "^all-reduce cost per step: -\?[0-9]* ms after backward, -\?[0-9]* ms overlapping" "$work/table.md" ||
  fail "no all-reduce cost line"

for bad in "--ranks 1:ranks" "--input_size 8:input_size" "--steps 0:steps" "--model none:backbone/model"; do
  set +e
  "$bench" ${bad%%:*} > "$work/bad.log" 2>&1
  rc=$?
  set -e
  [ "$rc" -eq 2 ] && grep -q "field '${bad##*:}'" "$work/bad.log" || { cat "$work/bad.log"; fail "'${bad%%:*}' must exit 2 naming the field"; }
done
echo "scaling smoke test passed"
