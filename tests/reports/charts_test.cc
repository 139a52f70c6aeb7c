// The report's PNG charts: y ticks at round values (1-2-5 steps) that cover the data, tick labels
// with just the decimals their step needs, epoch ticks that stay legible on long runs, and
// labelled axes.
#include "reports/charts.h"

#include <cmath>
#include <limits>
#include <opencv2/core.hpp>

#include "imaging/image_io.h"
#include "tests/catch.h"
#include "tests/temp_dir.h"

namespace rp = fer::reports;

namespace {

bool round_step(double step) {
  const double mantissa = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
  for (double m : {1.0, 2.0, 5.0}) {
    if (std::abs(mantissa - m) < 1e-6) return true;  // Steps are differences of large ticks.
  }
  return false;
}

}  // namespace

TEST_CASE("ticks are round values in 1-2-5 steps that cover the data", "[charts]") {
  CHECK(rp::nice_ticks(0.12, 0.97, 6) ==
        std::vector<double>{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1});
  CHECK(rp::nice_ticks(1.9, 3.2, 6) == std::vector<double>{1.5, 2, 2.5, 3, 3.5});
  CHECK(rp::nice_ticks(14.3, 98.6, 6) == std::vector<double>{0, 20, 40, 60, 80, 100});
  const auto flat = rp::nice_ticks(5, 5, 6);  // One value: a unit around it.
  CHECK(flat.front() <= 4.5);
  CHECK(flat.back() >= 5.5);
  CHECK(flat.size() <= 6);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK(rp::nice_ticks(nan, nan, 6) == std::vector<double>{0, 1});
  // Whatever the data, at most max_ticks ticks, a 1-2-5 step, and the range covered.
  for (double lo : {-3.7, 0.0, 0.0031, 12.0, 1e5}) {
    for (double span : {1e-3, 0.27, 1.0, 9.5, 730.0}) {
      const auto t = rp::nice_ticks(lo, lo + span, 6);
      INFO(lo << " + " << span);
      REQUIRE(t.size() >= 2);
      CHECK(t.size() <= 6);
      CHECK(t.front() <= lo);
      CHECK(t.back() >= lo + span);
      CHECK(round_step(t[1] - t[0]));
    }
  }
  // Epochs: integer steps only.
  CHECK(rp::nice_ticks(1, 3, 11, /*integer=*/true) == std::vector<double>{1, 2, 3});
  CHECK(rp::nice_ticks(1, 40, 11, /*integer=*/true) ==
        std::vector<double>{0, 5, 10, 15, 20, 25, 30, 35, 40});
}

TEST_CASE("tick labels carry the decimals their step needs", "[charts]") {
  CHECK(rp::tick_label(0.6000000000000001, 0.2) == "0.6");
  CHECK(rp::tick_label(0.35, 0.05) == "0.35");
  CHECK(rp::tick_label(140, 20) == "140");
  CHECK(rp::tick_label(-1e-17, 0.5) == "0.0");
  CHECK(rp::tick_label(2.5, 0.5) == "2.5");
}

TEST_CASE("curve charts label both axes", "[charts]") {
  const auto dir = fer::testing::temp_dir("charts");
  const std::vector<rp::Series> series = {{"train", {1.9, 2.4, 3.1}},
                                          {"val", {2.0, std::nan(""), 3.2}}};
  rp::write_curve_png((dir / "a.png").string(), "loss per epoch", "loss (Eq. 6)", series);
  rp::write_curve_png((dir / "b.png").string(), "loss per epoch", "percent (%)", series);
  const cv::Mat a = fer::imaging::read_image((dir / "a.png").string());
  const cv::Mat b = fer::imaging::read_image((dir / "b.png").string());
  CHECK(a.cols == 800);
  CHECK(a.rows == 450);
  // The y label is drawn in the left margin, and only there do the two charts differ.
  cv::Mat diff;
  cv::absdiff(a, b, diff);
  cv::Mat gray;
  cv::extractChannel(diff, gray, 0);
  CHECK(cv::countNonZero(gray(cv::Rect(0, 0, 40, 450))) > 50);
  CHECK(cv::countNonZero(gray(cv::Rect(40, 0, 760, 450))) == 0);
}
