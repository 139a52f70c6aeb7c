#include "reports/claims.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/error.h"
#include "reports/stat_text.h"

namespace fer::reports {
namespace {

const char* const kBackbones[] = {"densenet", "bregnext"};
// (baseline, candidate): the paper's two claims, the method's first.
const std::pair<const char*, const char*> kClaims[] = {{"multi_task", "emotion_gcn"},
                                                       {"single_task", "multi_task"}};

std::string pretty(const std::string& model) {
  if (model == "single_task") return "single-task";
  if (model == "multi_task") return "multi-task";
  return "Emotion-GCN";
}

const ConfigSummary* main_config(const std::vector<ConfigSummary>& summaries,
                                 const std::string& dataset, const std::string& backbone,
                                 const std::string& model, const std::string& schedule) {
  for (const auto& s : summaries) {
    if (s.dataset == dataset && s.backbone == backbone && s.model == model &&
        s.schedule == schedule && !s.broken() && s.graph_changes().empty()) {
      return &s;
    }
  }
  return nullptr;
}

}  // namespace

void compare_paired(ClaimRow& row, const PairedRuns& runs, const stats::BootstrapOptions& o) {
  const auto& a = runs.baseline;
  const auto& b = runs.candidate;
  std::vector<stats::Metric> wanted = {stats::Metric::kAccuracy, stats::Metric::kMacroF1,
                                       stats::Metric::kMeanClassAccuracy};
  if (a.front().has_va() && b.front().has_va()) {
    wanted.push_back(stats::Metric::kCccValence);
    wanted.push_back(stats::Metric::kCccArousal);
  }
  for (const stats::Metric m : wanted) {
    row.differences.emplace_back(stats::metric_name(m), stats::paired_bootstrap(a, b, m, o));
  }
  if (a.size() == 1 && b.size() == 1) row.mcnemar = stats::mcnemar_exact(a.front(), b.front());
  row.samples = static_cast<int>(a.front().size());
  row.judged = true;
}

std::string ClaimRow::claim() const {
  if (!label.empty()) return label;
  std::string c = pretty(candidate_model) + " vs " + pretty(baseline_model);
  if (c[0] >= 'a' && c[0] <= 'z') c[0] = static_cast<char>(c[0] - 'a' + 'A');
  return c;
}

const stats::Difference* ClaimRow::difference(const std::string& metric) const {
  for (const auto& [name, d] : differences) {
    if (name == metric) return &d;
  }
  return nullptr;
}

std::string difference_cells(const ClaimRow& r) {
  std::string out;
  for (const char* m :
       {"accuracy", "macro_f1", "mean_class_accuracy", "ccc_valence", "ccc_arousal"}) {
    out += (out.empty() ? "" : " | ") + difference_text(r.difference(m), m);
  }
  return out;
}

std::vector<ClaimRow> judge_claims(Database& db, const std::vector<ConfigSummary>& summaries,
                                   const std::string& dataset, const stats::BootstrapOptions& o) {
  std::vector<std::string> schedules;
  for (const auto& s : summaries) {
    if (s.dataset == dataset &&
        std::find(schedules.begin(), schedules.end(), s.schedule) == schedules.end())
      schedules.push_back(s.schedule);
  }
  std::vector<ClaimRow> rows;
  for (const std::string& schedule : schedules) {
    for (const char* backbone : kBackbones) {
      for (const auto& [base_model, cand_model] : kClaims) {
        const ConfigSummary* base = main_config(summaries, dataset, backbone, base_model, schedule);
        const ConfigSummary* cand = main_config(summaries, dataset, backbone, cand_model, schedule);
        if (base == nullptr && cand == nullptr) continue;
        ClaimRow row{dataset, backbone, schedule, base_model, cand_model};
        if (base == nullptr || cand == nullptr) {
          row.verdict = "not judged: no " + pretty(base == nullptr ? base_model : cand_model) +
                        " configuration";
          rows.push_back(row);
          continue;
        }
        row.baseline_seeds = static_cast<int>(base->run_ids.size());
        row.candidate_seeds = static_cast<int>(cand->run_ids.size());
        const PairedRuns runs = load_paired_runs(db, base->run_ids, cand->run_ids);
        if (runs.why_not.empty()) {
          compare_paired(row, runs, o);
        } else {
          row.verdict = "not judged: " + runs.why_not;
        }
        rows.push_back(row);
      }
    }
  }
  holm_verdicts(rows);
  return rows;
}

void holm_verdicts(std::vector<ClaimRow>& rows) {
  // Holm over the judged rows' accuracy p-values: the section is one family.
  std::vector<double> p;
  for (const auto& r : rows) {
    if (r.judged) p.push_back(r.difference("accuracy")->p_value);
  }
  const std::vector<double> adjusted = stats::holm_adjust(p);
  size_t next = 0;
  for (auto& r : rows) {
    if (!r.judged) continue;
    r.holm_p = adjusted[next++];
    r.verdict = stats::verdict_name(stats::verdict_of(r.difference("accuracy")->delta, r.holm_p));
  }
}

std::string render_pairs_table(const std::vector<ClaimRow>& rows, const std::string& what,
                               const std::string& verdict) {
  std::ostringstream md;
  md << "| Backbone | Schedule | " << what
     << " | Seeds | Samples | Δ Accuracy (pts) [95% CI] | Δ Macro F1 (pts) [95% CI] | Δ "
        "Mean-class acc. (pts) [95% CI] | Δ CCC-V [95% CI] | Δ CCC-A [95% CI] | p (Holm) | "
        "McNemar p | "
     << verdict << " |\n"
     << "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n";
  for (const auto& r : rows) {
    md << "| " << (r.backbone == "densenet" ? "DenseNet-121" : "BReG-NeXt-50") << " | "
       << r.schedule << " | " << r.claim() << " | ";
    if (!r.judged) {
      md << "– | – | – | – | – | – | – | – | – | " << r.verdict << " |\n";
      continue;
    }
    md << r.baseline_seeds << " vs " << r.candidate_seeds << " | " << r.samples << " | "
       << difference_cells(r) << " | " << p_text(r.holm_p) << " | "
       << (r.mcnemar ? p_text(r.mcnemar->p_value) : "–") << " | **" << r.verdict << "** |\n";
  }
  return md.str();
}

std::string render_claims_table(const std::vector<ClaimRow>& rows, bool synthetic,
                                const stats::BootstrapOptions& o) {
  std::ostringstream md;
  md << render_pairs_table(rows, "Claim", "Verdict");
  const auto judged = std::count_if(rows.begin(), rows.end(), [](auto& r) { return r.judged; });
  md << "\nEach claim is the candidate against the baseline on the same validation samples: a "
        "paired bootstrap over the samples (Koehn 2004, as sacreBLEU's `--paired-bs`), "
     << o.resamples << " resamples, seed " << o.seed
     << ", a configuration's seeds resampled before the samples; "
     << static_cast<int>(std::lround(100 * o.level))
     << "% percentile intervals; the verdict reads the two-sided accuracy p-value, Holm-corrected "
        "over the "
     << judged
     << " judged claim(s) of this section at α = 0.05 (supported: the candidate is better; "
        "reversed: it is worse). McNemar's exact test is shown for single-seed pairs; with one "
        "seed on "
        "a side the interval covers the validation samples only, not the spread between seeds "
        "(train --seeds N for that).\n";
  if (synthetic) {
    md << "\nSynthetic data: these verdicts judge the harness on its synthetic twin, not the "
          "paper's claims on real data.\n";
  }
  return md.str();
}

std::string claims_csv(const std::vector<ClaimRow>& rows) {
  std::ostringstream csv;
  csv << "dataset,backbone,schedule,claim,baseline,candidate,baseline_seeds,candidate_seeds,"
         "samples,metric,delta,low,high,p_value,holm_p,mcnemar_p,verdict\n";
  const auto number = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.10g", v);
    return std::string(buf);
  };
  for (const auto& r : rows) {
    const std::string head = r.dataset + "," + r.backbone + "," + r.schedule + "," + r.claim() +
                             "," + r.baseline_model + "," + r.candidate_model + "," +
                             std::to_string(r.baseline_seeds) + "," +
                             std::to_string(r.candidate_seeds) + "," + std::to_string(r.samples);
    const std::string verdict = "\"" + r.verdict + "\"";
    if (!r.judged) {
      csv << head << ",,,,,,,," << verdict << "\n";
      continue;
    }
    for (const auto& [metric, d] : r.differences) {
      csv << head << "," << metric << "," << number(d.delta) << "," << number(d.low) << ","
          << number(d.high) << "," << number(d.p_value) << ","
          << (metric == "accuracy" ? number(r.holm_p) : "") << ","
          << (metric == "accuracy" && r.mcnemar ? number(r.mcnemar->p_value) : "") << "," << verdict
          << "\n";
    }
  }
  return csv.str();
}

}  // namespace fer::reports
