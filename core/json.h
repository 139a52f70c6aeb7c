// JSON through nlohmann/json, with one canonical text per value: compact, keys sorted, and a
// finite integral number within +-2^53 always written as an integer ("1", never "1.0" or
// "1e+00"). Configurations are compared and hashed in this form, so text written by older
// versions (other number spellings, spaces) compares equal to text written now.
#pragma once

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fer {

/// A JSON number for `v`: an integer when v is integral and |v| <= 2^53, else a double
/// (NaN and infinities become null, as JSON has no spelling for them).
nlohmann::json json_number(double v);

/// `value` with every number normalised as json_number does (recursively).
nlohmann::json canonical(const nlohmann::json& value);

/// A JSON array of `values` as exact numbers (round-trip text, no integer rewriting, so the sign
/// of zero survives); NaN and infinities become null.
template <typename T>
nlohmann::json number_array(const std::vector<T>& values) {
  nlohmann::json out = nlohmann::json::array();
  for (T v : values) out.push_back(std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr));
  return out;
}

/// The numbers of a JSON array written by number_array (null reads back as NaN). Throws
/// nlohmann::json::exception when `array` is not an array of numbers and nulls.
template <typename T>
std::vector<T> numbers_of(const nlohmann::json& array) {
  std::vector<T> out;
  for (const auto& v : array)
    out.push_back(v.is_null() ? std::numeric_limits<T>::quiet_NaN() : v.get<T>());
  return out;
}

/// Parses `text`; throws fer::Error(operation, path, 0, field, ...) naming the parse error.
nlohmann::json parse_json(const std::string& text, const std::string& operation,
                          const std::string& path, const std::string& field);

/// The canonical compact text of the JSON `text` (see parse_json for errors).
std::string canonical_json(const std::string& text, const std::string& operation,
                           const std::string& path, const std::string& field);

}  // namespace fer
