#include "models/model_inference.h"

#include <map>

#include "core/error.h"
#include "models/checkpoint.h"

namespace fer::models {
namespace {

using Shapes = std::map<std::string, std::vector<int64_t>>;

Shapes shapes_of(const NamedTensors& state) {
  Shapes out;
  for (const auto& [name, t] : state) out[name] = t.sizes().vec();
  return out;
}

int64_t dim(const Shapes& s, const std::string& key, size_t i) {
  auto it = s.find(key);
  return it != s.end() && it->second.size() > i ? it->second[i] : -1;
}

std::string first_keys(const NamedTensors& state) {
  std::string out;
  for (size_t i = 0; i < state.size() && i < 6; ++i) out += (i ? ", " : "") + state[i].first;
  return out.empty() ? "(none: the state dict is empty)" : out + (state.size() > 6 ? ", ..." : "");
}

}  // namespace

NamedTensors strip_data_parallel_prefix(const NamedTensors& state) {
  const std::string prefix = "module.";
  bool all = !state.empty();
  for (const auto& [name, t] : state) all = all && name.compare(0, prefix.size(), prefix) == 0;
  NamedTensors out;
  for (const auto& [name, t] : state) {
    out.emplace_back(current_densenet_key(all ? name.substr(prefix.size()) : name), t);
  }
  return out;
}

ModelSpec infer_model_spec(const NamedTensors& raw, const std::string& source) {
  const Shapes s = shapes_of(strip_data_parallel_prefix(raw));
  ModelSpec spec;
  auto fail = [&](const std::string& why) -> ModelSpec {
    throw Error(
        "identify model", source, 0, "model_state_dict",
        why +
            "; looked for gc1.weight/gc2.weight (Emotion-GCN), lin_cat/fc_cat (multi-task), "
            "classifier/_fc0 (single-task); the file has " +
            first_keys(raw));
  };
  if (s.count("gc1.weight") || s.count("gc2.weight")) {
    spec.kind = ModelKind::kEmotionGcn;
    const int64_t features = dim(s, "gc2.weight", 1);
    if (features == 1024)
      spec.backbone = Backbone::kDenseNet;
    else if (features == 128)
      spec.backbone = Backbone::kBReGNeXt;
    else
      return fail("gc2.weight has " + std::to_string(features) +
                  " output features (DenseNet-121: 1024, BReG-NeXt: 128)");
    spec.embedding_dim = dim(s, "gc1.weight", 0);
    if (spec.embedding_dim < 1) return fail("gc1.weight is missing or not 2-d");
    return spec;
  }
  // The classifier heads of the other four models, and the key that gives the class count.
  struct Head {
    const char* key;
    ModelKind kind;
    Backbone backbone;
  };
  static const Head kHeads[] = {{"lin_cat.weight", ModelKind::kMultiTask, Backbone::kDenseNet},
                                {"fc_cat.weight", ModelKind::kMultiTask, Backbone::kBReGNeXt},
                                {"classifier.weight", ModelKind::kSingleTask, Backbone::kDenseNet},
                                {"_fc0.weight", ModelKind::kSingleTask, Backbone::kBReGNeXt}};
  const Head* head = nullptr;
  for (const auto& h : kHeads) {
    if (!head && s.count(h.key)) head = &h;
  }
  if (!head) return fail("no head of the six models found");
  spec.kind = head->kind;
  spec.backbone = head->backbone;
  spec.num_classes = dim(s, head->key, 0);
  if (spec.num_classes < 2)
    return fail("the classifier has " + std::to_string(spec.num_classes) + " outputs");
  return spec;
}

EmotionModel load_model_from_state(const NamedTensors& raw, const std::string& source,
                                   const std::optional<ModelKind>& kind,
                                   const std::optional<Backbone>& backbone) {
  const NamedTensors state = strip_data_parallel_prefix(raw);
  ModelSpec spec;
  try {
    spec = infer_model_spec(state, source);
  } catch (const Error&) {
    if (!kind || !backbone) throw;  // With both given, the strict load below names the differences.
  }
  if (kind) spec.kind = *kind;
  if (backbone) spec.backbone = *backbone;
  EmotionModel model = make_model(spec);
  // Strict: lists every missing, unexpected, mis-shaped key. Files from before PyTorch 0.4.1
  // (old torchvision DenseNets) have no BatchNorm batch counters; those alone may be absent.
  load_state_dict(*model, state, source, /*allow_missing_batch_counts=*/true);
  model->eval();
  return model;
}

}  // namespace fer::models
