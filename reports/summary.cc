#include "reports/summary.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <tuple>

#include "core/error.h"
#include "core/hash.h"
#include "core/json.h"

namespace fer::reports {
namespace {

int order_of(const std::string& value, const std::vector<std::string>& order) {
  auto it = std::find(order.begin(), order.end(), value);
  return static_cast<int>(it - order.begin());
}

}  // namespace

const std::vector<std::string>& metric_names() {
  static const std::vector<std::string> names = {
      "accuracy",     "macro_f1",    "affwild2_expression", "ccc_valence",      "ccc_arousal",
      "pcc_valence",  "pcc_arousal", "rmse_valence",        "rmse_arousal",     "sagr_valence",
      "sagr_arousal", "affwild2_va", "train_images_per_s",  "eval_images_per_s"};
  return names;
}

bool model_has_metric(const std::string& model, const std::string& metric) {
  static const std::vector<std::string> va = {"ccc_", "pcc_", "rmse_", "sagr_", "affwild2_va"};
  for (const auto& prefix : va) {
    if (metric.rfind(prefix, 0) == 0) return model != "single_task";
  }
  return true;
}

bool higher_is_better(const std::string& metric) {
  return metric.rfind("rmse", 0) != 0 && metric != "loss";
}

const std::vector<std::string>& non_grouping_fields() {
  static const std::vector<std::string> fields = [] {
    std::vector<std::string> f = {"seed"};
    for (const auto& name : unhashed_config_fields()) f.push_back(name);
    return f;
  }();
  return fields;
}

std::string ConfigSummary::config_id() const { return fnv1a_hex(config_json); }

bool ConfigSummary::broken() const {
  auto it = config.find("shuffle_train_labels");
  return it != config.end() && it->second == "true";
}

const std::vector<std::string>& graph_fields() {
  static const std::vector<std::string> kFields = {"graph_threshold", "graph_reweight",
                                                   "graph_source", "graph_expression_edges",
                                                   "node_embeddings"};
  return kFields;
}

std::vector<std::string> ConfigSummary::graph_changes() const {
  std::vector<std::string> out;
  for (const auto& f : graph_fields()) {
    auto it = config.find(f);
    if (it != config.end()) out.push_back(f + "=" + it->second);
  }
  return out;
}

ConfigFields config_fields(const std::string& json, const std::string& source) {
  const nlohmann::json object = parse_json(json, "read configuration", source, "config_json");
  if (!object.is_object()) {
    throw Error("read configuration", source, 0, "config_json",
                "not a JSON object: " + json.substr(0, 80));
  }
  ConfigFields out;
  for (const auto& [key, value] : object.items()) {
    out[key] = value.is_string() ? value.get<std::string>() : canonical(value).dump();
  }
  return out;
}

std::vector<std::vector<std::string>> differing_fields(
    const std::vector<const ConfigFields*>& configs) {
  std::vector<std::vector<std::string>> out(configs.size());
  if (configs.size() < 2) return out;
  std::set<std::string> fields;
  for (const auto* c : configs) {
    for (const auto& [field, value] : *c) fields.insert(field);
  }
  const auto value_of = [](const ConfigFields& c, const std::string& field) {
    auto it = c.find(field);
    return it == c.end() ? std::string("(absent)") : it->second;
  };
  for (const auto& field : fields) {
    std::set<std::string> values;
    for (const auto* c : configs) values.insert(value_of(*c, field));
    if (values.size() < 2) continue;
    for (size_t i = 0; i < configs.size(); ++i)
      out[i].push_back(field + "=" + value_of(*configs[i], field));
  }
  return out;
}

void mark_differences(std::vector<ConfigSummary>& summaries) {
  std::map<std::string, std::vector<ConfigSummary*>> cells;
  for (auto& s : summaries) cells[s.key()].push_back(&s);
  for (auto& [key, rows] : cells) {
    std::vector<const ConfigFields*> configs;
    for (const auto* s : rows) configs.push_back(&s->config);
    const auto differs = differing_fields(configs);
    for (size_t i = 0; i < rows.size(); ++i) rows[i]->differs = differs[i];
  }
}

std::vector<ConfigSummary> summarize(Database& db) {
  std::string columns, removed;
  for (const auto& m : metric_names()) columns += ", f." + m;
  for (const auto& f : non_grouping_fields()) removed += ", '$." + f + "'";
  // The newest finished run of each config hash, with its configuration less the seed.
  const auto rows = db.query(
      "SELECT r.id, r.dataset, r.backbone, r.model, r.schedule, json_remove(r.config_json" +
      removed + ")" + columns +
      " FROM runs r JOIN final_metrics f ON f.run_id = r.id WHERE r.status = 'finished' AND r.id "
      "IN "
      "(SELECT MAX(id) FROM runs WHERE status = 'finished' GROUP BY config_hash) ORDER BY r.id");
  std::map<std::string, ConfigSummary> by_key;
  std::map<std::string, std::map<std::string, std::vector<double>>> values;
  for (const auto& row : rows) {
    ConfigSummary s;
    s.dataset = as_string(row[1]);
    s.backbone = as_string(row[2]);
    s.model = as_string(row[3]);
    s.schedule = as_string(row[4]);
    // Canonical text: runs written by older versions spelled some numbers differently.
    s.config_json =
        canonical_json(as_string(row[5]), "read configuration", db.path(), "config_json");
    const std::string group = s.key() + " " + s.config_json;
    auto [it, inserted] = by_key.emplace(group, s);
    if (inserted) it->second.config = config_fields(s.config_json, db.path());
    it->second.run_ids.push_back(as_int(row[0]));
    for (size_t m = 0; m < metric_names().size(); ++m) {
      const std::string& metric = metric_names()[m];
      if (!is_null(row[6 + m])) {
        values[group][metric].push_back(as_double(row[6 + m]));
      } else if (model_has_metric(s.model, metric)) {
        values[group][metric].push_back(std::nan(""));  // Not finite when stored: diverged.
      }
    }
  }
  std::vector<ConfigSummary> out;
  for (auto& [key, s] : by_key) {
    for (const auto& [metric, v] : values[key]) {
      Stat st;
      st.n = static_cast<int>(v.size());
      for (double x : v) {
        st.mean += x / st.n;
        st.diverged += std::isnan(x) ? 1 : 0;
      }
      if (st.diverged > 0) {
        st.mean = st.std = std::nan("");  // A mean without the diverged seeds would hide them.
      } else if (st.n > 1) {
        double sq = 0;
        for (double x : v) sq += (x - st.mean) * (x - st.mean);
        st.std = std::sqrt(sq / (st.n - 1));
      }
      s.metrics[metric] = st;
    }
    out.push_back(s);
  }
  const std::vector<std::string> datasets = {"affectnet", "synth-affectnet", "affwild2",
                                             "synth-affwild2"};
  const std::vector<std::string> backbones = {"densenet", "bregnext"};
  const std::vector<std::string> models = {"single_task", "multi_task", "emotion_gcn"};
  std::sort(out.begin(), out.end(), [&](const ConfigSummary& a, const ConfigSummary& b) {
    return std::make_tuple(order_of(a.dataset, datasets), a.schedule,
                           order_of(a.backbone, backbones), order_of(a.model, models), a.broken(),
                           a.run_ids.front()) <
           std::make_tuple(order_of(b.dataset, datasets), b.schedule,
                           order_of(b.backbone, backbones), order_of(b.model, models), b.broken(),
                           b.run_ids.front());
  });
  mark_differences(out);
  return out;
}

}  // namespace fer::reports
