// One experiment end to end: resolve and print the config, skip work already in the database,
// open the dataset, record provenance, train, and store the outcome.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "experiments/config.h"
#include "reports/store.h"

namespace fer::experiments {

struct RunOutcome {
  int64_t run_id = -1;
  std::string status;  // "finished", "interrupted", or "skipped" (already finished).
  reports::FinalRecord final_record;
};

/// Runs `config` (resolved here). Throws fer::Error for bad input; a failure during training
/// marks the run 'failed' in the database before propagating.
RunOutcome run_experiment(const RunConfig& config, std::ostream& log);

}  // namespace fer::experiments
