#include "core/error.h"

#include <sstream>

namespace fer {

std::string format_location(const std::string& path, int64_t line, const std::string& field,
                            const std::string& message) {
  std::string out = path;
  if (line > 0) out += ":" + std::to_string(line);
  if (!out.empty()) out += ": ";
  if (!field.empty()) out += "field '" + field + "': ";
  return out + message;
}

void check_flag_range(const std::string& flag, double value, double min, double max) {
  if (value >= min && value <= max) return;
  auto text = [](double v) {
    std::ostringstream out;
    out << v;
    return out.str();
  };
  throw Error(
      "check options", "", 0, flag,
      "--" + flag + " must be in [" + text(min) + ", " + text(max) + "], got " + text(value));
}

Error::Error(std::string operation, std::string path, int64_t line, std::string field,
             const std::string& message)
    : std::runtime_error(operation + ": " + format_location(path, line, field, message)),
      operation_(std::move(operation)),
      path_(std::move(path)),
      line_(line),
      field_(std::move(field)),
      detail_(message) {}

}  // namespace fer
