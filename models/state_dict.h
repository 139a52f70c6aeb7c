// Named tensors of a module in PyTorch's state_dict() order: for each module in pre-order, its
// own parameters, then its own buffers, then its children. Checkpoints and the key-list tests
// use this order so files written here list keys exactly as Python writes them.
#pragma once

#include <torch/nn/module.h>

#include <string>
#include <utility>
#include <vector>

namespace fer::models {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

/// Parameters and buffers with their dotted names, as PyTorch's Module.state_dict() orders them.
/// The tensors alias the module's storage.
NamedTensors state_dict(const torch::nn::Module& module);

}  // namespace fer::models
