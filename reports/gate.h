// The accuracy regression gate: compares each configuration's metrics in the result store with
// a committed baseline. A baseline entry holds the mean over the seeds it was measured with, their
// sample standard deviation and count, and a tolerance (the drop that does not matter). The
// decision uses an interval (issue #32, item 5): the candidate is a regression when the 95%
// Student t interval of (its mean over its seeds - the baseline mean), variances pooled
// (stats/seed_interval.h), lies entirely below -tolerance; so an unlucky seed of an unchanged
// model is not flagged, and the smallest drop it catches is tolerance + the interval's half-width,
// stated per entry. Exit codes: 0 pass, 1 regression, 2 missing or incomplete data.
//
// A baseline names the exact configuration it was measured with (every resolved field but the
// seed, reports/summary.h), and an entry is checked against the runs of exactly that
// configuration: runs that differ in any field (a learning rate, a deliberately broken
// --shuffle_train_labels run) never stand in for it. File format:
//   config <id> <configuration JSON>
//   <dataset> <backbone> <model> <schedule> <metric> <value> <tolerance> <seeds> <id> <std> <n>
// (seeds: the runs a check needs; std, n: the baseline's spread and seed count). An older entry
// without std and n (9 fields) is decided as before, by the fixed tolerance; one without the id
// (8 fields) matches its paper cell only while the store holds one configuration there.
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
  /// The baseline's sample std over its seeds and their count; baseline_n 0 for an older entry
  /// (decided by the fixed tolerance).
  double baseline_std = 0;
  int baseline_n = 0;
};

/// Reads a baseline file ('#' comments; "config" lines, then entries). Throws fer::Error
/// naming the file, line and field, also for an entry whose config id has no config line.
std::vector<BaselineEntry> read_baseline(const std::string& path);

/// A baseline from the finished runs: value = mean over seeds, their sample std and count, and
/// `tolerance` (in the metric's unit). Needs at least 2 seeds per trained configuration to
/// measure a spread (throws fer::Error otherwise); an evaluation of saved weights (schedule
/// "checkpoint") is deterministic: its entry has no spread. check_seeds: runs a later check needs
/// per configuration (0: as many as were measured). Each entry's smallest detectable drop with
/// that many runs is stated in a comment.
std::string write_baseline(const std::vector<ConfigSummary>& summaries,
                           const std::vector<std::string>& metrics, double tolerance,
                           int check_seeds = 0);

/// The drop an entry's check detects half the time with `runs` runs (its tolerance for an older
/// entry; stats::smallest_detectable_drop otherwise).
double detectable_drop(const BaselineEntry& entry, int runs);

struct GateResult {
  int exit_code = 0;     // 0 pass, 1 regression, 2 missing/incomplete.
  std::string markdown;  // Diff table.
};

/// ignore: configuration fields left out of the match, for deliberate comparisons such as the
/// gate's self-test ("shuffle_train_labels": does the gate catch a broken model?). runs: the
/// runs each entry needs (0: its seeds column); fewer widen the interval, and the smallest
/// detectable drop printed says by how much.
GateResult check_against_baseline(const std::vector<ConfigSummary>& summaries,
                                  const std::vector<BaselineEntry>& baseline,
                                  const std::vector<std::string>& ignore = {}, int runs = 0);

}  // namespace fer::reports
