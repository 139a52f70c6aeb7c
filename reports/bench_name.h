// Names of the model benchmarks (models/models_benchmark.cc, experiments/train_step_benchmark.cc):
//   BM_<What>/<backbone>_<kind>/bs:<batch>/<device>/<precision>/<memory format>[/<suffix>...]
// Google Benchmark appends its own parts to a registered name: "/manual_time" for benchmarks that
// time themselves (UseManualTime, every model benchmark), "/real_time", "/iterations:N",
// "/repeats:N", "/threads:N". Those are kept apart so that tables and comparisons key on the case.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace fer::reports {

struct BenchName {
  std::string what;   // "Forward", "TrainStep" (the part after "BM_").
  std::string model;  // "densenet_emotion_gcn".
  int64_t batch = 0;
  std::string device;         // "cpu", "cuda", "cuda:1".
  std::string precision;      // "fp32", "bf16", "fp16".
  std::string memory_format;  // "contiguous", "channels_last".
  std::string
      suffix;  // Google Benchmark's parts, "" or "manual_time" or "iterations:5/manual_time".

  /// The case without Google Benchmark's suffix:
  /// BM_<what>/<model>/bs:<batch>/<device>/<precision>/<format>.
  std::string key() const;
};

/// The parts of a model benchmark's name; nullopt for any other benchmark (the pipeline's
/// BM_Decode, BM_Loader/..., malformed names). Never throws.
std::optional<BenchName> parse_bench_name(const std::string& name);

}  // namespace fer::reports
