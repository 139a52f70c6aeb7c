// datasets/cubic_warp.h against OpenCV's own cv::warpAffine(INTER_CUBIC): random images (tiny
// ones included), random affine maps reaching past the borders, random parts of the canvas, both
// channel orders, both kernels; every byte must be equal.
#include "datasets/cubic_warp.h"

#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "tests/catch.h"

namespace ds = fer::datasets;

namespace {

struct Warp {
  cv::Mat src;
  cv::Matx23d m;
  cv::Size canvas;
  cv::Rect region;
};

Warp random_warp(cv::RNG& rng) {
  Warp w;
  const int cols = rng.uniform(1, 70), rows = rng.uniform(1, 70);
  w.src.create(rows, cols, CV_8UC3);
  rng.fill(w.src, cv::RNG::UNIFORM, 0, 256);
  const cv::Point2f centre(rng.uniform(-5.f, cols + 5.f), rng.uniform(-5.f, rows + 5.f));
  const cv::Mat r =
      cv::getRotationMatrix2D(centre, rng.uniform(-180.0, 180.0), rng.uniform(0.4, 2.5));
  w.m = cv::Matx23d(r.ptr<double>());
  w.m(0, 2) += rng.uniform(-10.0, 10.0);
  w.m(1, 2) += rng.uniform(-10.0, 10.0);
  w.canvas = cv::Size(rng.uniform(1, 130), rng.uniform(1, 130));
  const int x0 = rng.uniform(0, w.canvas.width), y0 = rng.uniform(0, w.canvas.height);
  w.region = cv::Rect(x0, y0, rng.uniform(1, w.canvas.width - x0 + 1),
                      rng.uniform(1, w.canvas.height - y0 + 1));
  return w;
}

}  // namespace

TEST_CASE("the cubic warp equals cv::warpAffine INTER_CUBIC byte for byte", "[datasets]") {
  const ds::Isa isa = GENERATE(ds::Isa::kScalar, ds::best_isa());
  const bool swap_rb = GENERATE(false, true);
  INFO("kernel " << ds::isa_name(isa) << ", swap_rb " << swap_rb);
  cv::RNG rng(20261129);
  long pixels = 0;
  for (int i = 0; i < 500; ++i) {
    const Warp w = random_warp(rng);
    cv::Mat full;
    cv::warpAffine(w.src, full, cv::Mat(w.m), w.canvas, cv::INTER_CUBIC, cv::BORDER_CONSTANT,
                   cv::Scalar());
    cv::Mat expected = full(w.region).clone();
    if (swap_rb) cv::cvtColor(expected, expected, cv::COLOR_BGR2RGB);
    const cv::Mat ours = ds::warp_affine_cubic(w.src, w.m, w.region, swap_rb, isa);
    INFO("case " << i << ": " << w.src.cols << "x" << w.src.rows << " -> region " << w.region);
    REQUIRE(ours.size() == expected.size());
    REQUIRE(ours.type() == CV_8UC3);
    REQUIRE(cv::norm(ours, expected, cv::NORM_INF) == 0);
    pixels += ours.total();
  }
  CHECK(pixels > 100000);  // about 100 per fraction table (1024 of them)
}

TEST_CASE("the cubic warp at a face's scale, with the aligner's rotation about the eyes",
          "[datasets]") {
  cv::RNG rng(7);
  cv::Mat src(480, 360, CV_8UC3);
  rng.fill(src, cv::RNG::UNIFORM, 0, 256);
  cv::GaussianBlur(src, src, cv::Size(5, 5), 0);  // smooth, like a photo: exercises the mid tones
  const cv::Mat r = cv::getRotationMatrix2D(cv::Point2f(171, 203), 13.7, 1.0);
  const cv::Matx23d m(r.ptr<double>());
  cv::Mat full;
  cv::warpAffine(src, full, r, cv::Size(src.rows, src.cols),
                 cv::INTER_CUBIC);  // (rows, cols), as aligner.py
  const cv::Rect region(40, 60, 300, 290);
  const cv::Rect kept = region & cv::Rect(0, 0, full.cols, full.rows);
  const cv::Mat ours = ds::warp_affine_cubic(src, m, kept, /*swap_rb=*/false);
  CHECK(cv::norm(ours, full(kept), cv::NORM_INF) == 0);
  CHECK(ds::warp_affine_cubic(src, m, cv::Rect(0, 0, 0, 5), false).empty());
  // Into a view of a larger image: the view's pixels only, whatever was there before.
  cv::Mat canvas(400, 400, CV_8UC3, cv::Scalar(9, 9, 9));
  cv::Mat view = canvas(cv::Rect(7, 5, kept.width, kept.height));
  ds::warp_affine_cubic(src, m, kept, /*swap_rb=*/false, view);
  CHECK(view.data == canvas.ptr(5) + 3 * 7);
  CHECK(cv::norm(view, full(kept), cv::NORM_INF) == 0);
  view.setTo(cv::Scalar(9, 9, 9));
  CHECK(cv::countNonZero(canvas.reshape(1) != 9) == 0);
  CHECK_THROWS(ds::warp_affine_cubic(cv::Mat(4, 4, CV_8UC1), m, cv::Rect(0, 0, 2, 2), false));
}
