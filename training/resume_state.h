// What an interrupted run leaves behind so that it continues to the same result: the position
// (epoch, batch), the weights, SGD's momentum, the best epoch so far, the partial sums of the
// current epoch, the throughput sums, the step count and fp16's loss scale. Everything else the
// next step depends on comes from the options (batch order and augmentation are seeded per
// epoch and sample; no model uses dropout). Stored as a pickled dict (torch.save's format).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "metrics/records.h"
#include "models/state_dict.h"
#include "training/evaluator.h"

namespace fer::training {

/// Running sums of one training epoch.
struct EpochSums {
  double loss = 0, loss_expression = 0, loss_va = 0;
  int64_t batches = 0, correct = 0, seen = 0;
};

/// The run's best epoch so far (early stopping counts from it) and its throughput sums.
struct Bookkeeping {
  double best_accuracy = -1;
  int64_t best_epoch = -1, no_improve = 0;
  Evaluation best;
  double train_ips_sum = 0, eval_ips_sum = 0;  ///< Over the fully timed epochs.
  int64_t timed_epochs = 0;
};

struct ResumeState {
  int64_t epoch = 0, batch = 0;      ///< Where training continues (0-based).
  models::NamedTensors weights;      ///< The model's state dict (CPU).
  std::vector<at::Tensor> momentum;  ///< Per parameter; undefined: no buffer yet.
  Bookkeeping books;
  EpochSums sums;           ///< The whole job's sums of the current epoch so far.
  int64_t steps = 0;        ///< Training steps taken since the start of the run.
  bool has_scaler = false;  ///< fp16: the loss scale below is meaningful.
  double scaler_scale = 0;
  int64_t scaler_growth_tracker = 0;
};

/// The pickled dict. Metrics are stored by name ("best_metrics": {"accuracy": ..., ...}).
std::vector<char> encode_resume_state(const ResumeState& state);
/// Reads what encode_resume_state wrote, and the older layout whose "best_metrics" is a
/// positional list of 16 values. Throws fer::Error naming `path` and the field that is missing
/// or of the wrong type.
ResumeState decode_resume_state(const std::vector<char>& bytes, const std::string& path);

/// EvalMetrics as name -> value ("has_va" is 0 or 1), and back; a missing name is an error.
std::vector<std::pair<std::string, double>> metrics_by_name(const metrics::EvalMetrics& m);

}  // namespace fer::training
