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
  SgdState sgd;  // When has_optimizer.
};

/// Reads a Python torch.save file (zip or legacy format; see torch_file.h): a bare state dict,
/// the reference script's {'epoch', 'model_state_dict', 'optimizer_state_dict'}, or a file
/// written by save_reference_checkpoint. Throws fer::Error naming the file for unreadable,
/// truncated or malformed content.
LoadedCheckpoint read_checkpoint(const std::string& path);

/// Copies `state` into the module's parameters and buffers. Strict: throws fer::Error listing
/// every missing and unexpected key and every shape mismatch (nothing is copied then).
/// `source` names the file in messages.
void load_state_dict(torch::nn::Module& module, const NamedTensors& state,
                     const std::string& source);
/// As above; optionally tolerates absent BatchNorm num_batches_tracked buffers (files written
/// before PyTorch 0.4.1, such as torchvision's ImageNet weights), which then stay 0.
void load_state_dict(torch::nn::Module& module, const NamedTensors& state,
                     const std::string& source, bool allow_missing_batch_counts);

/// A torchvision DenseNet key in today's naming: legacy "denselayer1.norm.1.weight" becomes
/// "denselayer1.norm1.weight"; other keys are returned unchanged.
std::string current_densenet_key(const std::string& name);

/// The "features.*" entries of a torchvision DenseNet state dict, renamed to the current names
/// (legacy "denselayer1.norm.1.weight" -> "denselayer1.norm1.weight") and without the prefix.
NamedTensors torchvision_densenet_features(const NamedTensors& state);

/// Loads torchvision's ImageNet DenseNet-121 weights (densenet121-*.pth, either format) into the
/// model's DenseNet backbone ("features" or "model_base"); the 1000-way classifier is ignored.
/// Strict otherwise: throws fer::Error listing every mismatch.
void load_pretrained_densenet(torch::nn::Module& model, const std::string& path);

}  // namespace fer::models
