// The version of the code a binary was built from, stamped at build time from Bazel's workspace
// status (tools/workspace_status.sh): "<git sha>" for a committed tree, "<sha>-dirty-<digest>"
// for uncommitted edits (the digest identifies the edit), "unknown" outside git. A result is
// reused (its configuration skipped) only under a known, identical code version.
#pragma once

#include <string>

namespace fer::experiments {

/// The stamped version (never empty).
const char* stamped_code_version();

/// True when results made under `version` may be reused by a later run of the same version:
/// false for "unknown" and empty versions.
bool reusable_code_version(const std::string& version);

}  // namespace fer::experiments
