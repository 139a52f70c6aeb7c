// Small, fast text helpers shared by every package: whole-file reads, line and field splitting,
// strict number parsing (the whole field must be a number).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fer::text {

/// Reads a whole file; throws fer::Error naming the path if it cannot be read.
std::string read_file(const std::string& path, const std::string& operation);

/// Splits on `sep`, keeping empty fields.
std::vector<std::string_view> split(std::string_view text, char sep);

/// Strips a trailing '\r' (files written on Windows) and surrounding spaces.
std::string_view trim(std::string_view s);

/// Strict parses: nullopt unless the whole (trimmed) field is a finite number / integer.
std::optional<double> parse_double(std::string_view field);
std::optional<long> parse_int(std::string_view field);

/// Calls fn(line_number, line) for each line (1-based), without the line terminator.
template <typename Fn>
void for_each_line(std::string_view text, Fn&& fn) {
  size_t start = 0;
  long number = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    fn(++number, trim(text.substr(start, end - start)));
    start = end + 1;
  }
}

}  // namespace fer::text
