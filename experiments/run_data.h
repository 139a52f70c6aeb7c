// The data of a run as its configuration names it: opened (read, images checked, indexed,
// cached), the gate's deliberately broken variant (training labels permuted), and what every rank
// of a data-parallel job must have read alike.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <ostream>

#include "datasets/dataset.h"
#include "experiments/config.h"

namespace fer::experiments {

/// Opens (reads, checks the images of, indexes, caches) the dataset a resolved config names;
/// image-check progress goes to log when given; Ctrl-C or SIGTERM stops the image check
/// (fer::Interrupted). Throws fer::Error.
datasets::Dataset open_run_data(const RunConfig& config, std::ostream* log = nullptr);

/// Permutes (expression, valence, arousal) across the training samples, seeded: the regression
/// gate's broken model (--shuffle_train_labels).
void shuffle_labels(datasets::Dataset& data, uint64_t seed);

/// What every rank must have read: the parsed index's digest (paths relative to the root), the
/// split sizes, the classes and the graph's node embeddings, wherever the copy is mounted.
nlohmann::json shared_data(const datasets::Dataset& data);

}  // namespace fer::experiments
