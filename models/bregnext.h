// BReG-NeXt-50 (Hasani et al., "BReG-NeXt: Facial affect computing using adaptive residual
// networks with bounded gradient", IEEE TAC 2020) as the Emotion-GCN reference's PyTorch port:
// the second backbone of the paper's ablation (Sec. IV).
//
// Each residual unit is BN(in)-ELU-conv3x3(stride)-BN-ELU-conv3x3 plus the bounded shortcut
//   f(x) = atan(a x / sqrt(c^2 + 1)) / (a sqrt(c^2 + 1))            (BReG-NeXt Eq. 3)
// on the unit's input, average-pooled by the stride and zero-padded symmetrically in channels.
// Names follow the reference ("_conv0", "_model.0._layer_stack.0._shortcut._a", "_model.5", ...).
// The reference pads by one pixel and then convolves without padding ("SAME" emulation). So do
// we: a convolution with padding 1 is the same function but not the same arithmetic (oneDNN
// picks another accumulation order on some CPUs, e.g. AVX2-only EPYC), and training then drifts
// from the reference by a few float ULPs per step.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>

#include <cstdint>

namespace fer::models {

/// The learnable bounded shortcut f(x) with scalars a ("_a") and c ("_c"), both initialised to 1.
class BReGNeXtShortcutImpl : public torch::nn::Module {
 public:
  BReGNeXtShortcutImpl();
  at::Tensor forward(const at::Tensor& x);

 private:
  at::Tensor a_, c_;
};
TORCH_MODULE(BReGNeXtShortcut);

/// One residual unit; out_channels >= in_channels (the reference does not handle narrowing).
class BReGNeXtResidualLayerImpl : public torch::nn::Module {
 public:
  BReGNeXtResidualLayerImpl(int64_t in_channels, int64_t out_channels, int64_t stride);
  at::Tensor forward(const at::Tensor& x);

 private:
  int64_t in_channels_, out_channels_, stride_;
  torch::nn::Conv2d conv0_{nullptr}, conv1_{nullptr};
  BReGNeXtShortcut shortcut_{nullptr};
  torch::nn::BatchNorm2d bn0_{nullptr}, bn1_{nullptr};
};
TORCH_MODULE(BReGNeXtResidualLayer);

/// `n` units under "_layer_stack"; the first maps in -> out channels with the given stride.
class BReGNeXtResidualBlockImpl : public torch::nn::Module {
 public:
  BReGNeXtResidualBlockImpl(int64_t n, int64_t in_channels, int64_t out_channels, int64_t stride);
  at::Tensor forward(const at::Tensor& x);

 private:
  torch::nn::Sequential stack_{nullptr};
};
TORCH_MODULE(BReGNeXtResidualBlock);

/// Channels of the pooled BReG-NeXt-50 feature.
constexpr int64_t kBReGNeXtFeatureChannels = 128;

/// The trunk every BReG-NeXt model shares, as the reference's two modules: "_conv0" (3x3, 32
/// channels, no padding: see pad_same) and "_model" (blocks [7x32], [1x64 /2], [8x64], [1x128 /2],
/// [7x128], BN, ELU, global average pool). Each model registers them under those names on itself
/// (models/heads.h: BReGNeXtModelImpl), so its keys carry no extra prefix.
torch::nn::Conv2d make_bregnext_conv0();
/// F.pad(x, (1, 1, 1, 1, 0, 0)): one zero pixel on each side of [N, C, H, W], as the reference
/// pads before each 3x3 convolution.
at::Tensor pad_same(const at::Tensor& x);
torch::nn::Sequential make_bregnext_body();

}  // namespace fer::models
