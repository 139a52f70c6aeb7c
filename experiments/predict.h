// Predictions of saved weights on new faces: one CSV row per image with the predicted expression,
// the class probabilities (softmax of the logits) and, for the multi-task and Emotion-GCN models,
// valence and arousal. Inputs:
//   an AffectNet-format CSV   faces aligned with the CSV's box and landmarks, as in training;
//   a folder of images        each image is a face crop used whole (resized), as Aff-Wild2's
//                             cropped_aligned frames; searched recursively, sorted by path.
// Images stream through the threaded loader with a progress line. An unreadable image is reported
// with its path (and its row says so) and does not stop the others, unless strict.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "experiments/predict_config.h"

namespace fer::experiments {

struct PredictOutcome {
  int64_t images = 0, failed = 0;
  std::vector<std::string> class_names;
};

/// Writes config.out. Throws fer::Error for unreadable checkpoints or inputs, and (strict) for
/// the first unreadable image.
PredictOutcome predict(const PredictConfig& config, std::ostream& log);

}  // namespace fer::experiments
