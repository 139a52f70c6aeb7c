// Orientation tags (imaging/exif.h) against cv::imread: EXIF in JPEG and PNG and the TIFF tag,
// all eight values, applied as cv2.imread applies them (AffectNet, predict --detect) or left as
// stored (PIL's reading, Aff-Wild2), through the full and the DCT-scaled decodes.
#include <tiffio.h>

#include <opencv2/imgcodecs.hpp>
#include <string>
#include <vector>

#include "imaging/image_io.h"
#include "tests/catch.h"
#include "tests/imaging/format_files.h"
#include "tests/temp_dir.h"

namespace imaging = fer::imaging;
using namespace fer::testing;  // NOLINT: the file builders.

TEST_CASE("EXIF and TIFF orientation: applied as cv::imread applies it, or left as stored",
          "[image_io][formats]") {
  const auto dir = fer::testing::temp_dir("formats_exif");
  const cv::Mat img = pattern(29, 13, CV_8UC3);
  for (int o = 1; o <= 8; ++o) {
    std::vector<std::string> paths = {
        write(dir, "o" + std::to_string(o) + ".jpg", with_orientation(img, ".jpg", o)),
        write(dir, "o" + std::to_string(o) + ".png", with_orientation(img, ".png", o)),
        write_tiff(dir, "o" + std::to_string(o) + ".tif", 29, 13, 3, 8, PHOTOMETRIC_RGB,
                   COMPRESSION_NONE, false, false, o)};
    for (const std::string& path : paths) {
      INFO(path);
      const cv::Mat shown = cv::imread(path, cv::IMREAD_COLOR);
      // As stored: OpenCV's TIFF reader turns the image whatever the flag says, so a TIFF's
      // stored pixels are those of the same data tagged 1 (PIL ignores the tag, as we do).
      const bool tiff = path.substr(path.size() - 4) == ".tif";
      const cv::Mat stored =
          tiff ? cv::imread((dir / "o1.tif").string(), cv::IMREAD_COLOR)
               : cv::imread(path, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
      REQUIRE_FALSE(shown.empty());
      CHECK(shown.rows == (o >= 5 ? 29 : 13));
      const cv::Mat ours = imaging::read_image(path, /*apply_exif=*/true);
      REQUIRE(ours.size() == shown.size());
      CHECK(cv::norm(ours, shown, cv::NORM_INF) == 0);
      const cv::Mat raw = imaging::read_image(path);
      REQUIRE(raw.size() == stored.size());
      CHECK(cv::norm(raw, stored, cv::NORM_INF) == 0);
      const auto bytes = imaging::read_file_bytes(path);
      CHECK(imaging::read_image_header(bytes, path).orientation == o);
      // The scaled decode turns the image too and reports the shown full size.
      const imaging::DecodedImage scaled = imaging::decode_image_scaled(
          bytes, path, [](int, int) { return 1.0; }, true);
      CHECK(scaled.full_width == shown.cols);
      CHECK(cv::norm(scaled.bgr, shown, cv::NORM_INF) == 0);
    }
  }
}
