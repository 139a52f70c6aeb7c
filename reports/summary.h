// Aggregation of finished runs for the reports and the regression gate: one row per
// configuration (dataset x backbone x model x schedule), mean and standard deviation over the
// seeds (the newest finished run per config hash counts once).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "reports/store.h"

namespace fer::reports {

/// Metric names usable in tables and baselines.
const std::vector<std::string>& metric_names();
/// True when a larger value is better (false for rmse_* and loss).
bool higher_is_better(const std::string& metric);

struct Stat {
  double mean = 0, std = 0;  // std: sample standard deviation (0 for one seed).
  int n = 0;                 // Runs with a value (NULLs, e.g. CCC of single-task models, excluded).
};

struct ConfigSummary {
  std::string dataset, backbone, model, schedule;
  std::vector<int64_t> run_ids;
  std::map<std::string, Stat> metrics;
  /// "dataset backbone model schedule".
  std::string key() const { return dataset + " " + backbone + " " + model + " " + schedule; }
};

/// Summaries of every configuration with at least one finished run, ordered by dataset,
/// backbone (densenet first) and model (single, multi, gcn).
std::vector<ConfigSummary> summarize(Database& db);

/// A published reference value (reports/paper_values.csv).
struct PaperValue {
  std::string dataset, backbone, model, metric, source;
  double value = 0;
};
/// Parses the CSV; throws fer::Error naming the file, line and field for malformed rows.
std::vector<PaperValue> read_paper_values(const std::string& path);
/// Where the published values are read from by default: $EMOGCN_PAPER_VALUES when set (the
/// relocatable bundle sets it), else "reports/paper_values.csv" (the runfiles under bazel run).
std::string default_paper_values_path();

}  // namespace fer::reports
