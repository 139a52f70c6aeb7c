// The one error policy of every binary's main() (STYLE.md: only main() chooses the exit code):
// a fer::Error (bad input: a file, a row, a flag) prints "PROGRAM: error: ..." and exits 2; any
// other exception prints the same and exits 1; otherwise the body's own exit code.
#pragma once

#include <functional>
#include <string>

namespace fer {

/// Runs `body` and returns its exit code, or 2 / 1 for a fer::Error / other std::exception
/// after printing "program: error: what" to stderr and calling `on_error(what)` (if given; it
/// must not throw).
int run_main(const std::string& program, const std::function<int()>& body,
             const std::function<void(const std::string&)>& on_error = nullptr);

}  // namespace fer
