// The six networks of the paper's ablation (Sec. IV, Tables I-II), names as the reference:
//   single-task  : DenseNet "features" + "classifier";  BReG-NeXt "_conv0", "_model", "_fc0"
//   multi-task   : DenseNet "model_base", "lin_cat", "lin_cont"; BReG-NeXt "fc_cat", "fc_cont"
//   Emotion-GCN  : image feature x, two graph convolutions "gc1", "gc2" over the label graph "A",
//                  output x W^T (Eq. 5): columns 0-6 expression logits, 7-8 valence/arousal.
// All share one forward signature so the runner treats them alike.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <memory>

#include "models/bregnext.h"
#include "models/densenet.h"
#include "models/label_graph.h"

namespace fer::models {

/// What every model returns: expression logits [N, K] and, except single-task models,
/// valence/arousal predictions [N, 2] (undefined tensor otherwise).
struct ModelOutput {
  at::Tensor expression;
  at::Tensor valence_arousal;
};

/// The common interface of the six models.
class EmotionModelImpl : public torch::nn::Module {
 public:
  /// images [N, 3, H, W] (ImageNet-normalised); node_embeddings [9, D] or [N, 9, D] (the
  /// reference passes a batch of identical copies and uses the first); ignored unless
  /// uses_label_graph().
  virtual ModelOutput forward(const at::Tensor& images, const at::Tensor& node_embeddings) = 0;
};
/// A model as LibTorch's module holders hold one (shared; `->` reaches the Impl).
TORCH_MODULE(EmotionModel);

/// Graph convolution (Kipf & Welling; paper Eq. 2) without bias: adj (x W).
/// W [in, out] ("weight") ~ uniform(-1/sqrt(out), 1/sqrt(out)) as the reference.
class GraphConvolutionImpl : public torch::nn::Module {
 public:
  GraphConvolutionImpl(int64_t in_features, int64_t out_features);
  at::Tensor forward(const at::Tensor& x, const at::Tensor& adjacency);

 private:
  at::Tensor weight_;
};
TORCH_MODULE(GraphConvolution);

class SingleTaskDenseNetImpl : public EmotionModelImpl {
 public:
  explicit SingleTaskDenseNetImpl(int64_t num_classes = kNumExpressions);
  ModelOutput forward(const at::Tensor& images, const at::Tensor& node_embeddings) override;

 private:
  torch::nn::Sequential features_{nullptr};
  torch::nn::Linear classifier_{nullptr};
};

/// What the BReG-NeXt models share: the trunk's "_conv0" and "_model", on the model itself.
class BReGNeXtModelImpl : public EmotionModelImpl {
 public:
  /// images [N, 3, H, W] -> pooled features [N, 128].
  at::Tensor features(const at::Tensor& images);

 protected:
  /// Registers "_conv0" and "_model" on this model; call first in the constructor.
  void register_trunk();

 private:
  torch::nn::Conv2d conv0_{nullptr};
  torch::nn::Sequential model_{nullptr};
};

class SingleTaskBReGNeXtImpl : public BReGNeXtModelImpl {
 public:
  explicit SingleTaskBReGNeXtImpl(int64_t num_classes = kNumExpressions);
  ModelOutput forward(const at::Tensor& images, const at::Tensor& node_embeddings) override;

 private:
  torch::nn::Linear fc0_{nullptr};
};

class MultiTaskDenseNetImpl : public EmotionModelImpl {
 public:
  explicit MultiTaskDenseNetImpl(int64_t num_classes = kNumExpressions);
  ModelOutput forward(const at::Tensor& images, const at::Tensor& node_embeddings) override;

 private:
  torch::nn::Sequential model_base_{nullptr};
  torch::nn::Linear lin_cat_{nullptr}, lin_cont_{nullptr};
};

class MultiTaskBReGNeXtImpl : public BReGNeXtModelImpl {
 public:
  explicit MultiTaskBReGNeXtImpl(int64_t num_classes = kNumExpressions);
  ModelOutput forward(const at::Tensor& images, const at::Tensor& node_embeddings) override;

 private:
  torch::nn::Linear fc_cont_{nullptr}, fc_cat_{nullptr};
};

/// What both Emotion-GCN models share: "gc1" (D -> 512), LeakyReLU(0.2), "gc2" (512 ->
/// feature size), over normalized_adjacency("A") used detached. The graph's modules are this
/// model's own (the reference's names have no prefix), registered after the backbone.
class LabelGraphModelImpl : public EmotionModelImpl {
 protected:
  /// Registers gc1, gc2 and A on this model; call after registering the backbone.
  void register_label_graph(const at::Tensor& adjacency, int64_t embedding_dim,
                            int64_t feature_dim);
  /// features [N, F], node_embeddings [9, D] or [N, 9, D] -> expression logits and VA.
  ModelOutput graph_forward(const at::Tensor& features, const at::Tensor& node_embeddings);

 private:
  GraphConvolution gc1_{nullptr}, gc2_{nullptr};
  at::Tensor adjacency_;
};

class EmotionGcnDenseNetImpl : public LabelGraphModelImpl {
 public:
  /// adjacency: label_adjacency(...) [9, 9]; embedding_dim: word-vector size (300 for GloVe).
  EmotionGcnDenseNetImpl(const at::Tensor& adjacency, int64_t embedding_dim = 300);
  ModelOutput forward(const at::Tensor& images, const at::Tensor& node_embeddings) override;

 private:
  torch::nn::Sequential features_{nullptr};
};

class EmotionGcnBReGNeXtImpl : public LabelGraphModelImpl {
 public:
  EmotionGcnBReGNeXtImpl(const at::Tensor& adjacency, int64_t embedding_dim = 300);
  ModelOutput forward(const at::Tensor& images, const at::Tensor& node_embeddings) override;

 private:
  std::shared_ptr<SingleTaskBReGNeXtImpl> model_;
};

}  // namespace fer::models
