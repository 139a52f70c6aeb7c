// Training of one run as the reference does it (paper Sec. IV-B): SGD with momentum and weight
// decay, StepLR, class-weighted cross-entropy plus lambda * (1 - CCC), early stopping on
// validation accuracy, the best epoch's checkpoint kept. Metrics are the whole validation
// split's. Ctrl-C and SIGTERM finish the current step and leave a resume state from which
// training continues to the same result. The same loop runs one process or a data-parallel job.
#pragma once

#include <ostream>
#include <string>

#include "datasets/dataset.h"
#include "distributed/collective.h"
#include "metrics/recorder.h"
#include "metrics/records.h"
#include "training/options.h"

namespace fer::training {

enum class Outcome { kFinished, kInterrupted };

struct TrainResult {
  Outcome outcome = Outcome::kFinished;
  metrics::FinalRecord final_record;  ///< The best epoch's (finished runs only).
};

/// Trains `options` on `data`. Every epoch and every resume state written goes to `recorder`;
/// finishing or marking the run is the caller's. `resume_from`: the resume state of an earlier,
/// interrupted attempt of the same run, or empty for a fresh start.
///
/// In a job (`world` of more than one rank, issue #11): rank 0's initial weights are broadcast;
/// each rank trains on its shard of every epoch with per-rank batches of batch_size, the
/// gradients averaged over the ranks, so the global batch is batch_size x world size; training
/// statistics are summed over the ranks; validation metrics are the whole split's; an interrupt
/// on any rank stops all at the same step. Only rank 0 reads `resume_from` (the others receive
/// its bytes) and writes checkpoints and resume states. Throws fer::Error (files, options) or
/// c10::Error (tensors); a failed collective throws on every rank.
TrainResult train(const TrainOptions& options, const datasets::Dataset& data,
                  metrics::Recorder& recorder, const std::string& resume_from, std::ostream& log,
                  distributed::Collective& world);

}  // namespace fer::training
