// Two selections of stored runs compared sample by sample (issue #32; `//reports:compare_runs`):
// per metric (accuracy, mean-class accuracy, macro F1, CCC-V/CCC-A where both predict them) the
// baseline's and the candidate's means over their seeds, the difference with its paired-bootstrap
// interval and p-value (stats/bootstrap.h), McNemar's exact test for single-seed pairs, and the
// verdict of "the candidate is better" on accuracy.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/sqlite.h"
#include "stats/bootstrap.h"

namespace fer::reports {

/// Run ids of a selection: "run:ID[,ID...]" (finished runs), or "config:ID" (the 16-hex
/// configuration id the report's CSV and Config column use: its newest finished run per seed).
/// Throws fer::Error naming `field` for a malformed selection, an unknown or unfinished run, or
/// a configuration the store does not hold.
std::vector<int64_t> select_runs(Database& db, const std::string& selection,
                                 const std::string& field);

struct RunComparison {
  std::string markdown;
  int exit_code = 0;  ///< 0: compared; 2: the runs cannot be paired (why in markdown).
};

/// The comparison as Markdown.
RunComparison compare_runs(Database& db, const std::string& baseline, const std::string& candidate,
                           const stats::BootstrapOptions& options = {});

}  // namespace fer::reports
