// Evaluation of saved weights (the authors' released checkpoints, torchvision-derived files, our
// own best checkpoints): which of the six models the file holds is read from its keys and shapes
// (models/model_inference.h), the validation split is evaluated with the trainer's own code
// (training/evaluator.h), and the result is stored as a run of schedule "checkpoint" whose
// configuration includes the file's SHA-256, so it appears in the paper table as its own row and
// the regression gate can check it. An evaluation already stored for the same file, data and
// settings under the same code version is skipped unless --force.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "experiments/config.h"
#include "models/factory.h"
#include "training/evaluator.h"

namespace fer::experiments {

struct EvaluateConfig {
  RunConfig run;  // Dataset, device, precision, batch size, input size, db, ... (runner flags).
  bool model_given = false;  // --model / --backbone were given: they override the inference.
  bool backbone_given = false;
};

/// Parses --checkpoint (required) and the runner's flags (dataset, data_root, device,
/// precision, batch_size, input_size, db, force, ...). Returns false after printing --help.
/// Throws fer::Error naming the flag.
bool parse_evaluate_config(int argc, const char* const* argv, EvaluateConfig* config);

struct EvaluateOutcome {
  int64_t run_id = -1;
  std::string status;  // "finished" or "skipped" (already stored).
  models::ModelSpec spec;
  training::Evaluation evaluation;  // Empty when skipped.
  int64_t checkpoint_epoch = -1;
};

/// Evaluates the checkpoint on the validation split and stores the result. Throws fer::Error for
/// unreadable files, a file that holds none of the six models (or not the one named by
/// --model/--backbone: every difference listed), and data the model cannot take.
EvaluateOutcome evaluate_checkpoint(const EvaluateConfig& config, std::ostream& log);

}  // namespace fer::experiments
