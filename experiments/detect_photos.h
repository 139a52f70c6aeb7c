// Faces in a folder of photos (or one photo), for `predict --detect` and `annotate`: every
// photo decoded (JPEG, PNG, BMP, TIFF, WebP, by content), searched by faces::FaceDetector on
// several threads with a progress line, and listed in path order, faces in the detector's order.
// A photo without a face, or one that cannot be read, is a row of its own saying so. Also the
// detector's flags, shared by both tools.
#pragma once

#include <boost/program_options/options_description.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "datasets/sample.h"
#include "faces/face_detector.h"

namespace fer::experiments {

/// One row: a face of a photo, or a photo with no face (face < 0; error says why).
struct PhotoFace {
  std::string image;  ///< Relative to the root the photos were listed from.
  int face = -1;      ///< 0-based index within its photo, in the detector's order.
  faces::Face detection;
  std::string error;  ///< "no face found", or why the photo could not be read.
  /// The face as a sample for the loader, relative to PhotoList::root: the photo itself, or
  /// (with a patch folder, where the reference's canvas would cut the face) its square patch
  /// there (experiments/face_patches.h), with box and eyes in the patch's pixels.
  datasets::Sample sample;
};

struct PhotoList {
  std::string root;                 ///< The folder (or a single photo's folder).
  std::vector<std::string> images;  ///< Relative paths, sorted.
};

/// `input` a folder (searched recursively for imaging::has_image_extension names) or one
/// photo. Throws fer::Error naming `what`'s flag when it is neither or holds no photo.
PhotoList list_photos(const std::string& input, const std::string& flag);

/// Runs the detector over the photos with `threads` threads (each its own detector copy),
/// printing a progress line to `log`. strict: the first unreadable photo throws fer::Error
/// naming it; otherwise it becomes a row with the error, reported on `log`. patch_dir (an
/// existing folder, or empty for none): where needed, a face's patch is written there as a PNG.
std::vector<PhotoFace> detect_photos(const PhotoList& photos, const faces::DetectorOptions& options,
                                     int threads, bool strict, std::ostream& log,
                                     const std::string& patch_dir = "");

/// --upsample, --detect_threshold, --landmark_model, --max_side, writing into `options`.
void add_detector_flags(boost::program_options::options_description& desc,
                        faces::DetectorOptions* options);

/// Range checks of those flags (fer::Error naming the flag); expands a ~ in the model path.
void check_detector_flags(faces::DetectorOptions* options);

/// The flags as JSON fields of a resolved configuration.
nlohmann::json detector_json(const faces::DetectorOptions& options);

}  // namespace fer::experiments
