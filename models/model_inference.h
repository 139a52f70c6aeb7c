// Which of the six ablation models (paper Sec. IV) a state dict holds, from its keys and shapes
// alone, so released weights and our own checkpoints can be evaluated without being told.
//   Emotion-GCN   gc1.weight [D, 512], gc2.weight [512, F], A [9, 9]; F = 1024 DenseNet, 128
//   BReG-NeXt multi-task    lin_cat / lin_cont (DenseNet), fc_cat / fc_cont (BReG-NeXt) single-task
//   classifier (DenseNet), _fc0 (BReG-NeXt)
// A "module." prefix on every key (torch.nn.DataParallel) is removed first, and torchvision's
// legacy DenseNet names ("denselayer1.norm.1.weight") are read as today's ("norm1").
#pragma once

#include <optional>
#include <string>

#include "models/factory.h"
#include "models/state_dict.h"

namespace fer::models {

/// The state dict without a "module." prefix that every key carries, with legacy torchvision
/// DenseNet names in today's form (unchanged otherwise).
NamedTensors strip_data_parallel_prefix(const NamedTensors& state);

/// The model the state dict holds (kind, backbone, classes, embedding size). Throws fer::Error
/// (operation "identify model", path = source) when no rule matches, naming the keys it looked
/// for and the first keys the file has.
ModelSpec infer_model_spec(const NamedTensors& state, const std::string& source);

/// As infer_model_spec, then checks the full key and shape list against the model it names:
/// `kind` / `backbone` override the inference (a file that holds another model is then an error
/// listing the differences). Returns the model with the weights loaded (CPU, eval mode).
/// Throws fer::Error naming `source` and listing every missing, unexpected and mis-shaped key.
EmotionModel load_model_from_state(const NamedTensors& state, const std::string& source,
                                   const std::optional<ModelKind>& kind = std::nullopt,
                                   const std::optional<Backbone>& backbone = std::nullopt);

}  // namespace fer::models
