// Validation reports of the readers: printing them, and turning malformed rows into errors
// unless the user opted into skipping (then they are counted and listed, never silent).
#pragma once

#include <string>

#include "datasets/sample.h"

namespace fer::datasets {

/// Multi-line human-readable report: rows read, kept, dropped per code, defects per class
/// (datasets/sample.h's defect::) and every defective row or image.
std::string format_report(const SplitReport& report);

/// With BadRowPolicy::kError and at least one malformed row, throws fer::Error located at the
/// first one and listing up to 20 (with the total count).
void enforce_policy(const SplitReport& report, BadRowPolicy policy, const std::string& operation);

/// Appends one defective row to the report (defect: one of datasets/sample.h's defect::;
/// image: the image file it concerns, which the index cache watches, or "").
void add_error(SplitReport& report, const std::string& file, long line, const std::string& field,
               const std::string& message, const char* defect = defect::kMalformed,
               const std::string& image = "");

/// Rejects empty, absolute, and parent-escaping ("..") relative paths.
bool is_safe_relative_path(const std::string& path);

/// True when a regular file exists at path.
bool file_exists(const std::string& path);

}  // namespace fer::datasets
