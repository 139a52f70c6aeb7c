// Checkpoints in the reference training script's format, readable by Python:
//   torch.load(path) -> {'epoch': int, 'model_state_dict': {name: tensor},
//                        'optimizer_state_dict': {'state': {i: {'momentum_buffer': t}},
//                                                 'param_groups': [{'lr': ..., 'params': [...]}]}}
// so `model.load_state_dict(ckpt['model_state_dict'])` restores our weights into the reference
// models, and strict loading of state dicts into our models with complete mismatch reports.
#pragma once

#include <torch/nn/module.h>

#include <cstdint>
#include <string>
#include <vector>

#include "models/state_dict.h"

namespace fer::models {

/// SGD state as torch.optim.SGD.state_dict() describes it. momentum_buffers: one per
/// parameter in module.parameters() order (undefined before the first step).
struct SgdState {
  double lr = 0.001, momentum = 0.9, dampening = 0, weight_decay = 0.001;
  bool nesterov = false;
  std::vector<at::Tensor> momentum_buffers;
};

/// Writes the reference format (torch.save-compatible zip). Throws fer::Error on I/O failure.
void save_reference_checkpoint(const std::string& path, const torch::nn::Module& model,
                               int64_t epoch, const SgdState& sgd);

struct LoadedCheckpoint {
  NamedTensors model_state;  // 'model_state_dict', or the file itself when it is a bare state dict.
  int64_t epoch = -1;        // -1 when absent.
  bool has_optimizer = false;
  SgdState sgd;              // When has_optimizer.
};

/// Reads a checkpoint written by save_reference_checkpoint (or any torch.save'd plain dict).
/// Throws fer::Error naming the file for unreadable or malformed content.
LoadedCheckpoint read_checkpoint(const std::string& path);

/// Copies `state` into the module's parameters and buffers. Strict: throws fer::Error listing
/// every missing and unexpected key and every shape mismatch (nothing is copied then).
/// `source` names the file in messages.
void load_state_dict(torch::nn::Module& module, const NamedTensors& state, const std::string& source);

}  // namespace fer::models
