#include "faces/face_detector.h"

#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_processing/shape_predictor.h>
#include <dlib/image_transforms.h>
#include <dlib/opencv/cv_image.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <mutex>
#include <opencv2/imgproc.hpp>

#include "core/error.h"

namespace fer::faces {
namespace {

std::shared_ptr<const dlib::shape_predictor> load_predictor(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error("load landmark model", path, 0, "landmark_model",
                "cannot open the shape predictor file (Debian's is in libdlib-data: run 'sudo "
                "./setup.sh')");
  }
  auto sp = std::make_shared<dlib::shape_predictor>();
  try {
    dlib::deserialize(*sp, in);
  } catch (const std::exception& e) {
    throw Error("load landmark model", path, 0, "landmark_model",
                std::string("not a dlib shape predictor: ") + e.what());
  }
  if (sp->num_parts() != 68) {
    throw Error("load landmark model", path, 0, "landmark_model",
                "the predictor has " + std::to_string(sp->num_parts()) +
                    " parts; AffectNet's scheme needs 68");
  }
  return sp;
}

// One model per file per process: every thread's detector shares it.
std::shared_ptr<const dlib::shape_predictor> shared_predictor(const std::string& path) {
  static std::mutex mutex;
  static std::string loaded_path;
  static std::shared_ptr<const dlib::shape_predictor> loaded;
  std::lock_guard<std::mutex> lock(mutex);
  if (!loaded || loaded_path != path) {
    loaded = load_predictor(path);
    loaded_path = path;
  }
  return loaded;
}

Point2 mean_of(const std::array<Point2, 68>& p, int first) {
  Point2 m;
  for (int i = first; i < first + 6; ++i) m.x += p[i].x, m.y += p[i].y;
  return {m.x / 6, m.y / 6};
}

// dlib's Python binding: upsample by pyramid_up (each level doubles), detect, map boxes back.
template <typename Image>
std::vector<dlib::rect_detection> run_detector(dlib::frontal_face_detector& detector,
                                               const Image& image, int upsample, double threshold) {
  std::vector<dlib::rect_detection> dets;
  if (upsample <= 0) {
    detector(image, dets, threshold);
    return dets;
  }
  dlib::pyramid_down<2> pyr;
  dlib::array2d<dlib::rgb_pixel> up;
  dlib::pyramid_up(image, up, pyr);
  for (int level = 1; level < upsample; ++level) dlib::pyramid_up(up);
  detector(up, dets, threshold);
  for (auto& d : dets) d.rect = pyr.rect_down(d.rect, static_cast<unsigned>(upsample));
  return dets;
}

}  // namespace

struct FaceDetector::State {
  dlib::frontal_face_detector detector = dlib::get_frontal_face_detector();
  std::shared_ptr<const dlib::shape_predictor> predictor;
};

FaceDetector::FaceDetector(const DetectorOptions& options)
    : options_(options), state_(std::make_unique<State>()) {
  if (options.upsample < 0 || options.upsample > 4) {
    throw Error("check options", "", 0, "upsample",
                "must be in [0, 4], got " + std::to_string(options.upsample));
  }
  if (options.max_side < 0)
    throw Error("check options", "", 0, "max_side", "must be >= 0 (0: never shrink)");
  state_->predictor = shared_predictor(options.landmark_model);
}

FaceDetector::~FaceDetector() = default;

FaceDetector::FaceDetector(const FaceDetector& other)
    : options_(other.options_), state_(std::make_unique<State>()) {
  state_->predictor = other.state_->predictor;
}

std::vector<Face> FaceDetector::detect(const cv::Mat& image) {
  if (image.empty() || image.depth() != CV_8U || (image.channels() != 3 && image.channels() != 1))
    throw Error("detect faces", "", 0, "", "expected a non-empty 8-bit BGR or grey image");
  cv::Mat bgr = image;
  if (image.channels() == 1) cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR);
  const dlib::cv_image<dlib::bgr_pixel> full(bgr);
  // Shrink a large photo for the detector only.
  const int longer = std::max(bgr.cols, bgr.rows);
  double scale = 1;
  std::vector<dlib::rect_detection> dets;
  if (options_.max_side > 0 && longer > options_.max_side) {
    scale = static_cast<double>(options_.max_side) / longer;
    cv::Mat small;
    cv::resize(bgr, small, cv::Size(), scale, scale, cv::INTER_AREA);
    dets = run_detector(state_->detector, dlib::cv_image<dlib::bgr_pixel>(small), options_.upsample,
                        options_.threshold);
    for (auto& d : dets) {
      const auto& r = d.rect;
      d.rect = dlib::rectangle(std::lround(r.left() / scale), std::lround(r.top() / scale),
                               std::lround((r.right() + 1) / scale) - 1,
                               std::lround((r.bottom() + 1) / scale) - 1);
    }
  } else {
    dets = run_detector(state_->detector, full, options_.upsample, options_.threshold);
  }
  std::vector<Face> faces;
  for (const auto& d : dets) {
    Face f;
    f.left = d.rect.left(), f.top = d.rect.top(), f.right = d.rect.right();
    f.bottom = d.rect.bottom(), f.score = d.detection_confidence;
    const dlib::full_object_detection shape = (*state_->predictor)(full, d.rect);
    for (int i = 0; i < 68; ++i)
      f.landmarks[i] = {double(shape.part(i).x()), double(shape.part(i).y())};
    f.left_eye = mean_of(f.landmarks, 36);
    f.right_eye = mean_of(f.landmarks, 42);
    faces.push_back(f);
  }
  return faces;
}

}  // namespace fer::faces
