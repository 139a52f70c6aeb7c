// Training and evaluation of one configuration as the reference does it (paper Sec. IV-B):
// SGD with momentum and weight decay, StepLR, class-weighted cross-entropy plus
// lambda * (1 - CCC), early stopping on validation accuracy, best checkpoint kept. Metrics are
// computed over the whole validation split; throughput is device-synchronised with warm-up
// batches excluded. Interruptions (Ctrl-C) finish the current step and leave a resume state
// from which training continues to the same result.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <atomic>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "datasets/dataset.h"
#include "datasets/loader.h"
#include "distributed/group.h"
#include "experiments/config.h"
#include "metrics/classification.h"
#include "metrics/recorder.h"
#include "metrics/records.h"

namespace fer::experiments {

/// Set by the SIGINT and SIGTERM handler; the trainer polls it after every step.
extern std::atomic<bool> g_interrupt_requested;
/// SIGINT (Ctrl-C) and SIGTERM (schedulers, launchers) both stop training after the current
/// step with a resume state (exit 130).
void install_interrupt_handler();

/// Where a (possibly resumed) run starts: a fresh start, or the resume state file written by
/// an earlier, interrupted attempt of the same run (its epoch and batch are read from it).
struct StartPoint {
  std::string resume_state;
};

struct TrainResult {
  std::string status;  // "finished" or "interrupted".
  metrics::FinalRecord final_record;
};

/// Trains `config` (resolved) on `data`. Every epoch and resume state goes to `recorder`; the
/// outcome is returned (the caller finishes or marks the run). `run_id` names the checkpoint
/// and resume-state files.
///
/// With `group` (data-parallel, issue #11): rank 0's initial weights are broadcast; each rank
/// trains on its shard of every epoch (datasets::LoaderOptions::shard) with per-rank batches of
/// batch_size, the gradients averaged over the ranks (distributed::GradientSync), so the
/// global batch is batch_size x world size; training loss and accuracy are summed over the
/// ranks; validation runs on shards with rank 0's BatchNorm statistics, and its outputs are
/// gathered so the metrics are the whole split's; an interruption on any rank stops all at the
/// same step. Only rank 0 writes checkpoints and resume states; every rank reads the same
/// resume state.
TrainResult train(const RunConfig& config, const datasets::Dataset& data,
                  metrics::Recorder& recorder, int64_t run_id, const StartPoint& start,
                  std::ostream& log, distributed::Group* group = nullptr);

/// The validation loader of a config: its batch size, workers and input size, in order, without
/// augmentation, every sample kept.
datasets::LoaderOptions evaluation_loader_options(const RunConfig& config,
                                                  const c10::Device& device);

/// The cross-entropy class weights of the reference (min count / count over the training split)
/// when config.class_weights is "on" (CPU tensor), else undefined. Throws fer::Error naming a
/// class without training samples.
at::Tensor class_weights_for(const RunConfig& config, const datasets::Dataset& data);

/// Path of the resume state of a run.
std::string resume_state_path(const RunConfig& config, int64_t run_id);
/// Path of the best checkpoint (reference format) of a run.
std::string best_checkpoint_path(const RunConfig& config, int64_t run_id);

}  // namespace fer::experiments
