// The six networks of the paper's ablation (Sec. IV, Tables I-II), names as the reference:
//   single-task  : DenseNet "features" + "classifier";  BReG-NeXt "_conv0", "_model", "_fc0"
//   multi-task   : DenseNet "model_base", "lin_cat", "lin_cont"; BReG-NeXt "fc_cat", "fc_cont"
//   Emotion-GCN  : image feature x, two graph convolutions "gc1", "gc2" over the label graph "A",
//                  output x W^T (Eq. 5): columns 0-6 expression logits, 7-8 valence/arousal.
// All share one forward signature so the runner treats them alike.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
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
  virtual bool predicts_valence_arousal() const = 0;
  virtual bool uses_label_graph() const = 0;
};
using EmotionModel = std::shared_ptr<EmotionModelImpl>;

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
  bool predicts_valence_arousal() const override { return false; }
  bool uses_label_graph() const override { return false; }

 private:
  torch::nn::Sequential features_{nullptr};
  torch::nn::Linear classifier_{nullptr};
};

class SingleTaskBReGNeXtImpl : public EmotionModelImpl {
 public:
  explicit SingleTaskBReGNeXtImpl(int64_t num_classes = kNumExpressions);
  ModelOutput forward(const at::Tensor& images, const at::Tensor& node_embeddings) override;
  bool predicts_valence_arousal() const override { return false; }
  bool uses_label_graph() const override { return false; }
  /// Pooled 128-d features, before "_fc0".
  at::Tensor features(const at::Tensor& images) { return trunk_.forward(images); }

 private:
  BReGNeXtTrunk trunk_;
  torch::nn::Linear fc0_{nullptr};
};

class MultiTaskDenseNetImpl : public EmotionModelImpl {
 public:
  explicit MultiTaskDenseNetImpl(int64_t num_classes = kNumExpressions);
  ModelOutput forward(const at::Tensor& images, const at::Tensor& node_embeddings) override;
  bool predicts_valence_arousal() const override { return true; }
  bool uses_label_graph() const override { return false; }

 private:
  torch::nn::Sequential model_base_{nullptr};
  torch::nn::Linear lin_cat_{nullptr}, lin_cont_{nullptr};
};

class MultiTaskBReGNeXtImpl : public EmotionModelImpl {
 public:
  explicit MultiTaskBReGNeXtImpl(int64_t num_classes = kNumExpressions);
  ModelOutput forward(const at::Tensor& images, const at::Tensor& node_embeddings) override;
  bool predicts_valence_arousal() const override { return true; }
  bool uses_label_graph() const override { return false; }

 private:
  BReGNeXtTrunk trunk_;
  torch::nn::Linear fc_cont_{nullptr}, fc_cat_{nullptr};
};

/// The Emotion-GCN head shared by both backbones: "gc1" (D -> 512), LeakyReLU(0.2), "gc2"
/// (512 -> feature size), over normalized_adjacency("A") used detached.
class LabelGraphHead {
 public:
  LabelGraphHead(torch::nn::Module& parent, const at::Tensor& adjacency, int64_t embedding_dim,
                 int64_t feature_dim);
  /// features [N, F], node_embeddings [9, D] or [N, 9, D] -> [N, 9].
  at::Tensor forward(const at::Tensor& features, const at::Tensor& node_embeddings);

 private:
  GraphConvolution gc1_{nullptr}, gc2_{nullptr};
  at::Tensor adjacency_;
};

class EmotionGcnDenseNetImpl : public EmotionModelImpl {
 public:
  /// adjacency: label_adjacency(...) [9, 9]; embedding_dim: word-vector size (300 for GloVe).
  EmotionGcnDenseNetImpl(const at::Tensor& adjacency, int64_t embedding_dim = 300);
  ModelOutput forward(const at::Tensor& images, const at::Tensor& node_embeddings) override;
  bool predicts_valence_arousal() const override { return true; }
  bool uses_label_graph() const override { return true; }

 private:
  torch::nn::Sequential features_{nullptr};
  std::unique_ptr<LabelGraphHead> head_;
};

class EmotionGcnBReGNeXtImpl : public EmotionModelImpl {
 public:
  EmotionGcnBReGNeXtImpl(const at::Tensor& adjacency, int64_t embedding_dim = 300);
  ModelOutput forward(const at::Tensor& images, const at::Tensor& node_embeddings) override;
  bool predicts_valence_arousal() const override { return true; }
  bool uses_label_graph() const override { return true; }

 private:
  std::shared_ptr<SingleTaskBReGNeXtImpl> model_;
  std::unique_ptr<LabelGraphHead> head_;
};

}  // namespace fer::models
