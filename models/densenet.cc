#include "models/densenet.h"

#include <ATen/ATen.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/pooling.h>

#include <string>

namespace fer::models {
namespace nn = torch::nn;

DenseNetOptions densenet121_options() { return DenseNetOptions(); }

int64_t densenet_feature_channels(const DenseNetOptions& options) {
  int64_t channels = options.num_init_features();
  const auto& blocks = options.block_config();
  for (size_t i = 0; i < blocks.size(); ++i) {
    channels += blocks[i] * options.growth_rate();
    if (i + 1 != blocks.size()) channels /= 2;
  }
  return channels;
}

DenseLayerImpl::DenseLayerImpl(int64_t input_features, int64_t growth_rate, int64_t bn_size) {
  // The reference's ReLU and pooling modules hold no state (no state-dict entry): they are
  // applied functionally in forward() and not registered.
  norm1_ = register_module("norm1", nn::BatchNorm2d(input_features));
  conv1_ = register_module(
      "conv1", nn::Conv2d(nn::Conv2dOptions(input_features, bn_size * growth_rate, 1).bias(false)));
  norm2_ = register_module("norm2", nn::BatchNorm2d(bn_size * growth_rate));
  conv2_ = register_module(
      "conv2",
      nn::Conv2d(nn::Conv2dOptions(bn_size * growth_rate, growth_rate, 3).padding(1).bias(false)));
}

at::Tensor DenseLayerImpl::forward(const std::vector<at::Tensor>& inputs) {
  at::Tensor x = inputs.size() == 1 ? inputs[0] : at::cat(inputs, 1);
  x = conv1_->forward(at::relu(norm1_->forward(x)));
  return conv2_->forward(at::relu(norm2_->forward(x)));
}

TransitionImpl::TransitionImpl(int64_t input_features, int64_t output_features) {
  norm_ = register_module("norm", nn::BatchNorm2d(input_features));
  conv_ = register_module(
      "conv", nn::Conv2d(nn::Conv2dOptions(input_features, output_features, 1).bias(false)));
}

at::Tensor TransitionImpl::forward(const at::Tensor& x) {
  return at::avg_pool2d(conv_->forward(at::relu(norm_->forward(x))), 2, 2);
}

DenseBlockImpl::DenseBlockImpl(int64_t num_layers, int64_t input_features, int64_t bn_size,
                               int64_t growth_rate) {
  for (int64_t i = 0; i < num_layers; ++i) {
    layers_.push_back(
        register_module("denselayer" + std::to_string(i + 1),
                        DenseLayer(input_features + i * growth_rate, growth_rate, bn_size)));
  }
}

at::Tensor DenseBlockImpl::forward(const at::Tensor& x) {
  std::vector<at::Tensor> features = {x};
  for (auto& layer : layers_) features.push_back(layer->forward(features));
  return at::cat(features, 1);
}

namespace {

// torchvision's loop over self.modules(): kaiming_normal_ convs, BN weight 1 / bias 0.
void init_like_torchvision(nn::Module& root) {
  torch::NoGradGuard no_grad;
  for (const auto& m : root.modules(/*include_self=*/true)) {
    if (auto* conv = m->as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(conv->weight);
    } else if (auto* bn = m->as<nn::BatchNorm2d>()) {
      nn::init::ones_(bn->weight);
      nn::init::zeros_(bn->bias);
    }
  }
}

}  // namespace

nn::Sequential make_densenet_features(const DenseNetOptions& options) {
  torch::OrderedDict<std::string, nn::AnyModule> f;
  int64_t c = options.num_init_features();
  f.insert("conv0",
           nn::AnyModule(nn::Conv2d(nn::Conv2dOptions(3, c, 7).stride(2).padding(3).bias(false))));
  f.insert("norm0", nn::AnyModule(nn::BatchNorm2d(c)));
  f.insert("relu0", nn::AnyModule(nn::ReLU(nn::ReLUOptions(true))));
  f.insert("pool0", nn::AnyModule(nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2).padding(1))));
  const auto& blocks = options.block_config();
  for (size_t i = 0; i < blocks.size(); ++i) {
    const std::string idx = std::to_string(i + 1);
    f.insert("denseblock" + idx,
             nn::AnyModule(DenseBlock(blocks[i], c, options.bn_size(), options.growth_rate())));
    c += blocks[i] * options.growth_rate();
    if (i + 1 != blocks.size()) {
      f.insert("transition" + idx, nn::AnyModule(Transition(c, c / 2)));
      c /= 2;
    }
  }
  f.insert("norm5", nn::AnyModule(nn::BatchNorm2d(c)));
  nn::Sequential features(std::move(f));
  init_like_torchvision(*features);
  return features;
}

}  // namespace fer::models
