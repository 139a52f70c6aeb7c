// Evaluation of a model over a whole split (paper Sec. V metrics): expression accuracy, macro
// F1, confusion and per-class recall; CCC / PCC / RMSE / SAGR of valence and arousal for models
// that predict them; the validation loss as the training script computes it. Shared by the
// trainer (every epoch) and `evaluate` (released or saved weights), so both give identical numbers.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <ostream>
#include <string>
#include <vector>

#include "datasets/loader.h"
#include "metrics/classification.h"
#include "models/heads.h"
#include "metrics/records.h"

namespace fer::experiments {

struct Evaluation {
  metrics::EvalMetrics metrics;
  std::vector<double> per_class;   // Recall of each class.
  std::vector<int64_t> confusion;  // Row-major K x K (truth x prediction).
  double images_per_s = 0;
};

struct EvalSetup {
  c10::Device device = c10::Device("cpu");
  std::string precision = "fp32";  // Autocast: fp32 (off), fp16, bf16.
  bool channels_last = false;
  at::Tensor nodes;          // [9, D] label-node embeddings on `device` (Emotion-GCN).
  at::Tensor class_weights;  // Cross-entropy weights on `device`, or undefined (unweighted).
  double lambda = 1.0;       // Weight of the 1 - CCC term in the loss.
  int num_classes = 7;
  std::ostream* progress = nullptr;  // Where a progress line goes (none when null).
};

/// Runs `model` (switched to eval mode, no gradients) over every batch of `loader` (epoch 0).
Evaluation evaluate_model(models::EmotionModelImpl& model, datasets::BatchLoader& loader, const EvalSetup& setup);

/// Builds EvalMetrics from whole-split predictions. va_* are empty for single-task models.
metrics::EvalMetrics evaluation_metrics(const metrics::ConfusionMatrix& confusion,
                                        const std::vector<double>& valence_pred,
                                        const std::vector<double>& valence_true,
                                        const std::vector<double>& arousal_pred,
                                        const std::vector<double>& arousal_true);

}  // namespace fer::experiments
