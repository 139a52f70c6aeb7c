// The project's error type for files, rows, databases and command lines: it carries the
// operation, the path, the line and the field so a message always says where input went wrong.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

namespace fer {

class Error : public std::runtime_error {
 public:
  /// operation: what was being done ("read AffectNet CSV"); path: file or database;
  /// line: 1-based line number or 0 when not applicable; field: column or option name or "".
  Error(std::string operation, std::string path, int64_t line, std::string field,
        const std::string& message);

  const std::string& operation() const { return operation_; }
  const std::string& path() const { return path_; }
  int64_t line() const { return line_; }
  const std::string& field() const { return field_; }
  /// The message without the location prefix.
  const std::string& detail() const { return detail_; }

 private:
  std::string operation_, path_;
  int64_t line_;
  std::string field_, detail_;
};

/// Work stopped on request (Ctrl-C or SIGTERM) before it was done; nothing was written. Only
/// main() turns it into an exit code (130).
class Interrupted : public Error {
 public:
  Interrupted(std::string operation, std::string path, const std::string& message)
      : Error(std::move(operation), std::move(path), 0, "", message) {}
};

/// For command-line flags: throws Error("check options", "", 0, flag, "--flag must be in [min,
/// max], got value") unless min <= value <= max (NaN is always outside).
void check_flag_range(const std::string& flag, double value, double min, double max);

/// "path:line: field 'name': message" (parts omitted when empty/0).
std::string format_location(const std::string& path, int64_t line, const std::string& field,
                            const std::string& message);

}  // namespace fer
