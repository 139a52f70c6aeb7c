// annotate: an AffectNet-format CSV (datasets/affectnet.h: subDirectory_filePath, face box,
// the 68 landmarks, expression, valence, arousal) for a folder of photos, from the face
// detector (experiments/detect_photos.h), so that validate_dataset, the runner, evaluate and the
// reports run on a lab's own photos.
//
// One row per photo, as AffectNet has: the face dlib is surest of (photos with more faces are
// listed in the log). A photo without a face gets AffectNet's own No-Face row (expression 10,
// valence and arousal -2, the whole photo as its box, zero landmarks), which every reader drops
// as a documented code. Labels come from an optional mapping CSV `path,expression[,valence,
// arousal]` (expression as AffectNet's code 0-10 or its name; valence and arousal in [-1, 1]).
// Without a mapping, or for a photo it does not list, the row is unannotated: expression 8
// (None), valence and arousal -2, AffectNet's marks, dropped by the readers. A mapping without
// valence and arousal writes 0 for both (and says so): train single-task models only on those.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "faces/face_detector.h"

namespace fer::experiments {

struct AnnotateConfig {
  std::string input;       ///< Folder of photos (recursive) or one photo.
  std::string out;         ///< The CSV to write (atomically).
  std::string image_root;  ///< Paths are written relative to this (default: input).
  std::string labels;      ///< Optional mapping CSV.
  faces::DetectorOptions detector;
  int threads = 1;
  bool strict = false;
};

struct AnnotateOutcome {
  int64_t photos = 0, labelled = 0, without_face = 0, unreadable = 0, several_faces = 0;
};

/// Parses the flags; returns false after printing --help. Throws fer::Error naming the flag.
bool parse_annotate_config(int argc, const char* const* argv, AnnotateConfig* config);

/// Writes config.out; prints the resolved configuration, progress and a summary to `log`.
/// Throws fer::Error for a bad mapping (file, line, field), an unreadable photo (strict), or a
/// photo outside image_root.
AnnotateOutcome annotate(const AnnotateConfig& config, std::ostream& log);

}  // namespace fer::experiments
