#!/usr/bin/env bash
# The architecture as docs/architecture.md draws it is the one the BUILD files declare: the
# package graph (every "//pkg:target" a package's BUILD names, visibility lists and load()s aside)
# equals the Mermaid block that tools/package_graph.sh wrote from `bazel query`, edge for edge;
# and the layering holds: no cycle, and training (the engine) reaches neither experiments nor reports.
# After a BUILD change: tools/package_graph.sh, then paste its output into docs/architecture.md.
set -euo pipefail
fail() { echo "FAIL: $*"; exit 1; }

packages=(core third_party imaging faces datasets models metrics stats reports distributed training experiments)
pattern=$(IFS='|'; echo "${packages[*]}")

edges_of() {  # PACKAGE: the packages its BUILD depends on (sorted), as "P --> Q".
  grep -v '^load(' "$1/BUILD" | grep -o '"//[a-z_]*:[^"]*"' | grep -v '__pkg__\|__subpackages__' |
    sed 's#"//\([a-z_]*\):.*#\1#' | sort -u | grep -vx "$1" | grep -xE "$pattern" |
    sed "s/^/$1 --> /" || true
}

declared=$(for p in "${packages[@]}"; do edges_of "$p"; done)
[ "$(echo "$declared" | wc -l)" -ge 20 ] || fail "only $(echo "$declared" | wc -l) edges read: BUILD files missing from the test's data?"
drawn=$(sed -n '/^```mermaid$/,/^```$/p' docs/architecture.md | grep -- '-->' | sed 's/^ *//')
[ -n "$drawn" ] || fail "docs/architecture.md has no Mermaid package graph"
if [ "$declared" != "$drawn" ]; then
  diff <(echo "$declared") <(echo "$drawn") || true
  fail "docs/architecture.md's graph differs from the BUILD files (< BUILD, > docs): run tools/package_graph.sh"
fi

# The check must be able to fail: a drawn edge the BUILD files lack is refused.
[ "$declared" != "$(printf '%s\ntraining --> experiments' "$drawn")" ] || fail "the comparison cannot fail"

# Layering: the engine depends on neither the wiring above it nor the result store.
echo "$declared" | grep -Eq '^training --> (experiments|reports)$' && fail "training depends on experiments or reports"
# No cycle: repeatedly drop packages without outgoing edges; whatever remains is a cycle.
left="$declared"
for _ in "${packages[@]}"; do
  sinks=$(for p in "${packages[@]}"; do echo "$left" | grep -q "^$p --> " || echo "$p"; done)
  for s in $sinks; do left=$(echo "$left" | grep -v -- "--> $s$" || true); done
done
[ -z "$left" ] || fail "a dependency cycle among: $left"
echo "architecture test passed: $(echo "$declared" | wc -l) package edges, as drawn"
