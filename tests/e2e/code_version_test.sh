#!/usr/bin/env bash
# The code version that decides whether a finished configuration is skipped: stamped into the
# binaries at build time, and an exact identity of the tree (tools/workspace_status.sh).
set -euo pipefail
status="$PWD/tools/workspace_status.sh"
version() { "$status" "$1" | sed -n 's/^STABLE_EMOGCN_CODE_VERSION //p'; }
fail() { echo "FAIL: $*"; exit 1; }

# The binary carries a well-formed stamp, whatever directory it is started from.
stamp=$(cd / && "$OLDPWD/experiments/build_info" | sed -n 's/^code_version=//p')
echo "stamped: $stamp"
[[ "$stamp" =~ ^([0-9a-f]{40}(-dirty-[0-9a-f]{16})?|unknown)$ ]] || fail "malformed stamp '$stamp'"

command -v git > /dev/null || { echo "git missing: only the stamp format was checked"; exit 0; }
repo="${TEST_TMPDIR:-$(mktemp -d)}/repo"
rm -rf "$repo" && mkdir -p "$repo"
[ "$(version "$repo")" = unknown ] || fail "a directory outside git must be 'unknown'"
git -C "$repo" init -q
git -C "$repo" -c user.email=t@t -c user.name=t commit -q --allow-empty -m empty
printf 'a\n' > "$repo/train.cc"
printf 'ignored\n' > "$repo/ignored.log"
printf '*.log\n' > "$repo/.gitignore"
git -C "$repo" add train.cc .gitignore
git -C "$repo" -c user.email=t@t -c user.name=t commit -q -m one
sha=$(git -C "$repo" rev-parse HEAD)
[ "$(version "$repo")" = "$sha" ] || fail "a clean tree must be its commit (ignored files do not count)"

printf 'b\n' > "$repo/train.cc"
edit_b=$(version "$repo")
[[ "$edit_b" =~ ^$sha-dirty-[0-9a-f]{16}$ ]] || fail "an edit must give <sha>-dirty-<digest>, got $edit_b"
[ "$(version "$repo")" = "$edit_b" ] || fail "the same edit must give the same version"
printf 'c\n' > "$repo/train.cc"
edit_c=$(version "$repo")
[ "$edit_c" != "$edit_b" ] || fail "two different edits must give different versions"
printf 'b\n' > "$repo/train.cc"
[ "$(version "$repo")" = "$edit_b" ] || fail "returning to an edit must return to its version"
git -C "$repo" add train.cc
[ "$(version "$repo")" = "$edit_b" ] || fail "staging must not change the version"

printf 'new\n' > "$repo/new.cc"
with_new=$(version "$repo")
[ "$with_new" != "$edit_b" ] || fail "a new untracked file must change the version"
printf 'other\n' > "$repo/new.cc"
[ "$(version "$repo")" != "$with_new" ] || fail "the untracked file's content must count"
rm "$repo/new.cc"
printf 'notes\n' > "$repo/NOTES.md"
[ "$(version "$repo")" = "$edit_b" ] || fail "Markdown cannot change a result and must not change the version"
git -C "$repo" checkout -q -- train.cc 2> /dev/null || git -C "$repo" reset -q --hard
git -C "$repo" reset -q --hard
rm -f "$repo/NOTES.md"
[ "$(version "$repo")" = "$sha" ] || fail "a reverted tree must be its commit again"
echo "code version checks passed"
