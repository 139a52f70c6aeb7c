#include "models/heads.h"

#include <ATen/ATen.h>
#include <torch/nn/init.h>

#include <cmath>

namespace fer::models {
namespace nn = torch::nn;
namespace {

// Split the Emotion-GCN output columns into expressions and valence/arousal.
ModelOutput split_graph_output(const at::Tensor& out) {
  return {out.slice(1, 0, kNumExpressions), out.slice(1, kNumExpressions, kNumLabelNodes)};
}

// DenseNet heads of torchvision / the reference: ReLU, global average pool, flatten.
at::Tensor densenet_pooled(const at::Tensor& features) {
  return at::flatten(at::adaptive_avg_pool2d(at::relu(features), {1, 1}), 1);
}

}  // namespace

GraphConvolutionImpl::GraphConvolutionImpl(int64_t in_features, int64_t out_features) {
  weight_ = register_parameter("weight", at::empty({in_features, out_features}));
  const double bound = 1.0 / std::sqrt(static_cast<double>(out_features));
  torch::NoGradGuard no_grad;
  weight_.uniform_(-bound, bound);
}

at::Tensor GraphConvolutionImpl::forward(const at::Tensor& x, const at::Tensor& adjacency) {
  return at::matmul(adjacency, at::matmul(x, weight_));
}

SingleTaskDenseNetImpl::SingleTaskDenseNetImpl(int64_t num_classes) {
  const auto options = densenet121_options();
  features_ = register_module("features", make_densenet_features(options));
  classifier_ =
      register_module("classifier", nn::Linear(densenet_feature_channels(options), num_classes));
}

ModelOutput SingleTaskDenseNetImpl::forward(const at::Tensor& images, const at::Tensor&) {
  return {classifier_->forward(densenet_pooled(features_->forward(images))), at::Tensor()};
}

void BReGNeXtModelImpl::register_trunk() {
  conv0_ = register_module("_conv0", make_bregnext_conv0());
  model_ = register_module("_model", make_bregnext_body());
}

at::Tensor BReGNeXtModelImpl::features(const at::Tensor& images) {
  return model_->forward(conv0_->forward(pad_same(images))).reshape({-1, kBReGNeXtFeatureChannels});
}

SingleTaskBReGNeXtImpl::SingleTaskBReGNeXtImpl(int64_t num_classes) {
  register_trunk();
  fc0_ = register_module("_fc0", nn::Linear(kBReGNeXtFeatureChannels, num_classes));
}

ModelOutput SingleTaskBReGNeXtImpl::forward(const at::Tensor& images, const at::Tensor&) {
  return {fc0_->forward(features(images)), at::Tensor()};
}

MultiTaskDenseNetImpl::MultiTaskDenseNetImpl(int64_t num_classes) {
  const auto options = densenet121_options();
  const int64_t channels = densenet_feature_channels(options);
  model_base_ = register_module("model_base", make_densenet_features(options));
  lin_cat_ = register_module("lin_cat", nn::Linear(channels, num_classes));
  lin_cont_ = register_module("lin_cont", nn::Linear(channels, kNumDimensions));
}

ModelOutput MultiTaskDenseNetImpl::forward(const at::Tensor& images, const at::Tensor&) {
  at::Tensor pooled = densenet_pooled(model_base_->forward(images));
  return {lin_cat_->forward(pooled), lin_cont_->forward(pooled)};
}

MultiTaskBReGNeXtImpl::MultiTaskBReGNeXtImpl(int64_t num_classes) {
  register_trunk();
  fc_cont_ = register_module("fc_cont", nn::Linear(kBReGNeXtFeatureChannels, kNumDimensions));
  fc_cat_ = register_module("fc_cat", nn::Linear(kBReGNeXtFeatureChannels, num_classes));
}

ModelOutput MultiTaskBReGNeXtImpl::forward(const at::Tensor& images, const at::Tensor&) {
  at::Tensor pooled = features(images);
  return {fc_cat_->forward(pooled), fc_cont_->forward(pooled)};
}

void LabelGraphModelImpl::register_label_graph(const at::Tensor& adjacency, int64_t embedding_dim,
                                               int64_t feature_dim) {
  TORCH_CHECK(adjacency.sizes() == at::IntArrayRef({kNumLabelNodes, kNumLabelNodes}),
              "Emotion-GCN: expected a [9, 9] label adjacency, got ", adjacency.sizes());
  gc1_ = register_module("gc1", GraphConvolution(embedding_dim, 512));
  gc2_ = register_module("gc2", GraphConvolution(512, feature_dim));
  // A is a parameter so checkpoints carry it, but, as in the reference, it is used detached.
  adjacency_ = register_parameter("A", adjacency.to(at::kFloat).clone());
}

ModelOutput LabelGraphModelImpl::graph_forward(const at::Tensor& features,
                                               const at::Tensor& node_embeddings) {
  TORCH_CHECK(node_embeddings.defined(), "Emotion-GCN needs node embeddings [9, D]");
  at::Tensor nodes = node_embeddings.dim() == 3 ? node_embeddings[0] : node_embeddings;
  TORCH_CHECK(nodes.dim() == 2 && nodes.size(0) == kNumLabelNodes,
              "Emotion-GCN: expected node embeddings [9, D], got ", node_embeddings.sizes());
  at::Tensor adj = normalized_adjacency(adjacency_).detach();
  at::Tensor w = gc2_->forward(at::leaky_relu(gc1_->forward(nodes, adj), 0.2), adj);
  return split_graph_output(at::matmul(features, w.t()));
}

EmotionGcnDenseNetImpl::EmotionGcnDenseNetImpl(const at::Tensor& adjacency, int64_t embedding_dim) {
  const auto options = densenet121_options();
  features_ = register_module("features", make_densenet_features(options));
  register_label_graph(adjacency, embedding_dim, densenet_feature_channels(options));
}

ModelOutput EmotionGcnDenseNetImpl::forward(const at::Tensor& images, const at::Tensor& nodes) {
  at::Tensor f = features_->forward(images);
  // The reference's MaxPool2d(7, 7) at 227 px (3, 3 at 112 px) covers the whole map: a global
  // max pool, without ReLU.
  f = at::flatten(at::max_pool2d(f, {f.size(2), f.size(3)}, {f.size(2), f.size(3)}), 1);
  return graph_forward(f, nodes);
}

EmotionGcnBReGNeXtImpl::EmotionGcnBReGNeXtImpl(const at::Tensor& adjacency, int64_t embedding_dim) {
  model_ = register_module("model", std::make_shared<SingleTaskBReGNeXtImpl>(kNumExpressions));
  register_label_graph(adjacency, embedding_dim, kBReGNeXtFeatureChannels);
}

ModelOutput EmotionGcnBReGNeXtImpl::forward(const at::Tensor& images, const at::Tensor& nodes) {
  return graph_forward(model_->features(images), nodes);
}

}  // namespace fer::models
