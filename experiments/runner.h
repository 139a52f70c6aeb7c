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
/// failure_context's account of the other ranks).
///
/// With `group` (a data-parallel job, issue #11) every rank calls this: rank 0 alone reads and
/// writes the result store (the skip check, resume, the run's rows with world size and backend
/// in its provenance) and tells the others its decisions; the config records world_size.
RunOutcome run_experiment(const RunConfig& config, std::ostream& log,
                          distributed::Group* group = nullptr);

/// A data-parallel rank's failure (`what`) posted on the job's failure board. On rank 0 it
/// returns which rank failed first and which posted no error (FailureBoard::explain, waiting at
/// most min(5 s, dist_timeout_s)); elsewhere, and when nothing is to be added, "". Never throws.
std::string failure_context(distributed::Group& group, const std::string& what,
                            double dist_timeout_s);

}  // namespace fer::experiments
