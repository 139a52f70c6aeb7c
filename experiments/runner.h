// One experiment end to end: resolve and print the config, skip work already in the database,
// open the dataset, record provenance, train, and store the outcome (the steps every stored run
// takes are experiments/run_lifecycle.h; the data, experiments/run_data.h).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "distributed/group.h"
#include "experiments/config.h"
#include "metrics/records.h"

namespace fer::experiments {

struct RunOutcome {
  int64_t run_id = -1;
  std::string status;  // "finished", "interrupted", or "skipped" (already finished).
  metrics::FinalRecord final_record;
};

/// Runs `config` (resolved here). Throws fer::Error for bad input; a failure during training
/// marks the run 'failed' in the database before propagating (in a data-parallel job, with
/// distributed::failure_context's account of the other ranks).
///
/// With `group` (a data-parallel job, issue #11) every rank calls this: rank 0 alone reads and
/// writes the result store (the skip check, resume, the run's rows with world size and backend
/// in its provenance) and tells the others its decisions; the config records world_size.
RunOutcome run_experiment(const RunConfig& config, std::ostream& log,
                          distributed::Group* group = nullptr);

}  // namespace fer::experiments
