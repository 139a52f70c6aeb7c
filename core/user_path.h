// Paths a user typed on a command line. `bazel run` starts binaries in their runfiles tree, so
// a relative path would silently mean a file inside bazel-out; it means the directory the user
// ran `bazel run` from ($BUILD_WORKING_DIRECTORY), as it would for any other command.
#pragma once

#include <cstdlib>
#include <string>

namespace fer {

/// path unchanged when empty, absolute, or not under `bazel run`; else
/// $BUILD_WORKING_DIRECTORY/path.
inline std::string user_path(const std::string& path) {
  const char* cwd = std::getenv("BUILD_WORKING_DIRECTORY");
  if (path.empty() || path[0] == '/' || !cwd || !*cwd) return path;
  return std::string(cwd) + "/" + path;
}

}  // namespace fer
