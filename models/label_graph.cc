#include "models/label_graph.h"

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

#include "core/affectnet_spearman.h"

namespace fer::models {

at::Tensor label_adjacency(const at::Tensor& correlation, const LabelGraphOptions& options) {
  TORCH_CHECK(correlation.dim() == 2 && correlation.size(0) == kNumLabelNodes &&
                  correlation.size(1) == kNumLabelNodes,
              "label_adjacency: expected a [9, 9] correlation matrix, got ", correlation.sizes());
  TORCH_CHECK(options.p() >= 0 && options.p() <= 1, "label_adjacency: p must lie in [0, 1], got ",
              options.p());
  at::Tensor c = correlation.detach().to(at::kDouble).cpu().abs();
  auto acc = c.accessor<double, 2>();
  for (int64_t i = 0; i < kNumExpressions && !options.expression_edges(); ++i) {
    for (int64_t j = 0; j < kNumExpressions; ++j) {
      if (i != j) acc[i][j] = 0.0;
    }
  }
  at::Tensor a = at::zeros({kNumLabelNodes, kNumLabelNodes}, at::kDouble);
  auto out = a.accessor<double, 2>();
  for (int64_t i = 0; i < kNumLabelNodes; ++i) {
    int64_t neighbours = 0;
    for (int64_t j = 0; j < kNumLabelNodes; ++j)
      neighbours += (j != i && acc[i][j] >= options.tau());
    for (int64_t j = 0; j < kNumLabelNodes; ++j) {
      if (j != i && acc[i][j] >= options.tau()) out[i][j] = options.p() / neighbours;
    }
    TORCH_CHECK(neighbours > 0 || options.p() < 1, "label_adjacency: label node ", i,
                " has no neighbour at tau ", options.tau(),
                ", and with p = 1 it would keep no edge at all; use p < 1");
    out[i][i] = 1.0 - options.p();
  }
  return a.to(at::kFloat);
}

at::Tensor graph_adjacency(GraphSource source, const at::Tensor& train_correlation,
                           const LabelGraphOptions& options) {
  switch (source) {
    case GraphSource::kTrain:
      return label_adjacency(
          train_correlation.defined() ? train_correlation : affectnet_paper_correlation(), options);
    case GraphSource::kAffectNet:
      TORCH_CHECK(!options.expression_edges(),
                  "graph_adjacency: AffectNet's released correlations have no "
                  "expression-expression values; expression edges need another source");
      return label_adjacency(affectnet_paper_correlation(), options);
    case GraphSource::kOnes:
      return label_adjacency(at::ones({kNumLabelNodes, kNumLabelNodes}, at::kDouble), options);
    case GraphSource::kNone:
      TORCH_CHECK(options.p() < 1, "graph_adjacency: without edges p must be < 1, got ",
                  options.p());
      return (at::eye(kNumLabelNodes, at::kDouble) * (1.0 - options.p())).to(at::kFloat);
  }
  TORCH_INTERNAL_ASSERT(false, "unhandled graph source");
}

at::Tensor normalized_adjacency(const at::Tensor& adjacency) {
  at::Tensor d = at::diag(at::pow(adjacency.sum(1), -0.5));
  return at::matmul(at::matmul(adjacency, d).t(), d);
}

at::Tensor affectnet_paper_correlation() {
  // Rows Valence and Arousal of the released Spearman matrix (core/affectnet_spearman.h).
  at::Tensor c = at::eye(kNumLabelNodes, at::kDouble);
  auto acc = c.accessor<double, 2>();
  for (int64_t j = 0; j < 7; ++j) {
    acc[7][j] = acc[j][7] = kAffectNetValenceCorrelation[j];
    acc[8][j] = acc[j][8] = kAffectNetArousalCorrelation[j];
  }
  acc[7][8] = acc[8][7] = kAffectNetValenceArousalCorrelation;
  return c.to(at::kFloat);
}

}  // namespace fer::models
