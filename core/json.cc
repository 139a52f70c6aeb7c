#include "core/json.h"

#include <cmath>

#include "core/error.h"

namespace fer {

nlohmann::json json_number(double v) {
  if (!std::isfinite(v)) return nullptr;
  if (std::fabs(v) <= 0x1.0p53 && std::trunc(v) == v) return static_cast<int64_t>(v);
  return v;
}

nlohmann::json canonical(const nlohmann::json& value) {
  if (value.is_number_float()) return json_number(value.get<double>());
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, item] : value.items()) out[key] = canonical(item);
    return out;
  }
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : value) out.push_back(canonical(item));
    return out;
  }
  return value;
}

nlohmann::json parse_json(const std::string& text, const std::string& operation,
                          const std::string& path, const std::string& field) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(operation, path, 0, field,
                std::string("malformed JSON (") + e.what() + "): " + text.substr(0, 80));
  }
}

std::string canonical_json(const std::string& text, const std::string& operation,
                           const std::string& path, const std::string& field) {
  return canonical(parse_json(text, operation, path, field)).dump();
}

}  // namespace fer
