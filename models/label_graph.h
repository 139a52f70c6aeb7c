// The label graph of Emotion-GCN (paper Sec. III-B, Eqs. 2-4): 9 nodes, the 7 basic
// expressions followed by valence and arousal, built from the 9x9 correlation matrix of the
// training labels exactly as the reference's gen_A / gen_adj do.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>

#include <array>
#include <string>

#include "models/names.h"

namespace fer::models {

constexpr int64_t kNumExpressions = 7;
constexpr int64_t kNumDimensions = 2;  // Valence, arousal.
constexpr int64_t kNumLabelNodes = kNumExpressions + kNumDimensions;

struct LabelGraphOptions {
  /// Binarisation threshold on |correlation| (tau in Eq. 3). Default 0.1.
  TORCH_ARG(double, tau) = 0.1;
  /// Total weight a node gives its neighbours (p in Eq. 4); its self-loop gets 1 - p. Default 0.5.
  TORCH_ARG(double, p) = 0.5;
  /// Keep the expression-expression edges (|C| >= tau between two expressions). The reference
  /// zeroes that block, so that expressions connect only through valence and arousal. Default off.
  TORCH_ARG(bool, expression_edges) = false;
};

/// A of Eq. 4 from a [9, 9] correlation matrix C (float or double, any device):
/// |C|; expression-expression off-diagonal entries zeroed; 1 where >= tau else 0; each row's
/// off-diagonal neighbours scaled to sum to p; diagonal set to 1 - p. A row without neighbours
/// keeps only its self-loop (the reference would divide by zero there). Returns float32 [9, 9].
/// With options.expression_edges the expression-expression block is kept instead of zeroed.
at::Tensor label_adjacency(const at::Tensor& correlation, const LabelGraphOptions& options = {});

/// A of Eq. 4 for `source`: label_adjacency of `train_correlation` (kTrain; undefined means
/// affectnet_paper_correlation()), of the released matrix (kAffectNet), of all ones (kOnes), or
/// (1 - p) I (kNone). Throws c10::Error for kAffectNet with expression edges (the released matrix
/// has no expression-expression values) and for p = 1 where a node would keep no edge at all.
at::Tensor graph_adjacency(GraphSource source, const at::Tensor& train_correlation,
                           const LabelGraphOptions& options = {});

/// The reference's gen_adj: D^-1/2 A^T D^-1/2 with D = diag(row sums of A).
at::Tensor normalized_adjacency(const at::Tensor& adjacency);

/// The Spearman correlation matrix released with the paper (AffectNet training labels; order
/// Neutral, Happy, Sad, Surprise, Fear, Disgust, Anger, Valence, Arousal). Only the valence and
/// arousal rows/columns are released values; the expression-expression block, which A never
/// uses, is the identity. float32 [9, 9].
at::Tensor affectnet_paper_correlation();

}  // namespace fer::models
