// Mixed precision for the trainer: autocast for a scope (CUDA fp16/bf16, CPU bf16) and dynamic
// loss scaling for fp16, as torch.cuda.amp.autocast / GradScaler do, through ATen's AMP ops.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <string>
#include <vector>

#include "training/options.h"

namespace fer::training {

/// Enables autocast to the precision (kFp32 = off, kFp16, kBf16) on the device for its lifetime.
class AutocastGuard {
 public:
  AutocastGuard(Precision precision, const c10::Device& device);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  bool active_ = false;
  c10::DeviceType device_type_ = c10::kCPU;
};

/// Dynamic loss scaling (initial scale 2^16, x2 every 2000 finite steps, x0.5 on overflow).
/// Disabled, it passes losses through and always allows the step.
class GradScaler {
 public:
  GradScaler(bool enabled, const c10::Device& device);
  at::Tensor scale(const at::Tensor& loss) const;
  /// Unscales the gradients in place; false when they hold inf/NaN (skip the optimiser step).
  bool unscale(const std::vector<at::Tensor>& params);

  bool enabled() const { return enabled_; }
  /// The current loss scale and the count of finite steps since the last change (the two
  /// numbers GradScaler.state_dict() holds as "scale" and "_growth_tracker"); part of the resume
  /// state. Only for an enabled scaler.
  double current_scale() const;
  int64_t growth_tracker() const;
  /// Restores both (a resumed run continues with the scale it had). Only for an enabled scaler.
  void restore(double scale, int64_t growth_tracker);

 private:
  bool enabled_;
  at::Tensor scale_, growth_;
};

}  // namespace fer::training
