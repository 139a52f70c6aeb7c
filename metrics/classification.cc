#include "metrics/classification.h"

#include <stdexcept>
#include <string>

namespace fer::metrics {

ConfusionMatrix::ConfusionMatrix(int num_classes)
    : num_classes_(num_classes),
      counts_(num_classes > 0 ? static_cast<size_t>(num_classes) * num_classes : 0, 0) {
  if (num_classes <= 0) {
    throw std::invalid_argument("ConfusionMatrix: num_classes must be > 0, got " +
                                std::to_string(num_classes));
  }
}

void ConfusionMatrix::add(int truth, int predicted) {
  if (truth < 0 || truth >= num_classes_ || predicted < 0 || predicted >= num_classes_) {
    throw std::out_of_range("ConfusionMatrix: label pair (" + std::to_string(truth) + ", " +
                            std::to_string(predicted) + ") outside [0, " +
                            std::to_string(num_classes_) + ")");
  }
  ++counts_[static_cast<size_t>(truth) * num_classes_ + predicted];
  ++total_;
}

void ConfusionMatrix::add(const std::vector<int>& truth, const std::vector<int>& predicted) {
  if (truth.size() != predicted.size()) {
    throw std::invalid_argument("ConfusionMatrix: " + std::to_string(truth.size()) +
                                " true labels but " + std::to_string(predicted.size()) +
                                " predictions");
  }
  for (size_t i = 0; i < truth.size(); ++i) add(truth[i], predicted[i]);
}

int64_t ConfusionMatrix::count(int truth, int predicted) const {
  return counts_.at(static_cast<size_t>(truth) * num_classes_ + predicted);
}

double ConfusionMatrix::accuracy() const {
  if (total_ == 0) return 0.0;
  int64_t correct = 0;
  for (int k = 0; k < num_classes_; ++k) correct += count(k, k);
  return static_cast<double>(correct) / static_cast<double>(total_);
}

std::vector<double> ConfusionMatrix::per_class_recall() const {
  std::vector<double> recall(num_classes_, 0.0);
  for (int k = 0; k < num_classes_; ++k) {
    int64_t row = 0;
    for (int j = 0; j < num_classes_; ++j) row += count(k, j);
    if (row > 0) recall[k] = static_cast<double>(count(k, k)) / static_cast<double>(row);
  }
  return recall;
}

std::vector<double> ConfusionMatrix::per_class_f1() const {
  std::vector<double> f1(num_classes_, 0.0);
  for (int k = 0; k < num_classes_; ++k) {
    int64_t tp = count(k, k), fp = 0, fn = 0;
    for (int j = 0; j < num_classes_; ++j) {
      if (j == k) continue;
      fp += count(j, k);
      fn += count(k, j);
    }
    // F1 = 2TP / (2TP + FP + FN): equal to the precision/recall form, defined as 0 when empty.
    int64_t denom = 2 * tp + fp + fn;
    if (denom > 0) f1[k] = 2.0 * static_cast<double>(tp) / static_cast<double>(denom);
  }
  return f1;
}

double ConfusionMatrix::macro_f1() const {
  const std::vector<double> f1 = per_class_f1();
  double sum = 0.0;
  int present = 0;
  for (int k = 0; k < num_classes_; ++k) {
    int64_t seen = 0;  // Samples of class k in the truth or the predictions.
    for (int j = 0; j < num_classes_; ++j) seen += count(k, j) + count(j, k);
    if (seen == 0) continue;
    sum += f1[k];
    ++present;
  }
  return present > 0 ? sum / static_cast<double>(present) : 0.0;
}

double affwild2_expression_score(double macro_f1, double accuracy) {
  return 0.67 * macro_f1 + 0.33 * accuracy;
}

}  // namespace fer::metrics
