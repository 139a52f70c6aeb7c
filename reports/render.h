// Markdown reports rendered from the result store only: the paper tables (ours beside the
// published values, with deltas), a throughput table by device and precision, per-run details
// with PNG curves and confusion matrices, and CSV exports of the same tables.
#pragma once

#include <string>
#include <vector>

#include "reports/paper_values.h"
#include "reports/store.h"
#include "reports/summary.h"

namespace fer::reports {

struct RenderOptions {
  std::string out_markdown;  // e.g. reports_out/report.md; PNG/CSV go to <stem>_files/ beside it.
  std::string paper_values = default_paper_values_path();
  std::string title = "emogcn-bench results";
  /// Only these datasets (empty: all).
  std::vector<std::string> datasets;
  bool run_details = true;
  /// "markdown", or "latex": out_markdown gets a standalone LaTeX document of the tables
  /// (reports/latex.h) and <stem>_files/<table>.tex each table's booktabs tabular.
  std::string format = "markdown";
};

/// The paper table of one dataset family ("affectnet" covers synth-affectnet too) as Markdown.
std::string render_paper_table(const std::vector<ConfigSummary>& summaries,
                               const std::vector<PaperValue>& paper, const std::string& dataset);

/// Throughput by device, precision, backbone and model (Markdown).
std::string render_throughput_table(Database& db);

/// Writes the full report (and its PNG/CSV files). Returns the Markdown text.
std::string render_report(Database& db, const RenderOptions& options);

}  // namespace fer::reports
