#include "models/flops.h"

#include "models/bregnext.h"
#include "models/densenet.h"

namespace fer::models {
namespace {

int64_t head_outputs(const ModelSpec& spec) {
  switch (spec.kind) {
    case ModelKind::kSingleTask:
      return spec.num_classes;
    case ModelKind::kMultiTask:
      return spec.num_classes + kNumDimensions;
    default:
      return 0;  // Emotion-GCN: the classifier is the graph's output (graph_macs).
  }
}

// The first convolution: its input (the images) needs no gradient in training.
int64_t stem_macs(const ModelSpec& spec, int64_t size) {
  if (spec.backbone == Backbone::kBReGNeXt) return size * size * 3 * 32 * 9;  // 3x3, padding 1.
  const int64_t h = (size + 2 * 3 - 7) / 2 + 1;  // conv0: 7x7 stride 2 pad 3.
  return h * h * densenet121_options().num_init_features() * 3 * 49;
}

int64_t densenet_macs(int64_t size) {
  const DenseNetOptions o = densenet121_options();
  int64_t h = (size + 2 * 3 - 7) / 2 + 1;  // conv0: 7x7 stride 2 pad 3.
  int64_t macs = stem_macs({ModelKind::kSingleTask, Backbone::kDenseNet}, size);
  h = (h + 2 * 1 - 3) / 2 + 1;  // pool0: 3x3 stride 2 pad 1.
  int64_t c = o.num_init_features();
  const auto& blocks = o.block_config();
  for (size_t b = 0; b < blocks.size(); ++b) {
    for (int64_t l = 0; l < blocks[b]; ++l) {
      const int64_t in = c + l * o.growth_rate(), mid = o.bn_size() * o.growth_rate();
      macs += h * h * in * mid + h * h * mid * o.growth_rate() * 9;
    }
    c += blocks[b] * o.growth_rate();
    if (b + 1 != blocks.size()) {
      macs += h * h * c * (c / 2);
      c /= 2;
      h /= 2;
    }
  }
  return macs;
}

int64_t bregnext_macs(int64_t size) {
  int64_t h = size, macs = stem_macs({ModelKind::kSingleTask, Backbone::kBReGNeXt}, size);
  const int64_t blocks[5][4] = {
      {7, 32, 32, 1}, {1, 32, 64, 2}, {8, 64, 64, 1}, {1, 64, 128, 2}, {7, 128, 128, 1}};
  for (const auto& b : blocks) {
    for (int64_t u = 0; u < b[0]; ++u) {
      const int64_t in = u == 0 ? b[1] : b[2], out = b[2];
      h = (h + 2 - 3) / b[3] + 1;
      macs += h * h * in * out * 9 + h * h * out * out * 9;
    }
  }
  return macs;
}

int64_t feature_dim(const ModelSpec& spec) {
  return spec.backbone == Backbone::kDenseNet ? densenet_feature_channels(densenet121_options())
                                              : kBReGNeXtFeatureChannels;
}

}  // namespace

int64_t conv_linear_macs(const ModelSpec& spec, int64_t input_size) {
  const int64_t trunk =
      spec.backbone == Backbone::kDenseNet ? densenet_macs(input_size) : bregnext_macs(input_size);
  return trunk + feature_dim(spec) * head_outputs(spec);
}

namespace {

// The label graph's matmuls: gc1 (X W1, then A'), gc2 (H W2, then A'), x W^T, and A's
// normalisation (two n x n x n products).
struct GraphMacs {
  int64_t gc1_weight = 0, gc1_adjacency = 0, gc2_weight = 0, gc2_adjacency = 0, classifier = 0,
          normalise = 0;
};

GraphMacs graph_parts(const ModelSpec& spec) {
  if (spec.kind != ModelKind::kEmotionGcn) return {};
  const int64_t n = kNumLabelNodes, f = feature_dim(spec);
  return {n * spec.embedding_dim * 512, n * n * 512, n * 512 * f, n * n * f, f * n, 2 * n * n * n};
}

}  // namespace

int64_t graph_macs(const ModelSpec& spec) {
  const GraphMacs g = graph_parts(spec);
  return g.gc1_weight + g.gc1_adjacency + g.gc2_weight + g.gc2_adjacency + g.classifier +
         g.normalise;
}

double forward_flops(const ModelSpec& spec, int64_t input_size) {
  return 2.0 * static_cast<double>(conv_linear_macs(spec, input_size) + graph_macs(spec));
}

double train_step_flops(const ModelSpec& spec, int64_t input_size) {
  // Backward: weight and input gradients (2x forward), less the stem's input gradient.
  const int64_t trunk = 3 * conv_linear_macs(spec, input_size) - stem_macs(spec, input_size);
  // Backward of the graph: X W1 needs only dW1 (X is data), A' products only the gradient of
  // their right factor (A' is detached), H W2 and x W^T both gradients; the normalisation none.
  const GraphMacs g = graph_parts(spec);
  const int64_t graph = 2 * g.gc1_weight + 2 * g.gc1_adjacency + 3 * g.gc2_weight +
                        2 * g.gc2_adjacency + 3 * g.classifier + g.normalise;
  return 2.0 * static_cast<double>(trunk + graph);
}

}  // namespace fer::models
