// One run's validation outputs, sample by sample, and the metrics of the paper's tables computed
// on any resample of them (issue #32): accuracy, mean-class accuracy (the mean of the per-class
// recalls, as several FER papers score AffectNet), macro F1 (scikit-learn's, as the reference)
// and the CCC of valence and arousal. Two runs are comparable sample by sample when they were
// evaluated on the same validation split (same dataset digest): row i is the same image.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "metrics/records.h"

namespace fer::stats {

struct SampleOutputs {
  int num_classes = 0;
  std::vector<int> truth, predicted;  ///< Class indices in [0, num_classes), split order.
  /// Valence/arousal predictions and truths, as many as `truth`, or all empty (no VA head).
  std::vector<double> valence_pred, valence_true, arousal_pred, arousal_true;

  int64_t size() const { return static_cast<int64_t>(truth.size()); }
  bool has_va() const { return !valence_pred.empty(); }
};

enum class Metric { kAccuracy, kMeanClassAccuracy, kMacroF1, kCccValence, kCccArousal };

/// "accuracy", "mean_class_accuracy", "macro_f1", "ccc_valence", "ccc_arousal".
std::string metric_name(Metric metric);
/// Parses metric_name's names; throws std::invalid_argument listing them otherwise.
Metric parse_metric(const std::string& name);
/// Whether `outputs` can give `metric` (the CCCs need valence/arousal).
bool has_metric(const SampleOutputs& outputs, Metric metric);

/// The outputs a run stored (its best epoch's or its evaluation's), as the metrics read them.
SampleOutputs from_record(const metrics::SampleRecord& record);

/// Throws std::invalid_argument unless the vectors have equal sizes (VA: all or none), every
/// class index is in [0, num_classes) and num_classes > 0.
void check_outputs(const SampleOutputs& outputs);

/// `metric` over the samples `rows` (indices into outputs, repeats allowed: a bootstrap
/// resample), or over every sample when `rows` is null. Mean-class accuracy averages the recall
/// of the classes present among the chosen truths. Precondition: check_outputs passed and
/// has_metric(outputs, metric).
double metric_on(const SampleOutputs& outputs, Metric metric,
                 const std::vector<int32_t>* rows = nullptr);

}  // namespace fer::stats
