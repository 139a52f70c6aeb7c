// The parsed-index cache: a dataset's parsed index (samples, split reports), label correlation,
// class counts and node embeddings, kept in one SQLite file under the cache root
// (<cache_root>/index/index-cache.db) so that re-opening the 415k-row AffectNet CSV costs a
// table scan instead of a parse. Entries are keyed by the caller (the annotation files' paths,
// sizes and modification times plus the read options); writing an entry replaces the older
// entries of the same dataset and root in one transaction, so concurrent runners never see a
// partial entry. An entry also watches the image files its reports name as defective (missing,
// corrupt, ...): when one of them changes, the entry is a miss, so a repaired image is seen on
// the next start although the annotation files (the key) did not change. A split's samples are one
// row of typed columns (not one row per sample: that read 3x slower); measured against parsing in
// datasets/pipeline_benchmark (BM_IndexOpen).
#pragma once

#include <optional>
#include <string>

#include "datasets/sample.h"

namespace fer::datasets {

/// Everything of a Dataset that is derived from its annotation files (see dataset.h).
struct CachedIndex {
  DatasetIndex index;  // name, root and digest are not stored (the caller sets them).
  std::vector<double> correlation;
  std::vector<int64_t> train_class_counts;
  std::vector<std::string> node_words;
  std::vector<float> node_embeddings;
  int embedding_dim = 0;
  std::string embedding_source;
};

/// "path:size:mtime;" of a file ("path:missing;" when it does not exist): what keys and watches
/// an entry.
std::string file_identity(const std::string& path);

/// The cache database under `cache_root`.
std::string index_cache_path(const std::string& cache_root);

/// The entry stored under `key`, or nullopt when there is none. A cache that cannot be read
/// (missing, corrupt, another schema) or whose watched images changed is a miss: the caller
/// parses and stores again.
std::optional<CachedIndex> read_cached_index(const std::string& cache_root, const std::string& key);

/// Stores `entry` under `key` for dataset `name` at `root`, replacing that dataset's older
/// entries. Throws fer::Error (with sqlite3_errmsg) when the cache cannot be written.
void write_cached_index(const std::string& cache_root, const std::string& key,
                        const std::string& name, const std::string& root, const CachedIndex& entry);

}  // namespace fer::datasets
