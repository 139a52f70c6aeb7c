#include "training/amp.h"

#include <ATen/ATen.h>

#include <cmath>

#include "third_party/torch_compat.h"

namespace fer::training {

AutocastGuard::AutocastGuard(Precision precision, const c10::Device& device) {
  if (precision == Precision::kFp32) return;
  const auto dtype = precision == Precision::kFp16 ? at::kHalf : at::kBFloat16;
  device_type_ = device.type();
  compat::set_autocast(device_type_, /*enabled=*/true, dtype);
  active_ = true;
}

AutocastGuard::~AutocastGuard() {
  if (!active_) return;
  compat::set_autocast(device_type_, /*enabled=*/false);
  compat::clear_autocast_cache();
}

GradScaler::GradScaler(bool enabled, const c10::Device& device) : enabled_(enabled) {
  if (!enabled) return;
  scale_ = at::full({1}, 65536.0, at::TensorOptions().dtype(at::kFloat).device(device));
  growth_ = at::zeros({1}, at::TensorOptions().dtype(at::kInt).device(device));
}

at::Tensor GradScaler::scale(const at::Tensor& loss) const {
  return enabled_ ? loss * scale_.to(loss.scalar_type()) : loss;
}

bool GradScaler::unscale(const std::vector<at::Tensor>& params) {
  if (!enabled_) return true;
  std::vector<at::Tensor> grads;
  for (const auto& p : params) {
    if (p.grad().defined()) grads.push_back(p.grad());
  }
  at::Tensor found_inf = at::zeros({1}, scale_.options());
  at::_amp_foreach_non_finite_check_and_unscale_(grads, found_inf, scale_.reciprocal());
  at::_amp_update_scale_(scale_, growth_, found_inf, 2.0, 0.5, 2000);
  return found_inf.item<float>() == 0.0f;
}

double GradScaler::current_scale() const {
  TORCH_CHECK(enabled_, "the loss scaler is disabled");
  return scale_.item<double>();
}

int64_t GradScaler::growth_tracker() const {
  TORCH_CHECK(enabled_, "the loss scaler is disabled");
  return growth_.item<int64_t>();
}

void GradScaler::restore(double scale, int64_t growth_tracker) {
  TORCH_CHECK(enabled_, "the loss scaler is disabled");
  TORCH_CHECK(scale > 0 && std::isfinite(scale), "loss scale must be positive and finite, got ",
              scale);
  TORCH_CHECK(growth_tracker >= 0, "growth tracker must be >= 0, got ", growth_tracker);
  scale_.fill_(scale);
  growth_.fill_(growth_tracker);
}

}  // namespace fer::training
