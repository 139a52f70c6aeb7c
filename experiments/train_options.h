// The runner's resolved configuration as the training engine's typed options (training/
// options.h): names become enums, "auto" values are already resolved, and the run's checkpoint
// and resume-state files get their names (issue #31: the engine knows no flags).
#pragma once

#include <cstdint>
#include <string>

#include "experiments/config.h"
#include "training/options.h"

namespace fer::experiments {

/// Every TrainOptions field from `config` (resolved). Throws std::invalid_argument for a name
/// resolve() would have refused (an unresolved config).
training::TrainOptions train_options(const RunConfig& config, int64_t run_id);

/// The data pipeline's options of `config` (resolved): what training and evaluation load with.
training::DataOptions data_options(const RunConfig& config);

/// Path of the resume state of a run: <checkpoint_dir>/<store id>-run<id>-<name>.resume.pt.
std::string resume_state_path(const RunConfig& config, int64_t run_id);
/// Path of the best checkpoint (reference format) of a run, .best.pth beside the resume state.
std::string best_checkpoint_path(const RunConfig& config, int64_t run_id);

}  // namespace fer::experiments
