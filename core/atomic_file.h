// Whole-file writes that either complete or leave nothing: the bytes go to "<path>.tmp", are
// flushed and closed, then renamed over `path`. A failed write (disk full, I/O error, a folder
// that vanished) removes the temporary file, so no half-written .tmp is left behind.
#pragma once

#include <string>
#include <string_view>

namespace fer {

/// Writes `bytes` to `path` atomically (see above). Throws fer::Error(operation, path, ...)
/// naming the file and the system's reason (errno) on failure; `path` is then unchanged.
void write_file_atomically(const std::string& path, std::string_view bytes,
                           const std::string& operation);

}  // namespace fer
