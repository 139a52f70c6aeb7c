// The accuracy regression gate: compares each configuration's metrics in the result store with
// a committed baseline (value and tolerance per metric). Tolerances are derived from the spread
// over seeds measured when the baseline was written (k standard deviations of a single run),
// never guessed. Exit codes: 0 pass, 1 regression, 2 missing or incomplete data.
//
// A baseline names the exact configuration it was measured with (every resolved field but the
// seed, reports/summary.h), and an entry is checked against the runs of exactly that
// configuration: runs that differ in any field (a learning rate, a deliberately broken
// --shuffle_train_labels run) never stand in for it. File format:
//   config <id> <configuration JSON>
//   <dataset> <backbone> <model> <schedule> <metric> <value> <tolerance> <seeds> <id>
// An older 8-field entry (no id) matches its paper cell only while the store holds one
// configuration there.
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
  std::string config_id;  // "" for an older entry without a configuration.
  ConfigFields config;    // The configuration's fields (empty without config_id).
};

/// Reads a baseline file ('#' comments; "config" lines, then entries). Throws fer::Error
/// naming the file, line and field, also for an entry whose config id has no config line.
std::vector<BaselineEntry> read_baseline(const std::string& path);

/// A baseline from the finished runs: value = mean over seeds, tolerance = max(k * std, floor),
/// where std is the sample standard deviation of single runs over the seeds. Needs at least 2
/// seeds per trained configuration to measure a spread (throws fer::Error otherwise); an
/// evaluation of saved weights (schedule "checkpoint") is deterministic and gets the floor.
/// check_seeds: runs a later check needs per configuration (0: as many as were measured).
std::string write_baseline(const std::vector<ConfigSummary>& summaries,
                           const std::vector<std::string>& metrics, double k, double floor,
                           int check_seeds = 0);

struct GateResult {
  int exit_code = 0;     // 0 pass, 1 regression, 2 missing/incomplete.
  std::string markdown;  // Diff table.
};

/// ignore: configuration fields left out of the match, for deliberate comparisons such as the
/// gate's self-test ("shuffle_train_labels": does the gate catch a broken model?).
GateResult check_against_baseline(const std::vector<ConfigSummary>& summaries,
                                  const std::vector<BaselineEntry>& baseline,
                                  const std::vector<std::string>& ignore = {});

}  // namespace fer::reports
