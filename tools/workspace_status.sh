#!/usr/bin/env bash
# Bazel's workspace status command (.bazelrc): stamps every binary with the code version that
# decides whether a finished configuration may be skipped (experiments/code_version.h).
#   <sha>                      the tree equals the commit (tracked and untracked files)
#   <sha>-dirty-<digest16>     uncommitted edits: sha256 of the diff against HEAD plus every
#                              untracked, not ignored file (path and bytes). The same edit gives
#                              the same digest; any other edit gives another one.
#   unknown                    not a git checkout (or git missing): results are never reused.
# Markdown files (*.md) are left out of the digest: they cannot change a result.
# Usage: tools/workspace_status.sh [DIR]   (DIR defaults to the current directory)
set -uo pipefail
dir="${1:-.}"
version=unknown
if command -v git > /dev/null 2>&1 && sha=$(git -C "$dir" rev-parse --verify -q HEAD 2> /dev/null); then
  digest=$(
    {
      git -C "$dir" diff --binary --no-ext-diff HEAD -- . ':(exclude)*.md' 2> /dev/null
      git -C "$dir" ls-files -z --others --exclude-standard -- . ':(exclude)*.md' 2> /dev/null |
        LC_ALL=C sort -z | while IFS= read -r -d '' f; do
          printf 'untracked %s\n' "$f"
          [ -L "$dir/$f" ] && readlink "$dir/$f" || cat "$dir/$f" 2> /dev/null
        done
    } | sha256sum | cut -c1-16
  )
  empty=$(printf '' | sha256sum | cut -c1-16)
  if [ "$digest" = "$empty" ]; then version="$sha"; else version="$sha-dirty-$digest"; fi
fi
echo "STABLE_EMOGCN_CODE_VERSION $version"
