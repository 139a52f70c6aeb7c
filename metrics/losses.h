// Training losses of the paper (Sec. III-C, Eq. 6): class-weighted cross-entropy for the
// expressions plus lambda * (1 - CCC) for valence/arousal, as the reference code computes them.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace fer::metrics {

/// Reference CCC loss: 1 - mean over columns of 2 cov / (var_p + var_t + (mean_p - mean_t)^2),
/// with population (1/N) covariance and unbiased (1/(N-1)) variances, computed in float64 as
/// the reference does (it casts both sides to double). predicted, target: [N, D], N >= 2.
/// Returns a float64 scalar that carries gradient to `predicted`.
at::Tensor ccc_loss(const at::Tensor& predicted, const at::Tensor& target);

/// Per-class weights min_c(count) / count_c; the paper's AffectNet counts give the reference's
/// weights. Throws std::invalid_argument if a count is <= 0. float32 [K].
at::Tensor class_weights(const std::vector<int64_t>& counts);

struct LossParts {
  at::Tensor total;            // expression + lambda * valence_arousal (scalar).
  at::Tensor expression;       // Weighted cross-entropy (scalar).
  at::Tensor valence_arousal;  // 1 - mean CCC (scalar); undefined for single-task models.
};

/// Eq. 6. logits [N, K], labels [N] int64, weights [K] or undefined (unweighted);
/// va_predicted/va_target [N, 2] or undefined for single-task models.
LossParts multitask_loss(const at::Tensor& logits, const at::Tensor& labels,
                         const at::Tensor& weights, const at::Tensor& va_predicted,
                         const at::Tensor& va_target, double lambda);

}  // namespace fer::metrics
