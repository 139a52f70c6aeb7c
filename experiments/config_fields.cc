#include "experiments/config_fields.h"

#include "core/json.h"

namespace fer::experiments {
namespace {

using J = nlohmann::json;
constexpr FieldRole kResult = FieldRole::kResult, kMachine = FieldRole::kMachine,
                    kPlacement = FieldRole::kPlacement, kNotStored = FieldRole::kNotStored;
constexpr FieldUse kAny = FieldUse::kAny, kTraining = FieldUse::kTraining,
                   kDataParallel = FieldUse::kDataParallel;

J none(const RunConfig&) { return nullptr; }

// A string stored only when set (evaluations only: training JSON and hashes stay as they were).
J unless_empty(const std::string& s) { return s.empty() ? J(nullptr) : J(s); }

}  // namespace

const std::vector<ConfigField>& config_fields() {
  // Captureless lambdas decay to the function pointers the table holds.
  static const std::vector<ConfigField> kFields = {
      {"dataset", kResult, kAny, [](const RunConfig& c) { return J(c.dataset); }},
      {"data_root", kMachine, kAny, [](const RunConfig& c) { return J(c.data_root); }},
      {"backbone", kResult, kAny, [](const RunConfig& c) { return J(c.backbone); }},
      {"model", kResult, kAny, [](const RunConfig& c) { return J(c.model); }},
      {"schedule", kResult, kAny, [](const RunConfig& c) { return J(c.schedule); }},
      {"epochs", kResult, kAny, [](const RunConfig& c) { return J(c.epochs); }},
      {"batch_size", kResult, kAny, [](const RunConfig& c) { return J(c.batch_size); }},
      {"lr", kResult, kAny, [](const RunConfig& c) { return json_number(c.lr); }},
      {"momentum", kResult, kAny, [](const RunConfig& c) { return json_number(c.momentum); }},
      {"weight_decay", kResult, kAny,
       [](const RunConfig& c) { return json_number(c.weight_decay); }},
      {"lambda", kResult, kAny, [](const RunConfig& c) { return json_number(c.lambda); }},
      {"lr_step", kResult, kAny, [](const RunConfig& c) { return J(c.lr_step); }},
      {"lr_gamma", kResult, kAny, [](const RunConfig& c) { return json_number(c.lr_gamma); }},
      {"early_stop", kResult, kAny, [](const RunConfig& c) { return J(c.early_stop); }},
      {"input_size", kResult, kAny, [](const RunConfig& c) { return J(c.input_size); }},
      {"class_weights", kResult, kAny, [](const RunConfig& c) { return J(c.class_weights); }},
      {"augment", kResult, kAny, [](const RunConfig& c) { return J(c.augment == 1); }},
      {"color_jitter", kResult, kAny,
       [](const RunConfig& c) { return json_number(c.color_jitter); }},
      {"decode", kResult, kAny, [](const RunConfig& c) { return J(c.decode); }},
      {"preprocess", kResult, kAny, [](const RunConfig& c) { return J(c.preprocess); }},
      {"seed", kResult, kAny, [](const RunConfig& c) { return J(c.seed); }},
      {"device", kResult, kAny, [](const RunConfig& c) { return J(c.device); }},
      {"precision", kResult, kAny, [](const RunConfig& c) { return J(c.precision); }},
      {"channels_last", kResult, kAny, [](const RunConfig& c) { return J(c.channels_last); }},
      {"threads", kMachine, kAny, [](const RunConfig& c) { return J(c.threads); }},
      {"workers", kPlacement, kAny, [](const RunConfig& c) { return J(c.workers); }},
      // Read by rank 0 alone; the others get its weights by the initial broadcast.
      // The label graph's fields, only where they differ from the reference's graph (earlier
      // configurations keep their JSON and hashes).
      {"graph_threshold", kResult, kTraining,
       [](const RunConfig& c) {
         return c.graph_threshold != 0.1 ? json_number(c.graph_threshold) : J(nullptr);
       }},
      {"graph_reweight", kResult, kTraining,
       [](const RunConfig& c) {
         return c.graph_reweight != 0.5 ? json_number(c.graph_reweight) : J(nullptr);
       }},
      {"graph_source", kResult, kTraining,
       [](const RunConfig& c) {
         return c.graph_source != "train" ? J(c.graph_source) : J(nullptr);
       }},
      {"graph_expression_edges", kResult, kTraining,
       [](const RunConfig& c) { return c.graph_expression_edges ? J(true) : J(nullptr); }},
      {"node_embeddings", kResult, kAny,
       [](const RunConfig& c) {
         return c.node_embeddings != "auto" ? J(c.node_embeddings) : J(nullptr);
       }},
      {"pretrained", kMachine, kTraining, [](const RunConfig& c) { return J(c.pretrained); }},
      {"glove", kMachine, kAny, [](const RunConfig& c) { return J(c.glove); }},
      {"db", kPlacement, kAny, [](const RunConfig& c) { return J(c.db); }},
      {"run_name", kPlacement, kAny, [](const RunConfig& c) { return J(c.run_name); }},
      {"cache_dir", kPlacement, kAny, [](const RunConfig& c) { return J(c.cache_dir); }},
      {"checkpoint_dir", kPlacement, kAny, [](const RunConfig& c) { return J(c.checkpoint_dir); }},
      {"resume", kNotStored, kTraining, none},
      {"force", kNotStored, kAny, none},
      {"skip_bad_rows", kResult, kAny, [](const RunConfig& c) { return J(c.skip_bad_rows); }},
      {"image_check", kPlacement, kAny, [](const RunConfig& c) { return J(c.image_check); }},
      {"synth_train_per_class", kResult, kAny,
       [](const RunConfig& c) { return J(c.synth_train_per_class); }},
      {"synth_val_per_class", kResult, kAny,
       [](const RunConfig& c) { return J(c.synth_val_per_class); }},
      {"synth_label_noise", kResult, kAny,
       [](const RunConfig& c) { return json_number(c.synth_label_noise); }},
      {"shuffle_train_labels", kResult, kTraining,
       [](const RunConfig& c) { return J(c.shuffle_train_labels); }},
      {"interrupt_after_steps", kNotStored, kTraining, none},
      // A job's size and backend decide its result (the global batch is batch_size x
      // world_size); a single process's JSON has neither.
      {"world_size", kResult, kDataParallel,
       [](const RunConfig& c) { return c.world_size > 1 ? J(c.world_size) : J(nullptr); }},
      {"dist_backend", kResult, kDataParallel,
       [](const RunConfig& c) { return c.world_size > 1 ? J(c.dist_backend) : J(nullptr); }},
      {"nproc", kNotStored, kDataParallel, none},
      {"dist_timeout", kNotStored, kDataParallel, none},
      {"testing_die_rank", kNotStored, kDataParallel, none},
      {"testing_die_after_steps", kNotStored, kDataParallel, none},
      // An evaluation's result depends on the weights it read (hashed), not on their path.
      {"checkpoint", kPlacement, kAny,
       [](const RunConfig& c) { return unless_empty(c.checkpoint); }},
      {"checkpoint_sha256", kResult, kAny,
       [](const RunConfig& c) { return unless_empty(c.checkpoint_sha256); }},
      {"store_id", kNotStored, kAny, none},
  };
  return kFields;
}

std::vector<std::string> field_names(FieldRole role) {
  std::vector<std::string> out;
  for (const auto& f : config_fields()) {
    if (f.role == role) out.emplace_back(f.name);
  }
  return out;
}

std::vector<std::string> field_names(FieldUse use) {
  std::vector<std::string> out;
  for (const auto& f : config_fields()) {
    if (f.use == use) out.emplace_back(f.name);
  }
  return out;
}

nlohmann::json stored_fields(const RunConfig& c) {
  J fields = J::object();
  for (const auto& f : config_fields()) {
    if (f.role == FieldRole::kNotStored) continue;
    J v = f.value(c);
    if (!v.is_null()) fields[f.name] = std::move(v);
  }
  return fields;
}

nlohmann::json result_fields(const RunConfig& c) {
  J fields = J::object();
  for (const auto& f : config_fields()) {
    if (f.role != FieldRole::kResult) continue;
    J v = f.value(c);
    if (!v.is_null()) fields[f.name] = std::move(v);
  }
  return fields;
}

}  // namespace fer::experiments
