// face_detector: faces and their 68 landmarks in a photo, found offline by dlib (19.24): its HOG
// frontal-face detector (built into the library) and a shape predictor file, by default
// Debian's /usr/share/dlib/shape_predictor_68_face_landmarks.dat (libdlib-data), the iBUG
// 300-W 68-point scheme AffectNet's facial_landmarks column uses. Faces and points equal the
// Python dlib bindings' detector.run(rgb, upsample, threshold) and predictor(rgb, box) on the
// same pixels (tests/e2e/faces_dlib_test.sh).
//
// The default landmark model was trained on iBUG 300-W, whose licence excludes commercial use
// (docs/faces.md); --landmark_model takes another predictor file.
//
// Knows nothing of models or datasets: pixels in, boxes and points out.
#pragma once

#include <array>
#include <memory>
#include <opencv2/core/mat.hpp>
#include <string>
#include <vector>

namespace fer::faces {

/// Debian's libdlib-data copy of dlib's 68-point model.
inline constexpr const char* kDefaultLandmarkModel =
    "/usr/share/dlib/shape_predictor_68_face_landmarks.dat";

struct Point2 {
  double x = 0, y = 0;
};

/// One face: dlib's box (inclusive pixel bounds, which may reach outside the image), its
/// detection score (the HOG detector's margin; larger is surer, 0 is the default threshold),
/// the 68 landmarks (integer pixels, as dlib gives them) and the eye centres AffectNet's readers
/// compute (means of points 36-41 and 42-47).
struct Face {
  long left = 0, top = 0, right = 0, bottom = 0;
  double score = 0;
  std::array<Point2, 68> landmarks;
  Point2 left_eye, right_eye;
  long width() const { return right - left + 1; }
  long height() const { return bottom - top + 1; }
};

struct DetectorOptions {
  /// Times the photo is doubled before detection (dlib's upsample_num_times; the HOG window is
  /// 80 x 80 pixels, so 1 finds faces down to about 40 pixels). Default 1, as dlib's examples.
  int upsample = 1;
  /// Added to the detector's threshold (dlib's adjust_threshold): negative finds more faces.
  double threshold = 0;
  /// The shape predictor file (dlib's serialized shape_predictor with 68 parts).
  std::string landmark_model = kDefaultLandmarkModel;
  /// Photos larger than this many pixels on their longer side are shrunk for detection only
  /// (area interpolation), boxes scaled back and landmarks found on the full photo. 0: never.
  int max_side = 0;
};

/// A detector for one thread: copies share the landmark model (read once), each has its own
/// HOG detector state. Throws fer::Error naming the model file when it is missing or not a
/// 68-point shape predictor.
class FaceDetector {
 public:
  explicit FaceDetector(const DetectorOptions& options);
  ~FaceDetector();
  FaceDetector(const FaceDetector& other);
  FaceDetector& operator=(const FaceDetector&) = delete;

  /// Every face in an 8-bit BGR (or grey) photo, in dlib's order (descending score).
  std::vector<Face> detect(const cv::Mat& bgr);

  const DetectorOptions& options() const { return options_; }

 private:
  struct State;
  DetectorOptions options_;
  std::unique_ptr<State> state_;
};

}  // namespace fer::faces
