// The accuracy regression gate: compares each configuration's metrics in the result store with
// a committed baseline (value and tolerance per metric). Tolerances are derived from the spread
// over seeds measured when the baseline was written (k standard deviations of a single run),
// never guessed. Exit codes: 0 pass, 1 regression, 2 missing or incomplete data.
#pragma once

#include <string>
#include <vector>

#include "reports/summary.h"

namespace fer::reports {

struct BaselineEntry {
  std::string dataset, backbone, model, schedule, metric;
  double value = 0, tolerance = 0;
  int seeds = 1;  // Runs the baseline was measured over; fewer in the database = incomplete.
  long line = 0;
};

/// Reads "dataset backbone model schedule metric value tolerance seeds" lines ('#' comments).
/// Throws fer::Error naming the file, line and field.
std::vector<BaselineEntry> read_baseline(const std::string& path);

/// A baseline from the finished runs: value = mean over seeds, tolerance = max(k * std, floor),
/// where std is the sample standard deviation of single runs over the seeds. Needs at least 2
/// seeds per configuration to measure a spread (throws fer::Error otherwise). check_seeds: runs
/// a later check needs per configuration (0: as many as were measured).
std::string write_baseline(const std::vector<ConfigSummary>& summaries, const std::vector<std::string>& metrics,
                           double k, double floor, int check_seeds = 0);

struct GateResult {
  int exit_code = 0;     // 0 pass, 1 regression, 2 missing/incomplete.
  std::string markdown;  // Diff table.
};

GateResult check_against_baseline(const std::vector<ConfigSummary>& summaries,
                                  const std::vector<BaselineEntry>& baseline);

}  // namespace fer::reports
