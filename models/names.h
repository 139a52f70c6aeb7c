// The names of the six ablation models (paper Sec. IV): model kind x backbone, as flags, configs
// and reports spell them. Free of LibTorch, so that option parsing compiles in seconds.
#pragma once

#include <string>
#include <vector>

namespace fer::models {

enum class ModelKind { kSingleTask, kMultiTask, kEmotionGcn };
enum class Backbone { kDenseNet, kBReGNeXt };

/// "single_task", "multi_task", "emotion_gcn" / "densenet", "bregnext".
std::string to_string(ModelKind kind);
std::string to_string(Backbone backbone);
/// Parses the names above; throws std::invalid_argument naming the valid ones otherwise.
ModelKind parse_model_kind(const std::string& name);
Backbone parse_backbone(const std::string& name);
std::vector<std::string> model_kind_names();
std::vector<std::string> backbone_names();

}  // namespace fer::models
