#include "reports/compare_runs.h"

#include <cstdio>
#include <sstream>

#include "core/error.h"
#include "core/text.h"
#include "reports/paired_runs.h"
#include "reports/stat_text.h"
#include "reports/summary.h"
#include "stats/significance.h"

namespace fer::reports {
namespace {

constexpr const char* kOperation = "compare runs";

double mean_of(const std::vector<stats::SampleOutputs>& runs, stats::Metric m) {
  double sum = 0;
  for (const auto& r : runs) sum += stats::metric_on(r, m);
  return sum / runs.size();
}

std::string describe(Database& db, const std::vector<int64_t>& ids) {
  const auto row =
      db.query("SELECT dataset, backbone, model, schedule FROM runs WHERE id = ?1", {ids.front()});
  std::string runs;
  for (int64_t id : ids) runs += (runs.empty() ? "#" : ", #") + std::to_string(id);
  return as_string(row[0][0]) + " " + as_string(row[0][1]) + " " + as_string(row[0][2]) + " (" +
         as_string(row[0][3]) + "; run" + (ids.size() > 1 ? "s " : " ") + runs + ")";
}

}  // namespace

std::vector<int64_t> select_runs(Database& db, const std::string& selection,
                                 const std::string& field) {
  const size_t colon = selection.find(':');
  const std::string kind = selection.substr(0, colon),
                    value = colon == std::string::npos ? "" : selection.substr(colon + 1);
  std::vector<int64_t> ids;
  if (kind == "run" && !value.empty()) {
    std::istringstream parts(value);
    for (std::string part; std::getline(parts, part, ',');) {
      const auto id = text::parse_int(part);
      if (!id) throw Error(kOperation, db.path(), 0, field, "not a run id: '" + part + "'");
      const auto status = db.query("SELECT status FROM runs WHERE id = ?1", {*id});
      if (status.empty() || as_string(status[0][0]) != "finished") {
        throw Error(kOperation, db.path(), 0, field,
                    "run " + part + (status.empty() ? " does not exist" : " is not finished"));
      }
      ids.push_back(*id);
    }
    return ids;
  }
  if (kind == "config" && !value.empty()) {
    for (const auto& s : summarize(db)) {
      if (s.config_id() == value) return s.run_ids;
    }
    throw Error(kOperation, db.path(), 0, field, "no finished configuration " + value);
  }
  throw Error(kOperation, db.path(), 0, field,
              "expected run:ID[,ID...] or config:ID (16 hex digits), got '" + selection + "'");
}

RunComparison compare_runs(Database& db, const std::string& baseline, const std::string& candidate,
                           const stats::BootstrapOptions& o) {
  const std::vector<int64_t> a = select_runs(db, baseline, "baseline"),
                             b = select_runs(db, candidate, "candidate");
  RunComparison out;
  std::ostringstream md;
  md << "Baseline: " << describe(db, a) << "\nCandidate: " << describe(db, b) << "\n\n";
  const PairedRuns runs = load_paired_runs(db, a, b);
  if (!runs.why_not.empty()) {
    md << "Not comparable: " << runs.why_not << ".\n";
    out.markdown = md.str();
    out.exit_code = 2;
    return out;
  }
  md << "| Metric | Baseline | Candidate | Δ [" << static_cast<int>(100 * o.level + 0.5)
     << "% CI] | p |\n|---|---:|---:|---:|---:|\n";
  std::vector<stats::Metric> metrics = {stats::Metric::kAccuracy, stats::Metric::kMeanClassAccuracy,
                                        stats::Metric::kMacroF1};
  if (runs.baseline.front().has_va() && runs.candidate.front().has_va()) {
    metrics.push_back(stats::Metric::kCccValence);
    metrics.push_back(stats::Metric::kCccArousal);
  }
  stats::Difference accuracy;
  for (const stats::Metric m : metrics) {
    const bool points = m != stats::Metric::kCccValence && m != stats::Metric::kCccArousal;
    const stats::Difference d = stats::paired_bootstrap(runs.baseline, runs.candidate, m, o);
    if (m == stats::Metric::kAccuracy) accuracy = d;
    md << "| " << stats::metric_name(m) << (points ? " (%)" : "") << " | "
       << number_text(mean_of(runs.baseline, m), points) << " | "
       << number_text(mean_of(runs.candidate, m), points) << " | " << signed_text(d.delta, points)
       << " [" << signed_text(d.low, points) << ", " << signed_text(d.high, points) << "] | "
       << p_text(d.p_value) << " |\n";
  }
  md << "\nPaired bootstrap over " << runs.baseline.front().size() << " validation samples, "
     << o.resamples << " resamples, seed " << o.seed << "; seeds: " << runs.baseline.size()
     << " vs " << runs.candidate.size() << " (resampled before the samples).\n";
  if (runs.baseline.size() == 1 && runs.candidate.size() == 1) {
    const stats::McNemar m = stats::mcnemar_exact(runs.baseline.front(), runs.candidate.front());
    md << "McNemar's exact test on accuracy: " << m.baseline_only << " samples right only in the "
       << "baseline, " << m.candidate_only << " only in the candidate, p "
       << (m.p_value < 0.001 ? "" : "= ") << p_text(m.p_value) << ".\n";
  }
  md << "Verdict on accuracy (\"the candidate is better\", α = 0.05): **"
     << stats::verdict_name(stats::verdict_of(accuracy.delta, accuracy.p_value)) << "**.\n";
  out.markdown = md.str();
  return out;
}

}  // namespace fer::reports
