// Ablation suites: a list of (dataset, backbone, model) configurations run one after another
// with a progress view across the suite, skipping what the database already holds, and
// rendering the report at the end. With no --data_root a suite runs the synthetic twin of its
// dataset on the smoke schedule.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "distributed/group.h"
#include "experiments/config.h"

namespace fer::experiments {

struct Ablation {
  std::string dataset, backbone, model;
  /// A named variant of the configuration (the graph ablations: "tau_0.3"), empty for the plain
  /// one; its runner flags ("--graph_threshold=0.3") apply on top of the suite's own.
  std::string variant;
  std::vector<std::string> flags;
};

struct SuiteConfig {
  std::string name = "ablation";
  std::vector<Ablation> ablations;
  int seeds = 1;
  /// This machine's share of the grid, 1-based: shard of shards (--shard I/N).
  int shard = 1, shards = 1;
  std::string report;  // Markdown output; empty: <workspace>/reports_out/<name>.md.
  bool render = true;
  RunConfig base;                        // Flags passed through to every run.
  std::vector<std::string> passthrough;  // The same flags as given (a variant re-parses them).
  /// Runner flags ("epochs=3") the suite applies on the synthetic twin where the user gave none
  /// of that name (set by the Bazel target; empty for the paper grids).
  std::vector<std::string> synthetic_defaults;
};

/// "flag=value+flag" -> {"--flag=value", "--flag"}; throws fer::Error naming `field` for an
/// empty flag or one without a name.
std::vector<std::string> runner_flags(const std::string& text, const std::string& field);

/// Parses "dataset:backbone:model[:variant[:flag=value+flag=value]][,...]"; throws fer::Error
/// for malformed entries.
std::vector<Ablation> parse_ablations(const std::string& text);

/// One run of a suite: a configuration and a seed.
struct SuiteRun {
  Ablation ablation;
  int seed = 0;
};

/// Parses "I/N" (1 <= I <= N <= 10000) into shard and shards; throws fer::Error naming --shard.
void parse_shard(const std::string& text, int* shard, int* shards);

/// The runs of shard `shard` of `shards`: the grid's runs (configurations in order, seeds
/// 0..seeds-1 within each) dealt round-robin, run k to shard k mod N + 1. The shards are
/// disjoint, cover the grid, and differ in size by at most one run; every machine computes
/// the same split from the same command line.
std::vector<SuiteRun> shard_runs(const std::vector<Ablation>& ablations, int seeds, int shard,
                                 int shards);

/// Parses the suite's own flags and passes the rest to the runner's parser. Returns false for
/// --help (after printing it).
bool parse_suite_config(int argc, const char* const* argv, SuiteConfig* config);

/// Runs the suite. Returns the process exit code: 0 when every run finished (or was already
/// finished), 130 when interrupted. With `group` (a data-parallel job, experiments/job.h) every
/// rank runs the same list, each configuration trained by the whole group; rank 0 alone writes
/// the result store and renders the report. A failed run ends the suite (in a job, on every rank).
int run_suite(const SuiteConfig& config, std::ostream& log, distributed::Group* group = nullptr);

}  // namespace fer::experiments
