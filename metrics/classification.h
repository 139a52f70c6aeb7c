// Classification metrics over a whole split (paper Sec. IV-B: accuracy and
// macro F1 for AffectNet; the Aff-Wild2 challenge's 0.67 F1 + 0.33 accuracy).
//
// Everything is computed from integer labels gathered over the complete
// validation set, never averaged over batches. No LibTorch dependency.
#pragma once

#include <cstdint>
#include <vector>

namespace fer::metrics {

// K x K counts; row = true class, column = predicted class.
class ConfusionMatrix {
 public:
  // Precondition: num_classes > 0. Throws std::invalid_argument otherwise.
  explicit ConfusionMatrix(int num_classes);

  // Adds one (true, predicted) pair. Throws std::out_of_range for labels outside [0, K).
  void add(int truth, int predicted);
  // Adds element-wise pairs. Throws std::invalid_argument when the sizes differ.
  void add(const std::vector<int>& truth, const std::vector<int>& predicted);

  int num_classes() const { return num_classes_; }
  int64_t count(int truth, int predicted) const;
  int64_t total() const { return total_; }
  const std::vector<int64_t>& counts() const { return counts_; }  // Row-major K*K.

  // Fraction of correct predictions; 0 when empty.
  double accuracy() const;
  // Recall of each class (correct / true count); 0 for a class with no samples.
  std::vector<double> per_class_recall() const;
  // F1 of each class; 0 where precision + recall is 0 (sklearn's zero_division=0).
  std::vector<double> per_class_f1() const;
  // Unweighted mean of per_class_f1() over the classes that occur in the truth or in the
  // predictions: scikit-learn's f1_score(y_true, y_pred, average='macro') with its default
  // labels (as the reference computes it). A class absent from both is left out of the mean; a
  // class in only one of them has F1 0 and counts. 0 for an empty matrix.
  double macro_f1() const;

 private:
  int num_classes_;
  int64_t total_ = 0;
  std::vector<int64_t> counts_;
};

// Aff-Wild2 challenge expression score: 0.67 * macro F1 + 0.33 * accuracy.
double affwild2_expression_score(double macro_f1, double accuracy);

}  // namespace fer::metrics
