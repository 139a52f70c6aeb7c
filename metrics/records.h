// What one run measures, as plain values: the validation metrics of an evaluation over a whole
// split (paper Sec. IV-B), one training epoch's record, and a run's final record. Owned here so
// that the training loop, evaluate, the result store and the reports share one definition.
// No LibTorch or SQLite types.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fer::metrics {

/// Validation metrics of one evaluation (whole split), per epoch and finally.
struct EvalMetrics {
  double loss = 0, loss_expression = 0, loss_va = 0;
  double accuracy = 0, macro_f1 = 0;
  double ccc_valence = 0, ccc_arousal = 0, pcc_valence = 0, pcc_arousal = 0;
  double rmse_valence = 0, rmse_arousal = 0, sagr_valence = 0, sagr_arousal = 0;
  double affwild2_expression = 0, affwild2_va = 0;
  bool has_va =
      false;  // False for single-task models: the VA values are meaningless (stored NULL).
};

/// One training epoch: its learning rate, training sums, validation metrics and costs.
struct EpochRecord {
  int64_t epoch = 0;  // 0-based.
  double lr = 0;
  double train_loss = 0, train_loss_expression = 0, train_loss_va = 0, train_accuracy = 0;
  EvalMetrics val;
  double train_images_per_s = 0, eval_images_per_s = 0;
  double data_wait_s = 0, compute_s = 0;
  double peak_rss_mb = 0, peak_cuda_mb = 0;
};

/// One evaluation's outputs sample by sample, in split order: what comparisons between
/// configurations resample (issue #32). Empty when not kept.
struct SampleRecord {
  int num_classes = 0;
  std::vector<int32_t> index;           ///< The sample's index in the split (ascending).
  std::vector<int32_t> truth;           ///< True class.
  std::vector<int32_t> predicted;       ///< Argmax of the logits.
  std::vector<float> probabilities;     ///< Row-major N x K: the softmax of the logits.
  std::vector<float> va_pred, va_true;  ///< Row-major N x 2 (valence, arousal), or both empty.

  size_t size() const { return index.size(); }
  bool empty() const { return index.empty(); }
  bool has_va() const { return !va_pred.empty(); }
};

/// A run's outcome: the best epoch's validation metrics, per-class recall, confusion, costs
/// and the best checkpoint. NaN throughput means "nothing measured" (stored as NULL).
struct FinalRecord {
  int64_t best_epoch = 0;
  EvalMetrics val;
  std::vector<double> per_class_recall;  // Correct / true count per class (K).
  std::vector<int64_t> confusion;        // Row-major K x K (true x predicted).
  double train_images_per_s = 0, eval_images_per_s = 0;
  double peak_rss_mb = 0, peak_cuda_mb = 0;
  std::string checkpoint_path;
  SampleRecord samples;  ///< The best epoch's per-sample outputs (empty: not kept).
};

}  // namespace fer::metrics
