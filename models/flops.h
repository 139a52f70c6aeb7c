// Analytic operation counts of the six models (for the throughput reports: achieved GFLOP/s and
// the fraction of the measured peak). Counts multiply-accumulates of convolutions and linear
// layers (what torchvision's model table and fvcore report as "GFLOPS"), plus the label-graph
// matmuls of Emotion-GCN; BatchNorm, activations and pooling are not counted. The counts equal
// PyTorch's own FLOP counter (torch.utils.flop_counter) on the reference models, forward and
// forward + backward (tools/count_macs.py; tests/reports/benchmark_test.cc).
#pragma once

#include <cstdint>

#include "models/factory.h"

namespace fer::models {

/// Convolution + linear MACs of one image's forward pass at input_size x input_size.
int64_t conv_linear_macs(const ModelSpec& spec, int64_t input_size);
/// Emotion-GCN's label-graph work for one image (0 for other models): the adjacency
/// normalisation D^-1/2 A D^-1/2 (two 9x9 matmuls, redone in every forward as the reference
/// does), the two graph convolutions, and the final x W^T. All but x W^T run once per batch, so
/// for a batch of B the per-image share is smaller; this is the batch-1 count.
int64_t graph_macs(const ModelSpec& spec);
/// 2 x (conv_linear_macs + graph_macs): floating-point operations of one image's forward pass.
double forward_flops(const ModelSpec& spec, int64_t input_size);
/// Forward + backward of one image (batch 1): every convolution and linear layer computes the
/// gradients of its weights and of its input, except the stem convolution (the images need no
/// gradient); in the label graph, the node embeddings and the detached adjacency need none.
double train_step_flops(const ModelSpec& spec, int64_t input_size);

}  // namespace fer::models
