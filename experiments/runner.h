// One experiment end to end: resolve and print the config, skip work already in the database,
// open the dataset, record provenance, train, and store the outcome.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "datasets/dataset.h"
#include "distributed/group.h"
#include "experiments/config.h"
#include "metrics/records.h"
#include "reports/store.h"

namespace fer::experiments {

struct RunOutcome {
  int64_t run_id = -1;
  std::string status;  // "finished", "interrupted", or "skipped" (already finished).
  metrics::FinalRecord final_record;
};

/// Opens (reads, checks the images of, indexes, caches) the dataset a resolved config names;
/// image-check progress goes to log when given. Throws fer::Error.
datasets::Dataset open_run_data(const RunConfig& config, std::ostream* log = nullptr);
/// The dataset as the result store records it (name, root, digest, classes, read report).
reports::DatasetRecord dataset_record(const datasets::Dataset& data);

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
