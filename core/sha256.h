// SHA-256 (FIPS 180-4) of files and byte strings: the identity of a checkpoint file in the result
// store, comparable with `sha256sum` and Python's hashlib.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fer {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t n);
  /// The digest as 64 lower-case hex digits; the object is spent afterwards.
  std::string hex_digest();

 private:
  void block(const uint8_t* p);
  uint32_t h_[8];
  uint8_t buffer_[64];
  size_t buffered_ = 0;
  uint64_t length_ = 0;  // Bytes.
};

/// SHA-256 of a byte string, as 64 hex digits.
std::string sha256_hex(std::string_view bytes);

/// SHA-256 of a file's bytes. Throws fer::Error naming the file when it cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace fer
