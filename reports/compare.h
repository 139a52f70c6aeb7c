// Throughput comparisons between two benchmark sessions (by label, session id, commit or
// device): per benchmark, the ratio of median images/s (candidate / baseline) with a 95%
// bootstrap confidence interval over the repetitions. Only changes whose interval excludes 1
// are marked; a significant slowdown beyond the threshold fails the comparison.
#pragma once

#include <string>
#include <vector>

#include "reports/store.h"

namespace fer::reports {

/// "label:NAME", "session:ID", "commit:SHA-prefix", "device:cpu|cuda..." -> the newest matching
/// session id. Throws fer::Error (field = selector) when nothing matches or the form is unknown.
int64_t select_session(Database& db, const std::string& selector);

struct Interval {
  double ratio = 1, low = 1, high = 1;
};

/// Ratio of medians candidate/baseline with a percentile bootstrap interval (resamples with
/// replacement, deterministic seed). Needs at least one sample on each side.
Interval bootstrap_ratio(const std::vector<double>& baseline, const std::vector<double>& candidate,
                         int resamples = 4000, double level = 0.95, uint64_t seed = 1);

struct CompareOptions {
  std::string baseline, candidate;  // Selectors.
  std::vector<std::string>
      ignore;               // Name components matched loosely: device, precision, memory_format.
  double threshold = 0.05;  // Slowdowns beyond 5% (significant) fail.
};

struct CompareResult {
  int exit_code = 0;  // 0 ok, 1 significant slowdown beyond the threshold, 2 nothing to compare.
  std::string markdown;
};

CompareResult compare_sessions(Database& db, const CompareOptions& options);

}  // namespace fer::reports
