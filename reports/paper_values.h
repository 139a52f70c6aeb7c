// Published reference values (reports/paper_values.csv) and the protocol each was measured
// under (issue #32). The report prints each beside the matching cell; it computes a delta only
// against values measured under the protocol this harness reproduces (the Emotion-GCN paper's
// training recipe), because a number from another recipe (BReG-NeXt's own paper) differs for
// reasons that are not the model. Every value names a metric the report's tables show.
#pragma once

#include <string>
#include <vector>

namespace fer::reports {

/// The protocol of the reference's training script and hyper-parameters, which the harness
/// trains: values under it get a delta.
inline constexpr char kHarnessProtocol[] = "emotion-gcn";

/// A published reference value.
struct PaperValue {
  std::string dataset;   ///< affectnet | affwild2.
  std::string backbone;  ///< densenet | bregnext.
  std::string model;     ///< single_task | multi_task | emotion_gcn.
  std::string metric;    ///< One of paper_metrics(dataset).
  std::string source;    ///< Where the number is printed (paper, table, page).
  double value = 0;      ///< In the store's units (accuracy 0.6646, not 66.46).
  std::string paper;     ///< Who published it, short ("Antoniadis et al., FG 2021").
  std::string protocol = kHarnessProtocol;  ///< The recipe it was measured under.

  bool comparable() const { return protocol == kHarnessProtocol; }
};

/// The metrics the report's table for `dataset` (affectnet or affwild2) shows: accuracy, macro
/// F1, CCC-V, CCC-A, and for Aff-Wild2 also 0.67 F1 + 0.33 accuracy.
std::vector<std::string> paper_metrics(const std::string& dataset);

/// Parses the CSV (header dataset,backbone,model,metric,value,paper,protocol,source). Throws
/// fer::Error naming the file, line and field for a malformed row: a wrong column count, an
/// unknown dataset, backbone, model or metric (with the valid ones), a value that is not a
/// number, or an empty paper, protocol or source.
std::vector<PaperValue> read_paper_values(const std::string& path);

/// Where the published values are read from by default: $EMOGCN_PAPER_VALUES when set (the
/// relocatable bundle sets it), else "reports/paper_values.csv" when it exists in the working
/// directory (the runfiles under bazel run and bazel test), else the same file in the runfiles
/// tree beside the running binary (bazel-bin/... started by its path).
std::string default_paper_values_path();

}  // namespace fer::reports
