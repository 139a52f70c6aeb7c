// datasets/pil_resample.h: the AVX2 kernels against the scalar ones (which
// reference_transforms_test holds to Pillow's own outputs), over random sizes, up and down, byte
// for byte.
#include "datasets/pil_resample.h"

#include <opencv2/core.hpp>

#include "tests/catch.h"

namespace ds = fer::datasets;

TEST_CASE("Pillow's bilinear resize: the vector kernels give the scalar kernels' bytes",
          "[datasets]") {
  if (ds::best_isa() == ds::Isa::kScalar) {
    WARN("SKIPPED: this CPU has no AVX2, only the scalar kernels run");
    return;
  }
  cv::RNG rng(1129);
  for (int i = 0; i < 200; ++i) {
    cv::Mat img(rng.uniform(1, 160), rng.uniform(1, 160), CV_8UC3);
    rng.fill(img, cv::RNG::UNIFORM, 0, 256);
    const int w = rng.uniform(1, 240), h = rng.uniform(1, 240);
    INFO(img.cols << "x" << img.rows << " -> " << w << "x" << h);
    const cv::Mat scalar = ds::pil_resize_bilinear(img, w, h, ds::Isa::kScalar);
    const cv::Mat vector = ds::pil_resize_bilinear(img, w, h, ds::best_isa());
    REQUIRE(scalar.size() == cv::Size(w, h));
    REQUIRE(cv::norm(scalar, vector, cv::NORM_INF) == 0);
  }
}

TEST_CASE("Pillow's bilinear resize keeps a constant image and rejects other types", "[datasets]") {
  const cv::Mat grey(37, 53, CV_8UC3, cv::Scalar(17, 140, 255));
  for (const ds::Isa isa : {ds::Isa::kScalar, ds::best_isa()}) {
    const cv::Mat out = ds::pil_resize_bilinear(grey, 20, 71, isa);
    CHECK(cv::norm(out, cv::Mat(71, 20, CV_8UC3, cv::Scalar(17, 140, 255)), cv::NORM_INF) == 0);
  }
  CHECK_THROWS(ds::pil_resize_bilinear(cv::Mat(4, 4, CV_8UC1), 2, 2));
  CHECK_THROWS(ds::pil_resize_bilinear(grey, 0, 2));
}
