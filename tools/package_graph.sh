#!/usr/bin/env bash
# Prints the project's package dependency graph, read from the BUILD files by `bazel query`, as a
# Mermaid flowchart (docs/architecture.md holds its output; GitHub renders it):
#
#   tools/package_graph.sh > /tmp/graph.md
#
# An edge P --> Q means some target of package P depends directly on a target of package Q.
# tests/ and tools/ are left out (they may use anything).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(core third_party imaging faces datasets models metrics stats reports distributed training experiments)
is_ours() { local p; for p in "${packages[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }

echo '```mermaid'
echo 'flowchart BT'
for p in "${packages[@]}"; do
  # Direct dependencies of the package's rules, as labels; keep our packages other than p.
  bazel query --noshow_progress "kind(rule, deps(//$p:all, 1))" 2>/dev/null |
    sed -n 's#^//\([a-z_]*\):.*#\1#p' | sort -u | while read -r q; do
      if [ "$q" != "$p" ] && is_ours "$q"; then echo "  $p --> $q"; fi
    done
done
echo '```'
