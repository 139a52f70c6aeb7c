// One epoch of a run (paper Sec. IV-B): the training pass over this rank's shard, the job's sums
// of its statistics, and the evaluation of the whole validation split. Throughput is
// device-synchronised, with up to two warm-up batches excluded. Written once for every job size:
// in a world of one the collectives are the identity.
#pragma once

#include <cstdint>
#include <ostream>

#include "distributed/collective.h"
#include "training/engine.h"
#include "training/evaluator.h"
#include "training/options.h"
#include "training/resume_state.h"

namespace fer::training {

/// How a training pass went.
struct EpochPass {
  bool completed = false;   ///< False: stopped by an interrupt (Ctrl-C, SIGTERM, a test's).
  int64_t next_batch = 0;   ///< The first batch not trained (where a resumed run continues).
  double images_per_s = 0;  ///< This rank's timed rate (completed passes only).
  double wait_s = 0;        ///< Time spent waiting for the loader.
  double compute_s = 0;     ///< Time spent in training steps, synchronised.
};

/// Trains epoch `epoch` (0-based) from batch `first_batch` at the learning rate already set,
/// adding to `sums` and counting `*steps`. Stops after the step at which any rank saw an
/// interrupt (every rank stops at the same step). In a job, the rank options.testing.die_rank
/// kills itself after options.testing.die_after_steps steps (the fault tests).
EpochPass train_epoch(Engine& engine, const TrainOptions& options, distributed::Collective& world,
                      int64_t epoch, int64_t first_batch, EpochSums& sums, int64_t* steps,
                      std::ostream& log);

/// Sums each rank's statistics (and `*images_per_s`, whose rates add up) over the job.
void sum_over_ranks(distributed::Collective& world, EpochSums& sums, double* images_per_s);

/// The validation split's metrics: each rank evaluates its shard with rank 0's BatchNorm
/// statistics, the outputs are gathered in split order, and every rank computes the metrics of
/// the whole split (the numbers one process computes).
Evaluation evaluate_epoch(Engine& engine, const TrainOptions& options,
                          distributed::Collective& world);

}  // namespace fer::training
