// Ablation suites: a list of (dataset, backbone, model) configurations run one after another
// with a progress view across the suite, skipping what the database already holds, and
// rendering the report at the end. With no --data_root a suite runs the synthetic twin of its
// dataset on the smoke schedule.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "experiments/config.h"

namespace fer::experiments {

struct Ablation {
  std::string dataset, backbone, model;
};

struct SuiteConfig {
  std::string name = "ablation";
  std::vector<Ablation> ablations;
  int seeds = 1;
  std::string report;  // Markdown output; empty: <workspace>/reports_out/<name>.md.
  bool render = true;
  RunConfig base;      // Flags passed through to every run.
};

/// Parses "dataset:backbone:model[,...]"; throws fer::Error for malformed entries.
std::vector<Ablation> parse_ablations(const std::string& text);

/// Parses the suite's own flags and passes the rest to the runner's parser. Returns false for
/// --help (after printing it).
bool parse_suite_config(int argc, const char* const* argv, SuiteConfig* config);

/// Runs the suite. Returns the process exit code: 0 when every run finished (or was already
/// finished), 130 when interrupted.
int run_suite(const SuiteConfig& config, std::ostream& log);

}  // namespace fer::experiments
