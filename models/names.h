// The names of the six ablation models (paper Sec. IV): model kind x backbone, as flags, configs
// and reports spell them, and the label graph's sources. Free of LibTorch, so that option parsing
// compiles in seconds.
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

/// Where the correlation behind Emotion-GCN's label graph comes from (models/label_graph.h;
/// issue #32's graph ablations).
enum class GraphSource {
  kTrain,      ///< The training split's own Spearman matrix (the harness's default; on AffectNet's
               ///< training split it is the matrix the reference released).
  kAffectNet,  ///< AffectNet's released values, whatever the data.
  kOnes,       ///< Every |correlation| 1: every allowed edge present.
  kNone,       ///< No edges: A = (1 - p) I, so the normalised adjacency is the identity.
};
/// "train", "affectnet", "ones", "none".
std::string to_string(GraphSource source);
GraphSource parse_graph_source(const std::string& name);
std::vector<std::string> graph_source_names();

}  // namespace fer::models
