#include "models/bregnext.h"

#include <ATen/ATen.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/pooling.h>

namespace fer::models {
namespace nn = torch::nn;

BReGNeXtShortcutImpl::BReGNeXtShortcutImpl() {
  a_ = register_parameter("_a", at::ones({1}));
  c_ = register_parameter("_c", at::ones({1}));
}

at::Tensor BReGNeXtShortcutImpl::forward(const at::Tensor& x) {
  at::Tensor root = at::sqrt(c_ * c_ + 1);
  return at::atan(a_ * x / root) / (a_ * root);
}

BReGNeXtResidualLayerImpl::BReGNeXtResidualLayerImpl(int64_t in_channels, int64_t out_channels,
                                                     int64_t stride)
    : in_channels_(in_channels), out_channels_(out_channels), stride_(stride) {
  TORCH_CHECK(out_channels >= in_channels, "BReG-NeXt unit cannot narrow channels: ", in_channels,
              " -> ", out_channels);
  TORCH_CHECK((out_channels - in_channels) % 2 == 0, "BReG-NeXt widening must be even, got ",
              in_channels, " -> ", out_channels);
  // The reference re-initialises each weight with kaiming_uniform_ (a = 0, fan-in) right after
  // creating its convolution; biases keep the Conv2d default. Same order, same random stream.
  torch::NoGradGuard no_grad;
  conv0_ = register_module(
      "_conv0", nn::Conv2d(nn::Conv2dOptions(in_channels, out_channels, 3).stride(stride)));
  nn::init::kaiming_uniform_(conv0_->weight);
  conv1_ = register_module("_conv1", nn::Conv2d(nn::Conv2dOptions(out_channels, out_channels, 3)));
  nn::init::kaiming_uniform_(conv1_->weight);
  shortcut_ = register_module("_shortcut", BReGNeXtShortcut());
  bn0_ = register_module("_batchnorm_conv0", nn::BatchNorm2d(in_channels));
  bn1_ = register_module("_batchnorm_conv1", nn::BatchNorm2d(out_channels));
}

at::Tensor BReGNeXtResidualLayerImpl::forward(const at::Tensor& x) {
  at::Tensor y = conv0_->forward(pad_same(at::elu(bn0_->forward(x))));
  y = conv1_->forward(pad_same(at::elu(bn1_->forward(y))));
  at::Tensor shortcut = shortcut_->forward(x);
  if (stride_ > 1) shortcut = at::avg_pool2d(shortcut, stride_, stride_);
  if (out_channels_ > in_channels_) {
    const int64_t pad = (out_channels_ - in_channels_) / 2;
    shortcut = at::constant_pad_nd(shortcut, {0, 0, 0, 0, pad, pad});
  }
  return y + shortcut;
}

BReGNeXtResidualBlockImpl::BReGNeXtResidualBlockImpl(int64_t n, int64_t in_channels,
                                                     int64_t out_channels, int64_t stride) {
  stack_ = register_module("_layer_stack", nn::Sequential());
  stack_->push_back(BReGNeXtResidualLayer(in_channels, out_channels, stride));
  // As the reference: later units keep the block's stride (every strided block has n = 1).
  for (int64_t i = 1; i < n; ++i) {
    stack_->push_back(BReGNeXtResidualLayer(out_channels, out_channels, stride));
  }
}

at::Tensor BReGNeXtResidualBlockImpl::forward(const at::Tensor& x) { return stack_->forward(x); }

nn::Conv2d make_bregnext_conv0() { return nn::Conv2d(nn::Conv2dOptions(3, 32, 3)); }

at::Tensor pad_same(const at::Tensor& x) { return at::constant_pad_nd(x, {1, 1, 1, 1, 0, 0}); }

nn::Sequential make_bregnext_body() {
  nn::Sequential body;
  body->push_back(BReGNeXtResidualBlock(7, 32, 32, 1));
  body->push_back(BReGNeXtResidualBlock(1, 32, 64, 2));
  body->push_back(BReGNeXtResidualBlock(8, 64, 64, 1));
  body->push_back(BReGNeXtResidualBlock(1, 64, 128, 2));
  body->push_back(BReGNeXtResidualBlock(7, 128, 128, 1));
  body->push_back(nn::BatchNorm2d(kBReGNeXtFeatureChannels));
  body->push_back(nn::ELU());
  body->push_back(nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions({1, 1})));
  return body;
}

}  // namespace fer::models
