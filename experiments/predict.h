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

#include "models/factory.h"

namespace fer::experiments {

struct PredictConfig {
  std::string checkpoint, input, out;
  std::string image_root;  // CSV input: images are relative to this (default: see predict()).
  std::string labels =
      "affectnet";  // Class order the model was trained with: affectnet | affwild2.
  std::optional<models::ModelKind> model;  // Overrides of what the file's keys say.
  std::optional<models::Backbone> backbone;
  std::string glove;  // Emotion-GCN node embeddings (default: the documented fallback).
  std::string device = "cpu", precision = "fp32";
  bool channels_last = false, strict = false;
  int input_size = -1;  // Default: 227 for DenseNet with AffectNet labels, else 112.
  // The preprocessing of training's paper schedule (experiments/config.h): the reference's own
  // chain by default, or "fast" (one warp) as smoke-schedule models were trained; JPEG decoding
  // "scaled" or "full" (used by the fast chain only, as in training).
  std::string preprocess = "reference", decode = "scaled";
  int64_t batch_size = 35;
  int workers = 2, threads = -1;
};

/// Parses the flags; returns false after printing --help. Throws fer::Error naming the flag.
bool parse_predict_config(int argc, const char* const* argv, PredictConfig* config);

struct PredictOutcome {
  int64_t images = 0, failed = 0;
  std::vector<std::string> class_names;
};

/// Writes config.out. Throws fer::Error for unreadable checkpoints or inputs, and (strict) for
/// the first unreadable image.
PredictOutcome predict(const PredictConfig& config, std::ostream& log);

}  // namespace fer::experiments
