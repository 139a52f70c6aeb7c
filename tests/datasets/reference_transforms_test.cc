// Reference-exact preprocessing (datasets/reference_transforms.h) against the Python reference's
// own outputs (tests/testdata/preprocess/, made by tools/reference/make_preprocess_fixtures.py):
// validation crops of square and non-square images, and training crops for a given flip and
// rotation angle, compared grey level by grey level.
#include "datasets/reference_transforms.h"

#include <fstream>
#include <opencv2/imgproc.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "imaging/image_io.h"
#include "tests/catch.h"

namespace ds = fer::datasets;
namespace imaging = fer::imaging;

namespace {

const std::string kDir = "tests/testdata/preprocess/";

struct Case {
  std::string name, image, expected;
  ds::Sample sample;
  int size = 0;
  bool augment = false;
  ds::Augmentation aug;
};

std::vector<Case> read_cases() {
  std::ifstream in(kDir + "cases.txt");
  REQUIRE(in);
  std::vector<Case> cases;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream f(line);
    Case c;
    int augment = 0, flip = 0;
    c.sample.has_geometry = true;
    f >> c.name >> c.image >> c.sample.box_x >> c.sample.box_y >> c.sample.box_w >>
        c.sample.box_h >> c.sample.left_eye.x >> c.sample.left_eye.y >> c.sample.right_eye.x >>
        c.sample.right_eye.y >> c.size >> augment >> flip >> c.aug.rotation_deg >> c.expected;
    REQUIRE_FALSE(f.fail());
    c.augment = augment != 0;
    c.aug.flip = flip != 0;
    cases.push_back(c);
  }
  return cases;
}

// Fraction of channel values differing by more than one grey level.
double fraction_off(const cv::Mat& a, const cv::Mat& b) {
  REQUIRE(a.size() == b.size());
  REQUIRE(a.type() == b.type());
  cv::Mat diff;
  cv::absdiff(a, b, diff);
  return static_cast<double>(cv::countNonZero(diff.reshape(1) > 1)) /
         (diff.total() * diff.channels());
}

}  // namespace

TEST_CASE("reference preprocessing equals the Python reference's crops", "[datasets]") {
  const std::vector<Case> cases = read_cases();
  REQUIRE(cases.size() >= 30);
  double worst_train = 0, val_max_diff = 0;
  int64_t train_off = 0, train_values = 0;
  for (const Case& c : cases) {
    INFO(c.expected);
    const cv::Mat bgr = imaging::read_image(kDir + c.image);
    cv::Mat expected;
    cv::cvtColor(imaging::read_image(kDir + c.expected), expected, cv::COLOR_BGR2RGB);
    ds::TransformOptions t;
    t.output_size = c.size;
    t.augment = c.augment;
    const cv::Mat ours = ds::reference_crop(bgr, c.sample, t, c.aug);
    if (!c.augment) {
      REQUIRE(ours.size() == expected.size());
      REQUIRE(ours.type() == expected.type());
      val_max_diff = std::max(val_max_diff, cv::norm(ours, expected, cv::NORM_INF));
      // Byte for byte: the alignment is cv2's own cubic warp (cubic_warp.h), the resize Pillow's.
      CHECK(cv::norm(ours, expected, cv::NORM_INF) == 0);
    } else {
      const double off = fraction_off(ours, expected);
      worst_train = std::max(worst_train, off);
      train_off += static_cast<int64_t>(off * ours.total() * 3 + 0.5);
      train_values += static_cast<int64_t>(ours.total() * 3);
      CHECK(off <= 0.001);
    }
  }
  WARN("reference preprocessing: validation crops differ by at most "
       << val_max_diff
       << " grey levels; "
          "training crops "
       << 100.0 * train_off / train_values << "% (worst " << 100 * worst_train << "%)");
}

TEST_CASE("Pillow's pieces: resize sizes, identity resize, rotation fast paths", "[datasets]") {
  CHECK(ds::torchvision_resize_size(100, 100, 48) == cv::Size(48, 48));
  CHECK(ds::torchvision_resize_size(200, 140, 64) ==
        cv::Size(91, 64));  // int(64 * 200 / 140) = 91.
  CHECK(ds::torchvision_resize_size(140, 200, 64) == cv::Size(64, 91));
  cv::Mat img(20, 30, CV_8UC3);
  cv::randu(img, 0, 256);
  CHECK(cv::norm(ds::pil_resize_bilinear(img, 30, 20), img, cv::NORM_INF) == 0);
  CHECK(cv::norm(ds::pil_rotate_nearest(img, 0), img, cv::NORM_INF) == 0);
  CHECK(cv::norm(ds::pil_rotate_nearest(img, 360), img, cv::NORM_INF) == 0);
  cv::Mat half;
  cv::rotate(img, half, cv::ROTATE_180);
  CHECK(cv::norm(ds::pil_rotate_nearest(img, -180), half, cv::NORM_INF) == 0);
  // Truncation toward zero, as numpy's astype("int").
  CHECK(ds::reference_eye({12.99f, -0.5f}) == cv::Point(12, 0));
}
