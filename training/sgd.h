// The reference's optimiser state as LibTorch holds it: SGD's learning rate (set by StepLR each
// epoch) and its per-parameter momentum buffers, read for checkpoints and resume states and
// restored from them. LibTorch-version differences live in third_party/torch_compat.h.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <torch/optim/sgd.h>

#include <memory>
#include <vector>

#include "training/options.h"

namespace fer::training {

/// torch.optim.SGD(params, lr, momentum, weight_decay) as the reference builds it.
std::unique_ptr<torch::optim::SGD> make_sgd(const std::vector<at::Tensor>& params,
                                            const OptimOptions& options);
/// Sets the learning rate of every parameter group.
void set_lr(torch::optim::SGD& sgd, double lr);
/// Each parameter's momentum buffer, in `params` order; undefined before its first step.
std::vector<at::Tensor> momentum_buffers(torch::optim::SGD& sgd,
                                         const std::vector<at::Tensor>& params);
/// Restores buffers (undefined ones stay absent) onto `device`. Throws c10::Error when the
/// counts differ.
void set_momentum_buffers(torch::optim::SGD& sgd, const std::vector<at::Tensor>& params,
                          const std::vector<at::Tensor>& buffers, const c10::Device& device);

}  // namespace fer::training
