#include "training/sgd.h"

#include <c10/util/Exception.h>

#include <utility>

#include "third_party/torch_compat.h"

namespace fer::training {

std::unique_ptr<torch::optim::SGD> make_sgd(const std::vector<at::Tensor>& params,
                                            const OptimOptions& o) {
  return std::make_unique<torch::optim::SGD>(
      params, torch::optim::SGDOptions(o.lr).momentum(o.momentum).weight_decay(o.weight_decay));
}

void set_lr(torch::optim::SGD& sgd, double lr) {
  for (auto& group : sgd.param_groups()) {
    static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
  }
}

std::vector<at::Tensor> momentum_buffers(torch::optim::SGD& sgd,
                                         const std::vector<at::Tensor>& params) {
  std::vector<at::Tensor> out;
  for (const auto& p : params) {
    auto* state = compat::optimizer_param_state(sgd, p);
    out.push_back(state ? static_cast<torch::optim::SGDParamState&>(*state).momentum_buffer()
                        : at::Tensor());
  }
  return out;
}

void set_momentum_buffers(torch::optim::SGD& sgd, const std::vector<at::Tensor>& params,
                          const std::vector<at::Tensor>& buffers, const c10::Device& device) {
  TORCH_CHECK(buffers.size() == params.size(), "resume state has ", buffers.size(),
              " momentum buffers for ", params.size(), " parameters");
  for (size_t i = 0; i < params.size(); ++i) {
    if (!buffers[i].defined()) continue;
    auto s = std::make_unique<torch::optim::SGDParamState>();
    s->momentum_buffer(buffers[i].to(device));
    compat::set_optimizer_param_state(sgd, params[i], std::move(s));
  }
}

}  // namespace fer::training
