// experiments/face_patches.h and datasets::reference_canvas_cuts: where the reference's (rows,
// cols) canvas cuts a landscape photo's face, the square patch gives the face the reference
// would give on a canvas large enough (the photo padded to a square), to within cv2's
// fixed-point sampling; elsewhere no patch is needed.
#include "experiments/face_patches.h"

#include <opencv2/core.hpp>

#include "datasets/reference_transforms.h"
#include "tests/catch.h"

namespace ds = fer::datasets;
namespace ex = fer::experiments;

namespace {

cv::Mat smooth_photo(int w, int h) {
  cv::Mat m(h, w, CV_8UC3);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      m.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uchar>(x), static_cast<uchar>(y * 2),
                                        static_cast<uchar>((x + y) / 2));
    }
  }
  return m;
}

fer::faces::Face face_at(long left, long top, long size, double tilt) {
  fer::faces::Face f;
  f.left = left, f.top = top, f.right = left + size - 1, f.bottom = top + size - 1;
  f.left_eye = {left + 0.3 * size, top + 0.35 * size};
  f.right_eye = {left + 0.7 * size, top + 0.35 * size + tilt};
  return f;
}

double mean_abs_diff(const cv::Mat& a, const cv::Mat& b) {
  REQUIRE(a.size() == b.size());
  return cv::norm(a, b, cv::NORM_L1) / static_cast<double>(a.total() * a.channels());
}

}  // namespace

TEST_CASE("A face beyond x = rows of a landscape photo is aligned on a patch, not cut",
          "[face_patches]") {
  const cv::Mat photo = smooth_photo(240, 100);
  const fer::faces::Face face = face_at(170, 20, 50, 6);
  const ds::Sample on_photo = ex::face_sample(face);
  REQUIRE(ds::reference_canvas_cuts(photo.size(), on_photo));
  // On the photo itself the reference's canvas (100 wide) leaves the crop black.
  CHECK(cv::countNonZero(ds::reference_face(photo, on_photo).reshape(1)) == 0);
  // The reference on the photo padded to a square: what an unbounded canvas gives.
  cv::Mat square = cv::Mat::zeros(240, 240, CV_8UC3);
  photo.copyTo(square(cv::Rect(0, 0, 240, 100)));
  REQUIRE_FALSE(ds::reference_canvas_cuts(square.size(), on_photo));
  const cv::Mat expected = ds::reference_face(square, on_photo);
  const ex::FacePatch patch = ex::face_patch(photo, face);
  CHECK(patch.bgr.rows == patch.bgr.cols);
  CHECK_FALSE(ds::reference_canvas_cuts(patch.bgr.size(), patch.sample));
  const cv::Mat got = ds::reference_face(patch.bgr, patch.sample);
  CHECK(cv::countNonZero(got.reshape(1)) > 0);
  CHECK(mean_abs_diff(got, expected) < 0.5);
  CHECK(cv::norm(got, expected, cv::NORM_INF) <= 3);
}

TEST_CASE("No patch is needed on square photos or for faces the canvas keeps", "[face_patches]") {
  const ds::Sample left = ex::face_sample(face_at(10, 20, 50, 4));
  CHECK_FALSE(ds::reference_canvas_cuts(cv::Size(240, 100), left));
  CHECK_FALSE(
      ds::reference_canvas_cuts(cv::Size(200, 200), ex::face_sample(face_at(140, 140, 55, 9))));
  // A portrait photo: the canvas is 240 wide and 100 high, so faces below y = 100 are cut.
  CHECK(ds::reference_canvas_cuts(cv::Size(100, 240), ex::face_sample(face_at(20, 170, 50, 3))));
  ds::Sample none;
  CHECK_FALSE(ds::reference_canvas_cuts(cv::Size(240, 100), none));
}

TEST_CASE("A patch reaching past the photo's border is zero there, as cv2's border",
          "[face_patches]") {
  const cv::Mat photo = smooth_photo(240, 100);
  const ex::FacePatch patch = ex::face_patch(photo, face_at(200, 60, 60, 0));
  // The patch extends beyond the photo's right and bottom edges.
  const cv::Mat corner = patch.bgr(cv::Rect(patch.bgr.cols - 3, patch.bgr.rows - 3, 3, 3));
  CHECK(cv::countNonZero(corner.reshape(1)) == 0);
  CHECK(patch.sample.box_w == 60);
  CHECK(patch.sample.right_eye.x - patch.sample.left_eye.x == Approx(0.4 * 60));
}
