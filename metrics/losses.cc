#include "metrics/losses.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace fer::metrics {

at::Tensor ccc_loss(const at::Tensor& predicted, const at::Tensor& target) {
  TORCH_CHECK(predicted.sizes() == target.sizes() && predicted.dim() == 2,
              "ccc_loss: expected equal [N, D] shapes, got ", predicted.sizes(), " and ",
              target.sizes());
  TORCH_CHECK(predicted.size(0) >= 2, "ccc_loss: needs at least 2 samples, got ",
              predicted.size(0));
  at::Tensor p = predicted.to(at::kDouble), t = target.to(at::kDouble);
  at::Tensor mean_p = p.mean(0), mean_t = t.mean(0);
  at::Tensor cov = ((p - mean_p) * (t - mean_t)).mean(0);
  at::Tensor r = 2 * cov / (p.var(0) + t.var(0) + (mean_t - mean_p).pow(2));
  return 1 - r.sum() / static_cast<double>(r.numel());
}

at::Tensor class_weights(const std::vector<int64_t>& counts) {
  if (counts.empty()) throw std::invalid_argument("class_weights: no classes");
  for (size_t k = 0; k < counts.size(); ++k) {
    if (counts[k] <= 0) {
      throw std::invalid_argument("class_weights: class " + std::to_string(k) +
                                  " has no training samples (count " + std::to_string(counts[k]) +
                                  ")");
    }
  }
  const double smallest = static_cast<double>(*std::min_element(counts.begin(), counts.end()));
  at::Tensor w = at::empty({static_cast<int64_t>(counts.size())}, at::kFloat);
  for (size_t k = 0; k < counts.size(); ++k) {
    w[k] = static_cast<float>(smallest / static_cast<double>(counts[k]));
  }
  return w;
}

LossParts multitask_loss(const at::Tensor& logits, const at::Tensor& labels,
                         const at::Tensor& weights, const at::Tensor& va_predicted,
                         const at::Tensor& va_target, double lambda) {
  LossParts parts;
  at::Tensor w = weights.defined() ? weights.to(logits.device(), logits.scalar_type()) : weights;
  parts.expression = at::cross_entropy_loss(logits, labels, w);
  parts.total = parts.expression;
  if (va_predicted.defined()) {
    parts.valence_arousal = ccc_loss(va_predicted, va_target);
    parts.total = parts.expression + lambda * parts.valence_arousal;
  }
  return parts;
}

}  // namespace fer::metrics
