#include "datasets/report.h"

#include <sys/stat.h>

#include <map>
#include <sstream>

#include "core/error.h"

namespace fer::datasets {

std::string format_report(const SplitReport& report) {
  std::ostringstream out;
  out << report.split << ": " << report.rows_read << " rows read, " << report.kept << " kept";
  for (const auto& [code, count] : report.dropped_by_code) {
    out << "\n  dropped (" << code << "): " << count;
  }
  std::map<std::string, int64_t> by_defect;
  for (const auto& e : report.errors) ++by_defect[e.defect];
  if (!report.errors.empty()) out << "\n  defective rows and images: " << report.errors.size();
  for (const auto& [defect, count] : by_defect) out << "\n    " << defect << ": " << count;
  for (const auto& e : report.errors) {
    out << "\n    [" << e.defect << "] " << format_location(e.file, e.line, e.field, e.message);
  }
  return out.str();
}

void enforce_policy(const SplitReport& report, BadRowPolicy policy, const std::string& operation) {
  if (policy == BadRowPolicy::kSkip || report.errors.empty()) return;
  const RowError& first = report.errors.front();
  std::ostringstream msg;
  msg << first.message << " [" << first.defect << "] (" << report.errors.size()
      << " malformed row(s) in split '" << report.split
      << "'; pass --skip_bad_rows to skip and list them)";
  const size_t shown = std::min<size_t>(report.errors.size(), 20);
  for (size_t i = 1; i < shown; ++i) {
    const RowError& e = report.errors[i];
    msg << "\n  [" << e.defect << "] " << format_location(e.file, e.line, e.field, e.message);
  }
  if (shown < report.errors.size())
    msg << "\n  ... and " << report.errors.size() - shown << " more";
  throw Error(operation, first.file, first.line, first.field, msg.str());
}

void add_error(SplitReport& report, const std::string& file, long line, const std::string& field,
               const std::string& message, const char* defect, const std::string& image) {
  report.errors.push_back({file, line, field, message, defect, image});
}

bool is_safe_relative_path(const std::string& path) {
  if (path.empty() || path.front() == '/') return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (path.compare(start, end - start, "..") == 0 && end - start == 2) return false;
    start = end + 1;
  }
  return true;
}

bool file_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace fer::datasets
