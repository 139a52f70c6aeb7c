#include "training/options.h"

#include <cmath>
#include <stdexcept>

namespace fer::training {

namespace {

template <typename Enum, size_t N>
Enum parse_name(const std::string& what, const std::string& name,
                const std::pair<const char*, Enum> (&names)[N]) {
  std::string valid;
  for (const auto& [text, value] : names) {
    if (name == text) return value;
    valid += (valid.empty() ? "" : ", ") + std::string(text);
  }
  throw std::invalid_argument("unknown " + what + " '" + name + "' (valid: " + valid + ")");
}

constexpr std::pair<const char*, Precision> kPrecisions[] = {
    {"fp32", Precision::kFp32}, {"fp16", Precision::kFp16}, {"bf16", Precision::kBf16}};

}  // namespace

Precision parse_precision(const std::string& name) {
  return parse_name("precision", name, kPrecisions);
}

std::string to_string(Precision precision) {
  for (const auto& [text, value] : kPrecisions) {
    if (value == precision) return text;
  }
  return "?";
}

Preprocess parse_preprocess(const std::string& name) {
  constexpr std::pair<const char*, Preprocess> kNames[] = {{"reference", Preprocess::kReference},
                                                           {"fast", Preprocess::kFast}};
  return parse_name("preprocess", name, kNames);
}

Decode parse_decode(const std::string& name) {
  constexpr std::pair<const char*, Decode> kNames[] = {{"scaled", Decode::kScaled},
                                                       {"full", Decode::kFull}};
  return parse_name("decode", name, kNames);
}

double OptimOptions::lr_for(int64_t epoch) const {
  return lr * std::pow(lr_gamma, static_cast<double>(epoch / lr_step));
}

}  // namespace fer::training
