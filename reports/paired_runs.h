// Two sets of stored runs as a paired comparison reads them (issue #32): each run's per-sample
// validation outputs, checked to be over the same rows (the same dataset digest, sample indices
// and truths), as stats::SampleOutputs per seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/sqlite.h"
#include "stats/outputs.h"

namespace fer::reports {

struct PairedRuns {
  std::vector<stats::SampleOutputs> baseline, candidate;  ///< One per run (seed).
  std::string why_not;  ///< Empty when comparable; else why the runs cannot be paired.
};

/// Reads both sets' per-sample outputs from `db`. A run without them (stored before schema 6),
/// runs on another dataset digest or other validation samples give why_not, not an exception;
/// a damaged BLOB throws fer::Error.
PairedRuns load_paired_runs(Database& db, const std::vector<int64_t>& baseline,
                            const std::vector<int64_t>& candidate);

}  // namespace fer::reports
