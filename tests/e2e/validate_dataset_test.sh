#!/usr/bin/env bash
# //experiments:validate_dataset on the synthetic AffectNet set: a clean set exits 0; the preview
# and the loader timing go through the chain --preprocess names (auto: as the runner resolves it,
# fast for a synthetic set), so the reference chain's preview differs from the fast one's and
# auto's equals fast's; an unknown chain exits 2 naming the flag and the valid values.
set -euo pipefail
bin=experiments/validate_dataset
work="${TEST_TMPDIR:-$(mktemp -d)}/validate"
rm -rf "$work" && mkdir -p "$work"
common=(--dataset synth-affectnet --cache_dir "$work/cache")

"$bin" "${common[@]}" --preview "$work/fast.png" --preview_size 48 --preprocess fast > "$work/fast.log" 2>&1 || { cat "$work/fast.log"; exit 1; }
grep -q "kept" "$work/fast.log" || { echo "FAIL: no split report"; cat "$work/fast.log"; exit 1; }
"$bin" "${common[@]}" --preview "$work/reference.png" --preview_size 48 --preprocess reference > "$work/reference.log" 2>&1 ||
  { cat "$work/reference.log"; exit 1; }
"$bin" "${common[@]}" --preview "$work/auto.png" --preview_size 48 > "$work/auto.log" 2>&1 || { cat "$work/auto.log"; exit 1; }
[ -s "$work/fast.png" ] && [ -s "$work/reference.png" ] || { echo "FAIL: previews not written"; exit 1; }
if cmp -s "$work/fast.png" "$work/reference.png"; then
  echo "FAIL: the reference chain's preview equals the fast chain's"; exit 1
fi
cmp -s "$work/fast.png" "$work/auto.png" || { echo "FAIL: auto must be the fast chain for a synthetic set"; exit 1; }

"$bin" "${common[@]}" --throughput --preprocess reference --preview_size 32 > "$work/throughput.log" 2>&1 ||
  { cat "$work/throughput.log"; exit 1; }
grep -Eq "^loader: [0-9]+ images at 32 px with 2 worker\(s\), reference preprocessing" "$work/throughput.log" ||
  { echo "FAIL: the loader timing must name the reference chain"; cat "$work/throughput.log"; exit 1; }

set +e
"$bin" "${common[@]}" --preprocess bogus > "$work/bad.log" 2>&1
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q "preprocess" "$work/bad.log" && grep -q "valid: reference, fast, auto" "$work/bad.log" ||
  { echo "FAIL: --preprocess bogus must exit 2 naming the flag (exit $rc)"; cat "$work/bad.log"; exit 1; }
echo "validate_dataset: previews and loader timing follow --preprocess"
