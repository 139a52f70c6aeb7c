// One entry point for the six ablation models (paper Sec. IV): model kind x backbone.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "models/heads.h"
#include "models/label_graph.h"
#include "models/names.h"

namespace fer::models {

struct ModelSpec {
  ModelKind kind = ModelKind::kEmotionGcn;
  Backbone backbone = Backbone::kDenseNet;
  /// Expression classes (7 in the paper; Emotion-GCN supports exactly 7).
  int64_t num_classes = kNumExpressions;
  /// Node-embedding size D (300 for GloVe).
  int64_t embedding_dim = 300;
  /// [9, 9] label correlation for Emotion-GCN; undefined = affectnet_paper_correlation().
  at::Tensor correlation;
  /// Which correlation builds A (models/label_graph.h); kTrain uses `correlation`.
  GraphSource graph_source = GraphSource::kTrain;
  LabelGraphOptions graph;
};

/// Builds the model, initialised as the reference does, on the CPU in training mode.
EmotionModel make_model(const ModelSpec& spec);

/// Number of parameter elements (what sum(p.numel() for p in model.parameters()) gives).
int64_t parameter_count(const torch::nn::Module& module);

}  // namespace fer::models
