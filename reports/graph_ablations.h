// The label graph's ablations judged (issue #32, item 3): for each dataset x backbone x schedule,
// every Emotion-GCN configuration whose label graph or node embeddings differ from the
// reference's (ConfigSummary::graph_changes) against the reference-graph configuration, paired on
// the same validation samples as the Claims are (reports/claims.h), Holm over the section.
#pragma once

#include <string>
#include <vector>

#include "core/sqlite.h"
#include "reports/claims.h"
#include "reports/summary.h"
#include "stats/bootstrap.h"

namespace fer::reports {

/// One row per graph variant of `dataset`, labelled by its changes ("graph_threshold=0.3");
/// baseline_model and candidate_model are both emotion_gcn. A variant without a reference-graph
/// configuration of its cell, or whose runs cannot be paired with it, is listed unjudged with the
/// reason. Verdicts are better | no significant difference | worse (on accuracy, Holm-corrected).
std::vector<ClaimRow> judge_graph_ablations(Database& db,
                                            const std::vector<ConfigSummary>& summaries,
                                            const std::string& dataset,
                                            const stats::BootstrapOptions& options = {});

/// The section's Markdown table and method note; `synthetic` labels the data.
std::string render_graph_ablations_table(const std::vector<ClaimRow>& rows, bool synthetic,
                                         const stats::BootstrapOptions& options = {});

}  // namespace fer::reports
