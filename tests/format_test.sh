#!/usr/bin/env bash
# Every C++ file of the project (each package's :cc_sources) is formatted as the committed
# .clang-format says (Google-based, 100 columns), with Debian 12's clang-format 14: any file it
# would change fails the test, naming the file and line. Fix with:
#   clang-format -i --style=file $(git ls-files '*.cc' '*.h')
# The check must be able to fail: a misformatted snippet is refused first.
set -euo pipefail
fail() { echo "FAIL: $*"; exit 1; }
command -v clang-format > /dev/null || fail "clang-format is not installed (run sudo ./setup.sh)"
[ -f .clang-format ] || fail "no .clang-format at the workspace root"
echo "$(clang-format --version)"

# The check itself: a file that breaks the style must be reported.
if printf 'int  f( int x ){return x;}\n' | clang-format --dry-run --Werror --style=file --assume-filename=core/x.cc 2> /dev/null; then
  fail "clang-format accepted a misformatted snippet: the check could never fail"
fi

mapfile -t files < <(find -L core datasets distributed experiments faces imaging metrics models reports stats third_party tests \
  training -type f \( -name '*.cc' -o -name '*.h' \) | sort)
[ "${#files[@]}" -ge 200 ] || fail "only ${#files[@]} C++ files found (the packages' :cc_sources must be data)"
bad=0
for f in "${files[@]}"; do
  clang-format --dry-run --Werror --style=file "$f" > /dev/null 2> "$TEST_TMPDIR/out" || {
    bad=$((bad + 1))
    head -5 "$TEST_TMPDIR/out"
  }
done
[ "$bad" -eq 0 ] || fail "$bad of ${#files[@]} files are not formatted as .clang-format says"
echo "format test passed: ${#files[@]} files"
