// predict's configuration: its flags (the model file, the images, the output CSV, the class
// order, overrides of what the file's keys say, device and precision, preprocessing, batching),
// and the resolved configuration as canonical JSON, which predict prints before it starts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "faces/face_detector.h"
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
  // As the model was trained (experiments/graph_flags.h); seed: its seed, for "random".
  std::string node_embeddings = "auto";
  uint64_t seed = 0;
  std::string device = "cpu", precision = "fp32";
  bool channels_last = false, strict = false;
  int input_size = -1;  // Default: 227 for DenseNet with AffectNet labels, else 112.
  // The preprocessing of training's paper schedule (experiments/config.h): the reference's own
  // chain by default, or "fast" (one warp) as smoke-schedule models were trained; JPEG decoding
  // "scaled" or "full" (used by the fast chain only, as in training).
  std::string preprocess = "reference", decode = "scaled";
  int64_t batch_size = 35;
  // --detect: --input is photos (a folder or one file); every face found by dlib is predicted,
  // aligned with its detected eye centres by the chain above (experiments/detect_photos.h).
  bool detect = false;
  faces::DetectorOptions detector;
  int workers = 2, threads = -1;
};

/// Parses the flags; returns false after printing --help. Throws fer::Error naming the flag.
bool parse_predict_config(int argc, const char* const* argv, PredictConfig* config);

/// The configuration as canonical JSON (core/json.h): every field, the overrides as their
/// names or null. Call it on the resolved configuration (predict resolves input_size and the
/// model's kind and backbone from the file).
std::string to_json(const PredictConfig& config);

}  // namespace fer::experiments
