// Analytic operation counts of the six models (for the throughput reports: achieved GFLOP/s and
// the fraction of the measured peak). Counts multiply-accumulates of convolutions and linear
// layers (what torchvision's model table and fvcore report as "GFLOPS"), plus the label-graph
// matmuls of Emotion-GCN; BatchNorm, activations and pooling are not counted.
#pragma once

#include <cstdint>

#include "models/factory.h"

namespace fer::models {

/// Convolution + linear MACs of one image's forward pass at input_size x input_size.
int64_t conv_linear_macs(const ModelSpec& spec, int64_t input_size);
/// Emotion-GCN's graph convolutions and final x W^T for one image (0 for other models).
int64_t graph_macs(const ModelSpec& spec);
/// 2 x (conv_linear_macs + graph_macs): floating-point operations of one image's forward pass.
double forward_flops(const ModelSpec& spec, int64_t input_size);
/// Forward + backward (inputs and weights): the usual 3 x forward.
double train_step_flops(const ModelSpec& spec, int64_t input_size);

}  // namespace fer::models
