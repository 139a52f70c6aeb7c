// One run's per-sample validation outputs (metrics::SampleRecord) as the result store keeps them
// (issue #32): one BLOB per run in table run_samples, little-endian, column by column:
//   "FERS" magic, u32 layout (1), u32 N, u32 K, u32 has_va,
//   i32 index[N], u8 truth[N], u8 predicted[N], f32 probabilities[N*K], and with VA
//   f32 va_pred[N*2], f32 va_true[N*2].
// That is 6 + 4K (+ 16 with VA) bytes per sample: 50 for AffectNet's 7 classes with
// valence/arousal, 34 without; 3,999 AffectNet validation images take 195 KiB per run.
#pragma once

#include <string>

#include "metrics/records.h"

namespace fer::reports {

/// Bytes per sample of the layout above.
size_t sample_blob_bytes_per_sample(int num_classes, bool has_va);

/// Encodes `record`. Throws std::invalid_argument for inconsistent sizes or more than 255
/// classes (the classes are one byte each).
std::string encode_samples(const metrics::SampleRecord& record);

/// Decodes what encode_samples wrote. Throws fer::Error naming `where` (the store and run) and
/// the field for a truncated, foreign or inconsistent BLOB.
metrics::SampleRecord decode_samples(const std::string& bytes, const std::string& where);

}  // namespace fer::reports
