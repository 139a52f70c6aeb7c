# Sourced by gpu_check_bundle.sh: runs each step under its time limit and publishes into OUT
# only files that the GPU machine's return rules let come back, each written under a temporary
# name and renamed, so that a call cut off at any moment returns complete files.
# Uses: here out scratch budget reserve start limit[] device python quick grid failed.

planned=(build_info versions gpu_test throughput_train eager throughput_forward train_fp32 render_fp32 train_bf16_cl
         render_bf16_cl)
declare -A status=() seconds=() detail=()

publish() {  # SRC NAME: copies SRC to OUT/NAME atomically.
  cp "$1" "$out/.$2.tmp" && mv -f "$out/.$2.tmp" "$out/$2"
}

publish_summary() {
  local f="$scratch/summary.txt" name
  {
    echo "emogcn-bench GPU check, $(date -u +%Y-%m-%dT%H:%M:%SZ), device $device, budget ${budget} s" \
         "($([ "$quick" = 1 ] && echo "quick CPU rehearsal" || echo "grid $grid"))"
    [ -s "$scratch/logs/build_info.log" ] && sed -n '1,12p' "$scratch/logs/build_info.log" | sed 's/^/build_info: /'
    [ -s "$scratch/logs/versions.log" ] && sed 's/^/versions: /' "$scratch/logs/versions.log" | head -5
    printf '%-20s %-9s %7s  %s\n' step status seconds detail
    for name in "${planned[@]}"; do
      printf '%-20s %-9s %7s  %s\n' "$name" "${status[$name]:-pending}" "${seconds[$name]:--}" "${detail[$name]:-}"
    done
    echo "elapsed $((SECONDS - start)) s of the ${budget} s budget"
    for name in "${planned[@]}"; do
      case "${status[$name]:-}" in FAILED | TIMEOUT)
        echo "--- $name: last lines of logs/$name.log"
        tail -12 "$scratch/logs/$name.log" 2> /dev/null | cut -c1-300 | sed 's/^/   | /'
      esac
    done
  } > "$f"
  publish "$f" summary.txt
}

publish_archive() {  # The stores (with their WAL), CSVs and logs; never checkpoints or the cache.
  local list=() a="$scratch/results.tar.gz"
  (cd "$scratch" && find . -path ./cache -prune -o -path '*/checkpoints' -prune -o -type f \
     \( -name '*.db' -o -name '*.db-wal' -o -name '*.csv' -o -name '*.log' -o -name '*.md' -o -name summary.txt \) \
     -print | sed 's|^\./||' | sort) > "$scratch/.archive_list"
  tar -czf "$a" -C "$scratch" -T "$scratch/.archive_list" 2> /dev/null
  if [ "$(stat -c %s "$a" 2> /dev/null || echo 0)" -gt $((15 * 1024 * 1024)) ]; then
    # Over the 16 MiB a file may have: the stores, the eager CSV and each log's last 256 KiB.
    mkdir -p "$scratch/.short/logs"
    for log in "$scratch"/logs/*.log; do tail -c 262144 "$log" > "$scratch/.short/logs/$(basename "$log")"; done
    (cd "$scratch" && grep -E '\.db(-wal)?$|\.csv$' .archive_list) > "$scratch/.archive_list_short"
    tar -czf "$a" -C "$scratch" -T "$scratch/.archive_list_short" -C "$scratch/.short" logs 2> /dev/null
  fi
  publish "$a" results.tar.gz
}

publish_tables() {
  timeout -k 5 60 "$here/bin/gpu_tables" --db "$scratch/gpu.db" --eager "$scratch/eager.csv" \
    --out "$scratch/gpu_tables.md" > /dev/null 2>> "$scratch/logs/tables.log" &&
    publish "$scratch/gpu_tables.md" gpu_tables.md
}

finish_step() {  # NAME STATUS SECONDS DETAIL
  status[$1]=$2
  seconds[$1]=$3
  detail[$1]=$4
  [ "$2" = ok ] || failed=1
  echo "   $2 ($3 s) $4"
  publish_summary
  publish_archive
}

# step NAME MIN_SECONDS COMMAND...: runs COMMAND under min(its limit, the budget left); skips it
# when less than MIN_SECONDS are left. SIGTERM at the limit, SIGKILL 10 s later; timeout(1) runs
# the command in a process group of its own, so children (a suite's runs) go too.
step() {
  local name=$1 min=$2
  shift 2
  local left=$((budget - (SECONDS - start) - reserve)) cap=${limit[$name]}
  if [ "$left" -lt "$min" ]; then
    echo "== $name"
    finish_step "$name" SKIPPED 0 "budget: $((left < 0 ? 0 : left)) s left of ${budget} s, it needs at least ${min} s"
    return
  fi
  local t=$((cap < left ? cap : left)) t0=$SECONDS rc
  echo "== $name (time limit $t s)"
  timeout -k 10 "$t" "$@" > "$scratch/logs/$name.log" 2>&1 < /dev/null
  rc=$?
  local dt=$((SECONDS - t0))
  if [ "$rc" -eq 0 ]; then
    finish_step "$name" ok "$dt" ""
  elif { [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; } && [ "$dt" -ge "$t" ]; then
    finish_step "$name" TIMEOUT "$dt" "cut at $t s ($([ "$t" -lt "$cap" ] && echo "the budget left" || echo "its limit"))"
  else
    finish_step "$name" FAILED "$dt" "exit $rc"
  fi
}

# A step that needs an earlier one's output: skipped, with the reason, when it is missing.
step_if() {  # FILE REASON NAME MIN COMMAND...
  local file=$1 reason=$2
  shift 2
  if [ -e "$file" ]; then
    step "$@"
  else
    echo "== $1"
    finish_step "$1" SKIPPED 0 "$reason"
  fi
}
