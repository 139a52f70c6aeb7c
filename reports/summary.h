// Aggregation of finished runs for the reports and the regression gate: one row per
// configuration, i.e. per set of runs whose resolved configuration is equal in every field but
// the seed (and the run name and where files go: db, cache_dir, checkpoint_dir, workers, the
// checkpoint path of an evaluation, whose SHA-256 does count). Mean
// and standard deviation over the seeds; the newest finished run per config hash counts once.
// Rows of one paper cell (dataset x backbone x model x schedule) that differ in anything else stay
// separate and name the fields they differ in.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "reports/store.h"

namespace fer::reports {

/// Metric names usable in tables and baselines.
const std::vector<std::string>& metric_names();
/// True when a larger value is better (false for rmse_* and loss).
bool higher_is_better(const std::string& metric);

struct Stat {
  double mean = 0,
         std = 0;  // std: sample standard deviation (0 for one seed); NaN when diverged > 0.
  int n = 0;       // Runs with a value (NULLs, e.g. CCC of single-task models, excluded).
  /// Runs whose value is missing although their model has the metric: it was not finite (a
  /// diverged run; SQLite stores NaN as NULL). Counted in n too, so that n is the seeds.
  int diverged = 0;
};

/// True when the model of a run has the metric (valence/arousal metrics: not single-task).
bool model_has_metric(const std::string& model, const std::string& metric);

/// A resolved configuration without the seed: field -> value as text ("0.005", "true", "densenet").
using ConfigFields = std::map<std::string, std::string>;

/// Fields that never separate rows: the seed varies within a row; the others only say where
/// files go or how many loader threads fed the model.
const std::vector<std::string>& non_grouping_fields();

struct ConfigSummary {
  std::string dataset, backbone, model, schedule;
  std::string config_json;  // The configuration without non_grouping_fields() (canonical JSON).
  ConfigFields config;      // The same, field by field.
  std::vector<std::string> differs;  // "field=value" where other rows of the same cell differ.
  std::vector<int64_t> run_ids;
  std::map<std::string, Stat> metrics;
  /// The paper cell: "dataset backbone model schedule".
  std::string key() const { return dataset + " " + backbone + " " + model + " " + schedule; }
  /// 16 hex digits identifying config_json.
  std::string config_id() const;
  /// True for a deliberately broken run (--shuffle_train_labels).
  bool broken() const;
  /// "graph_threshold=0.3", ...: where its label graph or node embeddings differ from the
  /// reference's (the runner stores those fields only then); empty for the reference graph.
  std::vector<std::string> graph_changes() const;
};

/// The label graph's configuration fields (experiments/graph_flags.h), stored only where they
/// differ from the reference's graph.
const std::vector<std::string>& graph_fields();

/// The fields of a flat JSON object (as stored in runs.config_json): strings as they are, other
/// values as canonical JSON text (core/json.h). Throws fer::Error naming `source` (a database or
/// baseline file) when `json` is malformed or not an object.
ConfigFields config_fields(const std::string& json, const std::string& source);

/// For configurations that share a table cell: per configuration, "field=value" for every field
/// whose value is not the same across all of them (empty lists for fewer than two).
std::vector<std::vector<std::string>> differing_fields(
    const std::vector<const ConfigFields*>& configs);

/// For each summary of a cell shared with other summaries: the fields whose values are not the
/// same across that cell ("lr=0.01"); empty for a cell with one row.
void mark_differences(std::vector<ConfigSummary>& summaries);

/// Summaries of every configuration with at least one finished run, ordered by dataset,
/// schedule, backbone (densenet first), model (single, multi, gcn), then normal before
/// deliberately broken runs and by first run id; differences marked (mark_differences).
std::vector<ConfigSummary> summarize(Database& db);

}  // namespace fer::reports
