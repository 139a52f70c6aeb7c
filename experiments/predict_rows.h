// The rows predict writes: CSV cells (quoting, numbers), the empty cells of an image without a
// prediction, and with --detect each face's prefix (index, box, score, eye centres), its sample
// for the loader, and the folder of face patches beside the output.
#pragma once

#include <string>
#include <vector>

#include "datasets/sample.h"
#include "experiments/detect_photos.h"

namespace fer::experiments {

/// A CSV field, quoted (RFC 4180) when it holds a comma, quote or line break.
std::string csv_field(const std::string& s);

/// %.8g.
std::string number(double v);

/// No prediction: empty expression, `classes` probabilities, valence and arousal, then the error.
std::string empty_cells(size_t classes, const std::string& error);

/// The --detect rows' first columns.
inline constexpr const char* kFaceColumns =
    "path,face,box_x,box_y,box_w,box_h,score,left_eye_x,left_eye_y,right_eye_x,right_eye_y";

/// A photo's row prefix: the path, then the face's index, box, score and eye centres (empty
/// when the photo has no face).
std::string face_cells(const PhotoFace& f);

/// The faces as samples, aligned with the detected box and eyes as AffectNet rows.
std::vector<datasets::Sample> face_samples(const std::vector<PhotoFace>& rows);

/// A folder beside the output (OUT.faces.partial) for the face patches, removed with the object.
struct PatchFolder {
  std::string path;
  /// Creates it (emptied first); throws fer::Error naming it.
  void create(const std::string& beside);
  ~PatchFolder();
};

}  // namespace fer::experiments
