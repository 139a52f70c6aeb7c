// Unions result stores written on several machines (issue #11: an ablation grid sharded with
// the suites' --shard I/N) into one, so one report renders the whole grid. Run ids are
// remapped; every run keeps its config, provenance (plus where it was merged from), dataset,
// epochs, final metrics and checkpoint paths as they are. Benchmark sessions are merged too.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace fer::reports {

struct MergeOptions {
  std::string out;                  // Created if missing; runs already in it count for duplicates.
  std::vector<std::string> inputs;  // Read only: never modified, older schemas migrated on a copy.
  /// A duplicate is an error (nothing is written) rather than skipped.
  bool strict = false;
};

struct MergeSummary {
  int64_t runs_added = 0, runs_duplicate = 0;
  int64_t sessions_added = 0, sessions_duplicate = 0;
};

/// Merges the inputs into options.out in one transaction: either every row lands or none
/// does. A run duplicates one already in the output (or merged earlier in the same call) when
/// both are finished with the same config hash, seed and code version; runs in any other state
/// duplicate only the same record (also the same start time and status), so merging a store
/// twice adds nothing. A benchmark session duplicates one with the same label, start time, code
/// version, device and filter. Duplicates are skipped and logged, naming both runs. Throws
/// fer::Error when an input is missing, is not a result store, is newer than this program, is
/// the output itself, or (strict) holds a duplicate.
MergeSummary merge_stores(const MergeOptions& options, std::ostream& log);

}  // namespace fer::reports
