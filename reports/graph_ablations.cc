#include "reports/graph_ablations.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "reports/paired_runs.h"
#include "reports/stat_text.h"

namespace fer::reports {
namespace {

bool is_gcn_of(const ConfigSummary& s, const std::string& dataset) {
  return s.dataset == dataset && s.model == "emotion_gcn" && !s.broken();
}

const ConfigSummary* reference_of(const std::vector<ConfigSummary>& summaries,
                                  const ConfigSummary& variant) {
  for (const auto& s : summaries) {
    if (is_gcn_of(s, variant.dataset) && s.backbone == variant.backbone &&
        s.schedule == variant.schedule && s.graph_changes().empty()) {
      return &s;
    }
  }
  return nullptr;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

std::string ablation_verdict(const std::string& verdict) {
  if (verdict == "supported") return "better";
  if (verdict == "reversed") return "worse";
  if (verdict == "not significant") return "no significant difference";
  return verdict;
}

}  // namespace

std::vector<ClaimRow> judge_graph_ablations(Database& db,
                                            const std::vector<ConfigSummary>& summaries,
                                            const std::string& dataset,
                                            const stats::BootstrapOptions& o) {
  std::vector<ClaimRow> rows;
  for (const auto& variant : summaries) {
    if (!is_gcn_of(variant, dataset) || variant.graph_changes().empty()) continue;
    ClaimRow row{dataset, variant.backbone, variant.schedule, "emotion_gcn", "emotion_gcn"};
    row.label = join(variant.graph_changes());
    const ConfigSummary* reference = reference_of(summaries, variant);
    if (reference == nullptr) {
      row.verdict = "not judged: no reference-graph Emotion-GCN configuration";
      rows.push_back(row);
      continue;
    }
    row.baseline_seeds = static_cast<int>(reference->run_ids.size());
    row.candidate_seeds = static_cast<int>(variant.run_ids.size());
    const PairedRuns runs = load_paired_runs(db, reference->run_ids, variant.run_ids);
    if (runs.why_not.empty()) {
      compare_paired(row, runs, o);
    } else {
      row.verdict = "not judged: " + runs.why_not;
    }
    rows.push_back(row);
  }
  holm_verdicts(rows);
  for (auto& r : rows) r.verdict = ablation_verdict(r.verdict);
  return rows;
}

std::string render_graph_ablations_table(const std::vector<ClaimRow>& rows, bool synthetic,
                                         const stats::BootstrapOptions& o) {
  std::ostringstream md;
  md << render_pairs_table(rows, "Graph change", "Against the reference graph");
  const auto judged = std::count_if(rows.begin(), rows.end(), [](auto& r) { return r.judged; });
  md << "\nEach row is an Emotion-GCN whose label graph or node embeddings differ from the "
        "reference's (τ 0.1, p 0.5, the training split's correlations, no expression edges, the "
        "default embeddings) against the reference-graph configuration of the same cell, on the "
        "same validation samples: a paired bootstrap, "
     << o.resamples << " resamples, seed " << o.seed << ", "
     << static_cast<int>(std::lround(100 * o.level))
     << "% intervals; the verdict reads the accuracy p-value, Holm-corrected over the " << judged
     << " judged row(s) at α = 0.05. With one seed on a side the interval covers the validation "
        "samples only, not the spread between seeds (--seeds N).\n";
  if (synthetic) {
    md << "\nSynthetic data: these rows measure the harness on its synthetic twin, not the "
          "graph's effect on real data.\n";
  }
  return md.str();
}

}  // namespace fer::reports
