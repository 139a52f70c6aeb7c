#include "datasets/csv.h"

#include <algorithm>
#include <boost/token_functions.hpp>
#include <boost/tokenizer.hpp>

namespace fer::datasets {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// Spaces and a trailing '\r' around an unquoted field are not part of it.
std::string trimmed(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

std::vector<std::string> split_record(const std::string& record) {
  // No escape character: RFC 4180 has none (backslashes in paths stay backslashes).
  boost::escaped_list_separator<char> separator(std::string(), std::string(","), std::string("\""));
  boost::tokenizer<boost::escaped_list_separator<char>> tokens(record, separator);
  std::vector<std::string> fields;
  for (const auto& token : tokens) fields.push_back(trimmed(token));
  return fields;
}

}  // namespace

std::vector<CsvRecord> read_csv_records(std::string_view text) {
  if (text.substr(0, kUtf8Bom.size()) == kUtf8Bom) text.remove_prefix(kUtf8Bom.size());
  std::vector<CsvRecord> records;
  std::string pending;  // A record whose quoted field continues on the next line.
  long pending_line = 0, line = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view row = text.substr(start, end - start);
    if (!row.empty() && row.back() == '\r') row.remove_suffix(1);
    start = end + 1;
    ++line;
    if (pending.empty()) {
      if (row.find_first_not_of(" \t") == std::string_view::npos) continue;  // Blank line.
      pending_line = line;
      pending = std::string(row);
    } else {
      pending += '\n';
      pending += row;
    }
    if (std::count(pending.begin(), pending.end(), '"') % 2 != 0) continue;  // Quote still open.
    CsvRecord record;
    record.line = pending_line;
    try {
      record.fields = split_record(pending);
    } catch (const boost::escaped_list_error& e) {
      record.error = std::string("malformed quoting: ") + e.what();
    }
    records.push_back(std::move(record));
    pending.clear();
  }
  if (!pending.empty()) {
    CsvRecord record;
    record.line = pending_line;
    record.error = "a quoted field is not closed before the end of the file";
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace fer::datasets
