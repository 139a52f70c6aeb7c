#include "reports/sample_blob.h"

#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "core/error.h"

namespace fer::reports {
namespace {

constexpr char kMagic[4] = {'F', 'E', 'R', 'S'};
constexpr uint32_t kLayout = 1;

static_assert(sizeof(float) == 4, "float32 is four bytes");

// Little-endian writes and reads of plain values (this code runs on little-endian x86-64 and
// arm64; a big-endian host would need byte swaps here).
template <typename T>
void put(std::string& out, const T* values, size_t n) {
  out.append(reinterpret_cast<const char*>(values), n * sizeof(T));
}

class Reader {
 public:
  Reader(const std::string& bytes, const std::string& where) : bytes_(bytes), where_(where) {}

  template <typename T>
  void get(T* values, size_t n, const char* field) {
    const size_t size = n * sizeof(T);
    if (bytes_.size() - at_ < size) {
      throw Error("read per-sample outputs", where_, 0, field, "truncated BLOB");
    }
    std::memcpy(values, bytes_.data() + at_, size);
    at_ += size;
  }
  bool done() const { return at_ == bytes_.size(); }

 private:
  const std::string& bytes_;
  const std::string& where_;
  size_t at_ = 0;
};

template <typename To, typename From>
std::vector<To> narrowed(const std::vector<From>& values) {
  return std::vector<To>(values.begin(), values.end());
}

}  // namespace

size_t sample_blob_bytes_per_sample(int num_classes, bool has_va) {
  return 4 + 1 + 1 + 4 * static_cast<size_t>(num_classes) + (has_va ? 16 : 0);
}

std::string encode_samples(const metrics::SampleRecord& r) {
  const size_t n = r.size(), k = static_cast<size_t>(r.num_classes);
  if (r.num_classes <= 0 || r.num_classes > 255) {
    throw std::invalid_argument("per-sample outputs: classes outside 1..255");
  }
  if (r.truth.size() != n || r.predicted.size() != n || r.probabilities.size() != n * k ||
      r.va_pred.size() != r.va_true.size() || (r.has_va() && r.va_pred.size() != 2 * n)) {
    throw std::invalid_argument("per-sample outputs: inconsistent sizes");
  }
  std::string out;
  out.reserve(20 + n * sample_blob_bytes_per_sample(r.num_classes, r.has_va()));
  const uint32_t header[4] = {kLayout, static_cast<uint32_t>(n), static_cast<uint32_t>(k),
                              r.has_va() ? 1u : 0u};
  put(out, kMagic, 4);
  put(out, header, 4);
  put(out, r.index.data(), n);
  const auto truth = narrowed<uint8_t>(r.truth), predicted = narrowed<uint8_t>(r.predicted);
  put(out, truth.data(), n);
  put(out, predicted.data(), n);
  put(out, r.probabilities.data(), n * k);
  if (r.has_va()) {
    put(out, r.va_pred.data(), 2 * n);
    put(out, r.va_true.data(), 2 * n);
  }
  return out;
}

metrics::SampleRecord decode_samples(const std::string& bytes, const std::string& where) {
  Reader in(bytes, where);
  char magic[4];
  in.get(magic, 4, "magic");
  if (std::memcmp(magic, kMagic, 4) != 0) {
    throw Error("read per-sample outputs", where, 0, "magic", "not a per-sample outputs BLOB");
  }
  uint32_t header[4];
  in.get(header, 4, "header");
  if (header[0] != kLayout) {
    throw Error("read per-sample outputs", where, 0, "layout",
                "layout " + std::to_string(header[0]) + " is not this program's " +
                    std::to_string(kLayout));
  }
  const size_t n = header[1], k = header[2];
  if (k == 0 || k > 255) throw Error("read per-sample outputs", where, 0, "classes", "not 1..255");
  // Refuse sizes the BLOB cannot hold before allocating them.
  if (n > bytes.size() / sample_blob_bytes_per_sample(static_cast<int>(k), header[3] != 0)) {
    throw Error("read per-sample outputs", where, 0, "count", "truncated BLOB");
  }
  metrics::SampleRecord r;
  r.num_classes = static_cast<int>(k);
  r.index.resize(n);
  in.get(r.index.data(), n, "index");
  std::vector<uint8_t> truth(n), predicted(n);
  in.get(truth.data(), n, "truth");
  in.get(predicted.data(), n, "predicted");
  r.truth = narrowed<int32_t>(truth);
  r.predicted = narrowed<int32_t>(predicted);
  r.probabilities.resize(n * k);
  in.get(r.probabilities.data(), n * k, "probabilities");
  if (header[3] != 0) {
    r.va_pred.resize(2 * n);
    r.va_true.resize(2 * n);
    in.get(r.va_pred.data(), 2 * n, "va_pred");
    in.get(r.va_true.data(), 2 * n, "va_true");
  }
  if (!in.done()) throw Error("read per-sample outputs", where, 0, "", "trailing bytes");
  for (size_t i = 0; i < n; ++i) {
    if (r.truth[i] >= r.num_classes || r.predicted[i] >= r.num_classes) {
      throw Error("read per-sample outputs", where, 0, "truth",
                  "sample " + std::to_string(i) + ": class outside the " + std::to_string(k));
    }
  }
  return r;
}

}  // namespace fer::reports
