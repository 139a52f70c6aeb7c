#include "models/factory.h"

#include <stdexcept>

namespace fer::models {
namespace {

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

std::vector<std::string> model_kind_names() { return {"single_task", "multi_task", "emotion_gcn"}; }
std::vector<std::string> backbone_names() { return {"densenet", "bregnext"}; }

std::string to_string(ModelKind kind) { return model_kind_names()[static_cast<int>(kind)]; }
std::string to_string(Backbone backbone) { return backbone_names()[static_cast<int>(backbone)]; }

ModelKind parse_model_kind(const std::string& name) {
  const auto names = model_kind_names();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<ModelKind>(i);
  }
  throw std::invalid_argument("unknown model '" + name + "'; valid: " + join(names));
}

Backbone parse_backbone(const std::string& name) {
  const auto names = backbone_names();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<Backbone>(i);
  }
  throw std::invalid_argument("unknown backbone '" + name + "'; valid: " + join(names));
}

namespace {

// A holder of a new T. (EmotionModel(make_shared<T>()) would pick ModuleHolder's forwarding
// constructor and try to build the abstract interface from the pointer.)
template <typename T, typename... Args>
EmotionModel make(Args&&... args) {
  return EmotionModel(std::shared_ptr<EmotionModelImpl>(std::make_shared<T>(std::forward<Args>(args)...)));
}

}  // namespace

EmotionModel make_model(const ModelSpec& spec) {
  const bool densenet = spec.backbone == Backbone::kDenseNet;
  switch (spec.kind) {
    case ModelKind::kSingleTask:
      if (densenet) return make<SingleTaskDenseNetImpl>(spec.num_classes);
      return make<SingleTaskBReGNeXtImpl>(spec.num_classes);
    case ModelKind::kMultiTask:
      if (densenet) return make<MultiTaskDenseNetImpl>(spec.num_classes);
      return make<MultiTaskBReGNeXtImpl>(spec.num_classes);
    case ModelKind::kEmotionGcn: {
      TORCH_CHECK(spec.num_classes == kNumExpressions,
                  "Emotion-GCN's label graph has 7 expression nodes, got num_classes ",
                  spec.num_classes);
      at::Tensor corr = spec.correlation.defined() ? spec.correlation : affectnet_paper_correlation();
      at::Tensor adjacency = label_adjacency(corr, spec.graph);
      if (densenet) return make<EmotionGcnDenseNetImpl>(adjacency, spec.embedding_dim);
      return make<EmotionGcnBReGNeXtImpl>(adjacency, spec.embedding_dim);
    }
  }
  TORCH_INTERNAL_ASSERT(false, "unhandled model kind");
}

int64_t parameter_count(const torch::nn::Module& module) {
  int64_t n = 0;
  for (const auto& p : module.parameters()) n += p.numel();
  return n;
}

}  // namespace fer::models
