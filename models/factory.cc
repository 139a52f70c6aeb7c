#include "models/factory.h"

namespace fer::models {
namespace {

// A holder of a new T. (EmotionModel(make_shared<T>()) would pick ModuleHolder's forwarding
// constructor and try to build the abstract interface from the pointer.)
template <typename T, typename... Args>
EmotionModel make(Args&&... args) {
  return EmotionModel(
      std::shared_ptr<EmotionModelImpl>(std::make_shared<T>(std::forward<Args>(args)...)));
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
      at::Tensor adjacency = graph_adjacency(spec.graph_source, spec.correlation, spec.graph);
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
