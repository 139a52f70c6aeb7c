// What `predict` reads (experiments/predict.h): an AffectNet-format CSV (faces aligned with the
// CSV's box and landmarks, as in training; its images beside it where the release keeps them)
// or a folder of face crops, each used whole, searched recursively and sorted by path.
#pragma once

#include <string>
#include <vector>

#include "datasets/sample.h"

namespace fer::experiments {

struct PredictInputs {
  std::vector<datasets::Sample> samples;  ///< Image paths relative to image_root.
  std::string image_root;
  std::string report;  ///< The CSV's read report (CSV input only).
};

/// The samples of `input` (a CSV file or a folder). `image_root` (CSV input only; empty: the
/// release's Manually_Annotated/Manually_Annotated_Images or Manually_Annotated_Images beside
/// the CSV, else the CSV's folder). Throws fer::Error naming `input` when it is neither a file
/// nor a folder, or holds no image (imaging::has_image_extension), and for the CSV's malformed
/// rows.
PredictInputs find_predict_inputs(const std::string& input, const std::string& image_root);

}  // namespace fer::experiments
