#include "models/label_graph.h"

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

namespace fer::models {

at::Tensor label_adjacency(const at::Tensor& correlation, const LabelGraphOptions& options) {
  TORCH_CHECK(correlation.dim() == 2 && correlation.size(0) == kNumLabelNodes &&
                  correlation.size(1) == kNumLabelNodes,
              "label_adjacency: expected a [9, 9] correlation matrix, got ", correlation.sizes());
  TORCH_CHECK(options.p() >= 0 && options.p() <= 1, "label_adjacency: p must lie in [0, 1], got ",
              options.p());
  at::Tensor c = correlation.detach().to(at::kDouble).cpu().abs();
  auto acc = c.accessor<double, 2>();
  for (int64_t i = 0; i < kNumExpressions; ++i) {
    for (int64_t j = 0; j < kNumExpressions; ++j) {
      if (i != j) acc[i][j] = 0.0;
    }
  }
  at::Tensor a = at::zeros({kNumLabelNodes, kNumLabelNodes}, at::kDouble);
  auto out = a.accessor<double, 2>();
  for (int64_t i = 0; i < kNumLabelNodes; ++i) {
    int64_t neighbours = 0;
    for (int64_t j = 0; j < kNumLabelNodes; ++j) neighbours += (j != i && acc[i][j] >= options.tau());
    for (int64_t j = 0; j < kNumLabelNodes; ++j) {
      if (j != i && acc[i][j] >= options.tau()) out[i][j] = options.p() / neighbours;
    }
    out[i][i] = 1.0 - options.p();
  }
  return a.to(at::kFloat);
}

at::Tensor normalized_adjacency(const at::Tensor& adjacency) {
  at::Tensor d = at::diag(at::pow(adjacency.sum(1), -0.5));
  return at::matmul(at::matmul(adjacency, d).t(), d);
}

at::Tensor affectnet_paper_correlation() {
  // Rows Valence and Arousal of the released Spearman matrix (data/spearman_affectnet.pkl).
  const double valence[kNumLabelNodes] = {-0.3351, 0.8611, -0.4530, -0.0276, -0.1218,
                                          -0.1764, -0.3837, 1.0,     0.0373};
  const double arousal[kNumLabelNodes] = {-0.2841, 0.0145, -0.4337, 0.3382, 0.2356,
                                          0.1437,  0.4138, 0.0373,  1.0};
  at::Tensor c = at::eye(kNumLabelNodes, at::kDouble);
  auto acc = c.accessor<double, 2>();
  for (int64_t j = 0; j < kNumLabelNodes; ++j) {
    acc[7][j] = acc[j][7] = valence[j];
    acc[8][j] = acc[j][8] = arousal[j];
  }
  return c.to(at::kFloat);
}

}  // namespace fer::models
