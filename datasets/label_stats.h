// Inputs of the label graph (paper Sec. III-B): the 9x9 Spearman correlation of (one-hot
// expressions, valence, arousal) over a training split, in the dataset's label order, and the
// node embeddings (GloVe word vectors of the label words, paper Sec. IV-B).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datasets/sample.h"

namespace fer::datasets {

/// Spearman rank correlation of the columns (average ranks for ties, then Pearson on ranks).
/// A constant column correlates 0 with others and 1 with itself. Row-major k x k.
std::vector<double> spearman_matrix(const std::vector<std::vector<double>>& columns);

/// The (K+2) x (K+2) matrix of the label graph for a split with K classes.
std::vector<double> label_correlation(const std::vector<Sample>& samples, int num_classes);

/// Per-class sample counts (for the loss weights).
std::vector<int64_t> class_counts(const std::vector<Sample>& samples, int num_classes);

/// Label words of the graph nodes: lower-cased class names, then "valence", "arousal".
std::vector<std::string> label_words(const std::vector<std::string>& class_names);

/// Reads the vectors of `words` from a GloVe text file ("word v1 ... vD" per line), streaming
/// (the 840B file is 5 GB). Throws fer::Error naming the file and every missing word, or a
/// line whose dimension differs. Row-major words.size() x D.
std::vector<float> read_glove(const std::string& path, const std::vector<std::string>& words,
                              int* dimension);

/// The documented fallback without a GloVe file: for each word a pseudo-random unit vector
/// (seeded by the FNV-1a hash of the word) scaled to norm 5, about GloVe-300's typical norm.
std::vector<float> fallback_embeddings(const std::vector<std::string>& words, int dimension);

/// `nodes` x `dimension` independent standard normal values drawn from `seed` (the random-
/// embeddings ablation: vectors that carry no meaning of the words). Row-major.
std::vector<float> random_embeddings(size_t nodes, int dimension, uint64_t seed);

/// The `nodes` x `nodes` identity: each node its own one-hot vector.
std::vector<float> onehot_embeddings(size_t nodes);

/// The node embeddings of a --node_embeddings choice (experiments/graph_flags.h): "random"
/// (300-d, drawn from `seed`), "onehot" (words.size()-d); any other choice reads `glove_path`
/// when it is given, else the documented fallback at *dimension. Sets *dimension; throws as
/// read_glove.
std::vector<float> node_embeddings_for(const std::string& choice,
                                       const std::vector<std::string>& words,
                                       const std::string& glove_path, uint64_t seed,
                                       int* dimension);

}  // namespace fer::datasets
