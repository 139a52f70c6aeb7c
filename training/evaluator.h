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
#include "metrics/records.h"
#include "models/heads.h"
#include "training/options.h"

namespace fer::training {

struct Evaluation {
  metrics::EvalMetrics metrics;
  std::vector<double> per_class;   // Recall of each class.
  std::vector<int64_t> confusion;  // Row-major K x K (truth x prediction).
  double images_per_s = 0;
  metrics::SampleRecord samples;  // Per sample, in split order.
};

struct EvalSetup {
  c10::Device device = c10::Device("cpu");
  Precision precision = Precision::kFp32;  // Autocast (kFp32: off).
  bool channels_last = false;
  at::Tensor nodes;          // [9, D] label-node embeddings on `device` (Emotion-GCN).
  at::Tensor class_weights;  // Cross-entropy weights on `device`, or undefined (unweighted).
  double lambda = 1.0;       // Weight of the 1 - CCC term in the loss.
  int num_classes = 7;
  std::ostream* progress = nullptr;  // Where a progress line goes (none when null).
};

/// The model's per-sample outputs over a split, or over one shard of it (distributed runs
/// gather the shards' rows and sort them by sample index before computing metrics).
struct SplitOutputs {
  at::Tensor indices;  // int64 [N]: sample index in the split.
  at::Tensor logits;   // float32 [N, K].
  at::Tensor labels;   // int64 [N].
  at::Tensor va_pred;  // float32 [N, 2]; undefined for single-task models.
  at::Tensor va_true;  // float32 [N, 2].
  double images_per_s = 0;
};

/// Runs `model` (switched to eval mode, no gradients) over every batch of `loader` (epoch 0)
/// and keeps its outputs (on the CPU).
SplitOutputs collect_outputs(models::EmotionModelImpl& model, datasets::BatchLoader& loader,
                             const EvalSetup& setup);

/// The metrics of whole-split outputs (rows in split order). The loss is averaged over
/// consecutive batches of batch_size rows, as the evaluation loader batches them, so it equals
/// the loss a single process computes batch by batch.
Evaluation evaluation_from_outputs(const SplitOutputs& outputs, const EvalSetup& setup,
                                   int64_t batch_size);

/// collect_outputs + evaluation_from_outputs over the loader's batches.
Evaluation evaluate_model(models::EmotionModelImpl& model, datasets::BatchLoader& loader,
                          const EvalSetup& setup);

/// Builds EvalMetrics from whole-split predictions. va_* are empty for single-task models.
metrics::EvalMetrics evaluation_metrics(const metrics::ConfusionMatrix& confusion,
                                        const std::vector<double>& valence_pred,
                                        const std::vector<double>& valence_true,
                                        const std::vector<double>& arousal_pred,
                                        const std::vector<double>& arousal_true);

}  // namespace fer::training
