// The project's two deterministic primitives, in one place: FNV-1a 64 (content digests, config
// hashes, seeds from words) and splitmix64 (every seeded stream: augmentation, synthetic faces,
// fallback embeddings, bootstrap resampling). Identical results on every platform.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace fer {

constexpr uint64_t kFnvOffset = 1469598103934665603ull;

/// FNV-1a 64 of bytes, continuing from `h` (so several pieces can be chained).
inline uint64_t fnv1a(const void* data, size_t n, uint64_t h = kFnvOffset) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}
inline uint64_t fnv1a(std::string_view s) { return fnv1a(s.data(), s.size()); }

/// FNV-1a 64 of `s` as 16 lower-case hex digits (config hashes, configuration ids, cache keys).
inline std::string fnv1a_hex(std::string_view s) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(fnv1a(s)));
  return buf;
}

/// Advances `state` and returns the next splitmix64 output.
inline uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// Uniform double in [0, 1) from the next 53 bits of the stream.
inline double uniform01(uint64_t& state) {
  return static_cast<double>(splitmix64(state) >> 11) * 0x1.0p-53;
}

}  // namespace fer
