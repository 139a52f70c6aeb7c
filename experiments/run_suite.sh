#!/usr/bin/env bash
# Launcher of the ablation targets: runs the suite binary from this target's runfiles with the
# target's --ablations and whatever the user passes after `--`.
set -euo pipefail
runfiles="${RUNFILES_DIR:-$0.runfiles}"
exec "$runfiles/emogcn_bench/experiments/suite" "$@"
