#!/usr/bin/env bash
# Launcher of the ablation targets: runs the suite binary from this target's runfiles with the
# target's grid (filled in by experiments/ablations.bzl) and whatever the user passes after `--`.
set -euo pipefail
runfiles="${RUNFILES_DIR:-$0.runfiles}"
exec "$runfiles/emogcn_bench/experiments/suite" --ablations=@ABLATIONS@ --suite_name=@SUITE_NAME@ "$@"
