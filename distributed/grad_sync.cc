#include "distributed/grad_sync.h"

#include <ATen/ATen.h>

#include "core/error.h"

namespace fer::distributed {

GradientSync::GradientSync(Group& group, std::vector<at::Tensor> params, Mode mode,
                           int64_t bucket_bytes)
    : group_(group), params_(std::move(params)), mode_(mode), slots_(params_.size()) {
  TORCH_CHECK(bucket_bytes >= 1, "bucket size must be positive, got ", bucket_bytes);
  // Reverse order: the last layers' gradients are computed first.
  int64_t bytes = 0, offset = 0;
  std::vector<int64_t> elements;  // Per bucket: the running offset at its end.
  for (size_t k = params_.size(); k-- > 0;) {
    const at::Tensor& p = params_[k];
    const bool full = mode_ == Mode::kOverlap && bytes >= bucket_bytes;
    const bool other_dtype =
        !buckets_.empty() &&
        params_[static_cast<size_t>(buckets_.back().params.front())].scalar_type() !=
            p.scalar_type();
    if (buckets_.empty() || full || other_dtype) {
      buckets_.emplace_back();
      elements.push_back(0);
      bytes = offset = 0;
    }
    slots_[k].bucket = static_cast<int64_t>(buckets_.size()) - 1;
    slots_[k].offset = offset;
    buckets_.back().params.push_back(static_cast<int64_t>(k));
    offset += p.numel();
    elements.back() = offset;
    bytes += p.numel() * static_cast<int64_t>(p.element_size());
  }
  for (size_t i = 0; i < buckets_.size(); ++i) {
    const at::Tensor& first = params_[static_cast<size_t>(buckets_[i].params.front())];
    buckets_[i].flat = at::zeros({elements[i]}, first.options());
  }
  if (mode_ == Mode::kOverlap) {
    for (size_t k = 0; k < params_.size(); ++k) {
      hooks_.push_back(
          params_[k].register_hook([this, k](const at::Tensor& grad) { on_gradient(k, grad); }));
    }
  }
}

GradientSync::~GradientSync() {
  for (size_t k = 0; k < hooks_.size(); ++k) params_[k].remove_hook(hooks_[k]);
}

void GradientSync::prepare() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& s : slots_) s.ready = false;
  for (auto& b : buckets_) {
    b.ready = 0;
    b.launched = false;
  }
}

void GradientSync::on_gradient(size_t index, const at::Tensor& grad) {
  std::lock_guard<std::mutex> lock(mutex_);
  Slot& s = slots_[index];
  Bucket& b = buckets_[static_cast<size_t>(s.bucket)];
  // A parameter used twice in one forward gets two hook calls: sum them, as .grad would.
  auto view = b.flat.narrow(0, s.offset, params_[index].numel());
  if (s.ready) {
    view.add_(grad.reshape(-1));
    return;
  }
  view.copy_(grad.reshape(-1));
  s.ready = true;
  if (++b.ready == static_cast<int64_t>(b.params.size())) launch(b);
}

void GradientSync::launch(Bucket& b) {
  b.launched = true;
  b.pending = group_.allreduce_sum_async(b.flat, "gradient all-reduce");
}

void GradientSync::finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  // Which parameters got a gradient on some rank (one small all-reduce): those that got none
  // anywhere keep no gradient, as in one process, so SGD applies no weight decay or momentum to
  // them (the graph's A, BReG-NeXt-GCN's unused _fc0).
  at::Tensor used = at::zeros({static_cast<int64_t>(params_.size())}, at::kFloat);
  float* flags = used.data_ptr<float>();
  for (size_t j = 0; j < params_.size(); ++j) {
    flags[j] = (mode_ == Mode::kAfterBackward ? params_[j].grad().defined() : slots_[j].ready)
                   ? 1.0f
                   : 0.0f;
  }
  at::Tensor used_anywhere = used.to(params_.front().device());
  Pending used_pending =
      group_.allreduce_sum_async(used_anywhere, "all-reduce of the parameters with a gradient");
  for (auto& b : buckets_) {
    if (b.launched) continue;
    // After-backward mode, or parameters without a gradient this step (zeros from this rank).
    for (int64_t j : b.params) {
      Slot& s = slots_[static_cast<size_t>(j)];
      const at::Tensor& p = params_[static_cast<size_t>(j)];
      auto view = b.flat.narrow(0, s.offset, p.numel());
      if (mode_ == Mode::kAfterBackward && p.grad().defined()) {
        view.copy_(p.grad().reshape(-1));
      } else if (!s.ready) {
        view.zero_();
      }
    }
    launch(b);
  }
  used_pending.wait();
  used = used_anywhere.cpu();
  const double scale = 1.0 / group_.size();
  for (auto& b : buckets_) {
    b.pending.wait();
    b.flat.mul_(scale);
    for (int64_t j : b.params) {
      at::Tensor& p = params_[static_cast<size_t>(j)];
      if (used.data_ptr<float>()[j] == 0) {
        p.mutable_grad() = at::Tensor();
        continue;
      }
      const auto mean =
          b.flat.narrow(0, slots_[static_cast<size_t>(j)].offset, p.numel()).view(p.sizes());
      if (!p.grad().defined()) p.mutable_grad() = at::zeros_like(p);
      p.mutable_grad().copy_(mean);
    }
  }
}

}  // namespace fer::distributed
