// DenseNet-121 (Huang et al., CVPR 2017) exactly as torchvision 0.14 builds it:
// the image backbone of Emotion-GCN (paper Sec. III-A) and its baselines.
//
// Parameter and buffer names equal torchvision's ("conv0", "denseblock1.denselayer1.norm1.weight",
// "transition1.conv", "norm5", ...), so torchvision state dicts load key for key, and the
// initialisation is torchvision's: kaiming-normal (fan-in) convolutions, BatchNorm weight 1 / bias
// 0.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>

#include <cstdint>
#include <vector>

namespace fer::models {

struct DenseNetOptions {
  /// Channels each dense layer adds (k in the DenseNet paper). Default 32.
  TORCH_ARG(int64_t, growth_rate) = 32;
  /// Dense layers per block. Default 6-12-24-16 (DenseNet-121).
  TORCH_ARG(std::vector<int64_t>, block_config) = std::vector<int64_t>{6, 12, 24, 16};
  /// Channels of the stem convolution. Default 64.
  TORCH_ARG(int64_t, num_init_features) = 64;
  /// Bottleneck width factor: the 1x1 conv outputs bn_size * growth_rate channels. Default 4.
  TORCH_ARG(int64_t, bn_size) = 4;
};

/// torchvision's densenet121() configuration.
DenseNetOptions densenet121_options();

/// Channels leaving `features` (1024 for DenseNet-121).
int64_t densenet_feature_channels(const DenseNetOptions& options);

/// norm1-relu1-conv1(1x1)-norm2-relu2-conv2(3x3) over the concatenated inputs.
class DenseLayerImpl : public torch::nn::Module {
 public:
  DenseLayerImpl(int64_t input_features, int64_t growth_rate, int64_t bn_size);
  at::Tensor forward(const std::vector<at::Tensor>& inputs);

 private:
  torch::nn::BatchNorm2d norm1_{nullptr}, norm2_{nullptr};
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
};
TORCH_MODULE(DenseLayer);

/// `num_layers` dense layers named denselayer1..N; output = concat of input and every layer.
class DenseBlockImpl : public torch::nn::Module {
 public:
  DenseBlockImpl(int64_t num_layers, int64_t input_features, int64_t bn_size, int64_t growth_rate);
  at::Tensor forward(const at::Tensor& x);

 private:
  std::vector<DenseLayer> layers_;
};
TORCH_MODULE(DenseBlock);

/// norm-relu-conv(1x1)-pool(avg 2x2): halves channels and resolution between blocks.
class TransitionImpl : public torch::nn::Module {
 public:
  TransitionImpl(int64_t input_features, int64_t output_features);
  at::Tensor forward(const at::Tensor& x);

 private:
  torch::nn::BatchNorm2d norm_{nullptr};
  torch::nn::Conv2d conv_{nullptr};
};
TORCH_MODULE(Transition);

/// torchvision's `features` Sequential: conv0, norm0, relu0, pool0, denseblock1, transition1,
/// ..., denseblock4, norm5; initialised as torchvision does. Output [N, 1024, H/32, W/32]
/// (no final ReLU: heads apply their own).
torch::nn::Sequential make_densenet_features(const DenseNetOptions& options);

}  // namespace fer::models
