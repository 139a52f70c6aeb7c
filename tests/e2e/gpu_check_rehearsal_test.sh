#!/usr/bin/env bash
# The GPU check's CPU rehearsal (tools/gpu_check_bundle.sh --quick) from a built bundle moved out
# of the workspace, with a bare environment, and with an injected hanging step: bin/gpu_test is
# replaced by a program that ignores SIGTERM and sleeps. Asserts the GPU machine's return rules on
# OUT (at most 8 files of at most 16 MiB, none deeper than OUT/a/b, names of letters, digits,
# '.', '_', '-'), exactly the five files the check promises, every table, the hanging step cut at
# its limit while every other step completes, separate checkpoint folders per suite in the scratch
# folder, and a budget too small for anything skipping every step with its reason.
set -euo pipefail
work=$(mktemp -d /tmp/emogcn-gpu-rehearsal.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

tools/bundle "$work/built" > "$work/bundle.log" 2>&1 || { cat "$work/bundle.log"; exit 1; }
mkdir -p "$work/outside"
mv "$work/built" "$work/outside/bundle"
b="$work/outside/bundle"
printf '#!/bin/sh\ntrap "" TERM\necho "hanging on purpose"\nsleep 600\n' > "$b/bin/gpu_test"
cd "$work/outside"
bare=(env -i PATH=/usr/bin:/bin HOME="$work/home" EMOGCN_GPU_CHECK_DEVICE=cpu)

out="$work/outside/OUT"
set +e
# Two CPU cores run the GPU's steps slowly (the quick training benchmarks, fp32 and emulated
# bf16, took 103 s of their 120 on a 2-core AVX2 EPYC, beside other tests), so the rehearsal,
# which checks the harness and not the speed, gives that step and the whole check more time.
"${bare[@]}" "$b/share/gpu_check_bundle.sh" "$out" --quick --timeout gpu_test=5 --scratch "$work/scratch" \
  --budget 660 --timeout throughput_train=240 \
  > "$work/check.log" 2>&1
rc=$?
set -e
cat "$work/check.log"
[ "$rc" -eq 1 ] || fail "exit $rc, expected 1 (one step timed out)"

# The return rules, by construction.
files=$(find "$out" -type f | wc -l)
[ "$files" -le 8 ] || fail "$files files in OUT"
[ -z "$(find "$out" -mindepth 3)" ] || fail "OUT has entries deeper than OUT/a/b: $(find "$out" -mindepth 3 | head -3)"
[ -z "$(find "$out" -type f -size +16M)" ] || fail "a file over 16 MiB: $(find "$out" -type f -size +16M)"
bad=$(cd "$out" && find . -mindepth 1 | sed 's|^\./||' | tr '/' '\n' | grep -v '^[A-Za-z0-9._-]*$' || true)
[ -z "$bad" ] || fail "names outside the allowed characters: $bad"
[ "$(cd "$out" && ls -A | sort | tr '\n' ' ')" = "gpu_tables.md report_bf16_cl.md report_fp32.md results.tar.gz summary.txt " ] ||
  fail "OUT holds: $(ls -A "$out" | tr '\n' ' ')"

# The hanging step is cut at its limit; every other step completes.
s="$out/summary.txt"
cat "$s"
grep -Eq '^gpu_test +TIMEOUT +([5-9]|1[0-9]) +cut at 5 s \(its limit\)' "$s" || fail "gpu_test was not cut at 5 s"
for name in build_info versions throughput_train eager throughput_forward train_fp32 render_fp32 train_bf16_cl render_bf16_cl; do
  grep -Eq "^$name +ok " "$s" || fail "$name did not complete"
done
grep -q "^build_info: LibTorch " "$s" || fail "the summary names no LibTorch"
grep -q "^versions: python torch " "$s" || fail "the summary names no Python torch"
[ -z "$(pgrep -f "$b/bin/gpu_test" || true)" ] || fail "the hanging step survived its limit"

# Every table.
t="$out/gpu_tables.md"
cat "$t"
grep -Eq '^\| bregnext_emotion_gcn \| 2 \| fp32 \| contiguous \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \|$' "$t" ||
  fail "no C++/eager ratio for the fp32 training step"
grep -Eq '^\| bregnext_emotion_gcn \| 2 \| bf16 \| channels_last \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \|$' "$t" ||
  fail "no C++/eager ratio for the bf16 channels-last training step"
grep -q "^## The fastest C++ configuration against the reference recipe" "$t" || fail "no reference-recipe table"
grep -Eq '^\| bregnext_emotion_gcn \| 1 \| fp32 \| contiguous \| [0-9.]+ \| [0-9.]+ \|$' "$t" || fail "no inference table"
for r in report_fp32 report_bf16_cl; do
  grep -q "66.46" "$out/$r.md" || fail "$r.md lacks the paper table"
done

# The archive: stores, logs and CSVs; no checkpoint, no image.
tar -tzf "$out/results.tar.gz" > "$work/archive.txt"
for f in gpu.db eager.csv logs/gpu_test.log logs/train_fp32.log train_fp32/results.db train_bf16_cl/results.db summary.txt; do
  grep -qx "$f" "$work/archive.txt" || fail "the archive lacks $f"
done
! grep -Eq '\.(pth|pt|jpg|png)$' "$work/archive.txt" || fail "the archive holds checkpoints or images"

# Scratch: the data cache and each suite's own checkpoints, outside OUT.
[ -d "$work/scratch/cache" ] || fail "no data cache in the scratch folder"
for suite in fp32 bf16_cl; do
  n=$(find "$work/scratch/train_$suite/checkpoints" -name '*.best.pth' | wc -l)
  [ "$n" -eq 6 ] || fail "train_$suite has $n best checkpoints in its own folder, expected 6"
done

# A budget too small for anything: every step skipped with its reason, the files still there.
set +e
"${bare[@]}" "$b/share/gpu_check_bundle.sh" "$work/outside/OUT2" --quick --budget 0 --scratch "$work/scratch2" \
  > "$work/check2.log" 2>&1
rc=$?
set -e
[ "$rc" -eq 1 ] || { cat "$work/check2.log"; fail "budget 0: exit $rc"; }
[ "$(grep -c ' SKIPPED .*budget: 0 s left of 0 s' "$work/outside/OUT2/summary.txt")" -eq 8 ] ||
  { cat "$work/outside/OUT2/summary.txt"; fail "budget 0: not every step skipped for the budget"; }
grep -Eq '^render_fp32 +SKIPPED .*no store: train_fp32 did not run' "$work/outside/OUT2/summary.txt" ||
  fail "budget 0: render_fp32 not skipped for its missing store"
grep -q "No result store" "$work/outside/OUT2/gpu_tables.md" || fail "budget 0: no tables note"
echo "GPU check rehearsal passed"
