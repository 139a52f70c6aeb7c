// Opening a dataset by name: the real AffectNet / Aff-Wild2 layouts under --data_root, or the
// synthetic twins generated into the cache. The parsed index, the label correlation matrix and
// the node embeddings are cached in SQLite (datasets/index_cache.h), keyed by the annotation
// files' sizes and modification times, so re-opening the 415k-row AffectNet CSV needs no parse.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datasets/image_check.h"
#include "datasets/sample.h"
#include "datasets/synthetic.h"

namespace fer::datasets {

struct DatasetOptions {
  std::string name;        // See dataset_names().
  std::string root;        // Required for "affectnet" / "affwild2"; ignored for synthetic sets.
  std::string cache_root;  // Empty: default_cache_root().
  ReadOptions read;
  /// Every kept image checked once when the index is built (datasets/image_check.h); the cached
  /// index watches the images found defective, so a repaired file is seen on the next start.
  ImageCheckOptions image_check;
  SyntheticOptions synthetic;
  std::string glove_path;  // Empty: the documented fallback embeddings.
  int embedding_dim = 300;
  bool use_cache = true;
};

struct Dataset {
  DatasetIndex index;
  std::vector<double> correlation;  // (K+2) x (K+2) Spearman matrix of the training split.
  std::vector<int64_t> train_class_counts;
  std::vector<std::string> node_words;  // Label words of the graph nodes.
  std::vector<float> node_embeddings;   // node_words.size() x embedding_dim.
  int embedding_dim = 0;
  std::string embedding_source;  // GloVe path or "fallback:fnv1a-gaussian".
  bool from_cache = false;
  std::string cache_error;  // Why the index could not be cached (empty when it was, or not asked).
};

/// "affectnet", "affwild2", "synth-affectnet", "synth-affwild2".
std::vector<std::string> dataset_names();
bool is_synthetic(const std::string& name);

/// Opens (and validates) a dataset: reads the annotations, checks the images (options.image_check),
/// and checks that every class has a sample in both splits. Throws fer::Error for unknown names
/// (listing the valid ones), missing roots, unreadable files, any defect under
/// BadRowPolicy::kError (datasets/sample.h's defect classes), and a split left without a sample
/// (naming the split, with its report).
Dataset open_dataset(const DatasetOptions& options);

}  // namespace fer::datasets
