#include "models/names.h"

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

std::vector<std::string> graph_source_names() { return {"train", "affectnet", "ones", "none"}; }
std::string to_string(GraphSource source) { return graph_source_names()[static_cast<int>(source)]; }

GraphSource parse_graph_source(const std::string& name) {
  const auto names = graph_source_names();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<GraphSource>(i);
  }
  throw std::invalid_argument("unknown graph source '" + name + "'; valid: " + join(names));
}

}  // namespace fer::models
