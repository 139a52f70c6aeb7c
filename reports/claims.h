// The paper's claims, judged (issue #32): for each dataset x backbone x schedule, "Emotion-GCN vs
// multi-task" and "multi-task vs single-task", each a paired comparison over the validation
// samples both configurations were evaluated on (stats/bootstrap.h: seeds resampled first, then
// samples; 1,000 resamples, seed 12345): the difference in accuracy, macro F1, mean-class
// accuracy (and CCC-V/CCC-A where both models predict them) with its 95% interval, McNemar's
// exact test for single-seed pairs, the accuracy p-value Holm-corrected over the section's
// claims, and a verdict: supported, not significant, or reversed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/sqlite.h"
#include "reports/paired_runs.h"
#include "reports/summary.h"
#include "stats/bootstrap.h"
#include "stats/significance.h"

namespace fer::reports {

/// One claim: the candidate model beats the baseline model.
struct ClaimRow {
  std::string dataset, backbone, schedule;
  std::string baseline_model, candidate_model;  ///< e.g. multi_task, emotion_gcn.
  std::string label;  ///< Overrides claim() (e.g. a graph ablation's changed fields).
  int baseline_seeds = 0, candidate_seeds = 0;
  int samples = 0;  ///< Validation samples compared.
  /// Per metric (stats::metric_name), the difference candidate - baseline.
  std::vector<std::pair<std::string, stats::Difference>> differences;
  std::optional<stats::McNemar> mcnemar;  ///< Single-seed pairs only.
  double holm_p = 1;                      ///< Accuracy p-value, Holm-corrected over the section.
  std::string verdict;  ///< supported | not significant | reversed | why it was not judged.
  bool judged = false;  ///< False: a configuration or its per-sample outputs are missing.

  /// "Emotion-GCN vs multi-task" (or the label).
  std::string claim() const;
  const stats::Difference* difference(const std::string& metric) const;
};

/// The claims of `dataset`'s paper cells among `summaries` (their first configuration that is not
/// deliberately broken), read from `db`. A claim whose configurations are missing, lack
/// per-sample outputs (runs stored before schema 6) or were evaluated on different validation
/// samples (another dataset digest) is listed, unjudged, with the reason.
std::vector<ClaimRow> judge_claims(Database& db, const std::vector<ConfigSummary>& summaries,
                                   const std::string& dataset,
                                   const stats::BootstrapOptions& options = {});

/// Fills `row` from two paired sets of runs: the difference per metric (accuracy, macro F1,
/// mean-class accuracy, and CCC-V/CCC-A where both predict them), McNemar for single-seed pairs,
/// the sample count; marks it judged.
void compare_paired(ClaimRow& row, const PairedRuns& runs, const stats::BootstrapOptions& options);

/// Holm over the judged rows' accuracy p-values (one family), then each judged row's verdict.
void holm_verdicts(std::vector<ClaimRow>& rows);

/// The five difference cells of a row (accuracy, macro F1, mean-class accuracy, CCC-V, CCC-A),
/// " | "-separated, "–" where a metric is missing.
std::string difference_cells(const ClaimRow& row);

/// The Markdown table of paired comparisons, without notes: backbone, schedule, the row's
/// claim() under the header `what`, seeds, samples, the differences with their intervals, Holm's
/// and McNemar's p-values, and the verdict under the header `verdict`.
std::string render_pairs_table(const std::vector<ClaimRow>& rows, const std::string& what,
                               const std::string& verdict);

/// The Claims section's Markdown table with its method note; `synthetic` labels the data.
std::string render_claims_table(const std::vector<ClaimRow>& rows, bool synthetic,
                                const stats::BootstrapOptions& options = {});

/// The same rows as CSV: one line per claim and metric (delta, interval, p-values, verdict).
std::string claims_csv(const std::vector<ClaimRow>& rows);

}  // namespace fer::reports
