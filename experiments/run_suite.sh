#!/usr/bin/env bash
# Launcher of the ablation targets: runs the suite binary from this target's runfiles with the
# target's grid (filled in by experiments/ablations.bzl) and whatever the user passes after `--`.
set -euo pipefail
runfiles="${RUNFILES_DIR:-$0.runfiles}"
# A grid with real GloVe 6B vectors fetches them first (once per machine; tools/fetch_glove6b.sh).
if [ "@FETCH_GLOVE@" = 1 ]; then
  "$runfiles/emogcn_bench/tools/fetch_glove6b.sh" > /dev/null
fi
# The target's runner flags for the synthetic twin (none for the paper grids).
defaults="@SYNTHETIC_DEFAULTS@"
exec "$runfiles/emogcn_bench/experiments/suite" --ablations=@ABLATIONS@ --suite_name=@SUITE_NAME@ \
  ${defaults:+"--synthetic_defaults=$defaults"} "$@"
