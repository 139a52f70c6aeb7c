// JSON through nlohmann/json, with one canonical text per value: compact, keys sorted, and a
// finite integral number within +-2^53 always written as an integer ("1", never "1.0" or
// "1e+00"). Configurations are compared and hashed in this form, so text written by older
// versions (other number spellings, spaces) compares equal to text written now.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace fer {

/// A JSON number for `v`: an integer when v is integral and |v| <= 2^53, else a double
/// (NaN and infinities become null, as JSON has no spelling for them).
nlohmann::json json_number(double v);

/// `value` with every number normalised as json_number does (recursively).
nlohmann::json canonical(const nlohmann::json& value);

/// Parses `text`; throws fer::Error(operation, path, 0, field, ...) naming the parse error.
nlohmann::json parse_json(const std::string& text, const std::string& operation, const std::string& path,
                          const std::string& field);

/// The canonical compact text of the JSON `text` (see parse_json for errors).
std::string canonical_json(const std::string& text, const std::string& operation, const std::string& path,
                           const std::string& field);

}  // namespace fer
