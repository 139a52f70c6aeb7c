// One experiment end to end: resolve and print the config, skip work already in the database,
// open the dataset, record provenance, train, and store the outcome.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "datasets/dataset.h"
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
/// marks the run 'failed' in the database before propagating.
RunOutcome run_experiment(const RunConfig& config, std::ostream& log);

}  // namespace fer::experiments
