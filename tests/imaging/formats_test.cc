// BMP, TIFF and WebP (imaging/bmp.h, tiff.h, webp.h) against OpenCV's own codecs, which are what
// the reference's cv2.imread(path, IMREAD_COLOR) runs: every file is read pixel for pixel as
// cv::imread reads it, detected by content whatever its name; damaged files and headers that
// claim huge images are errors naming the file.
#include <tiffio.h>

#include <opencv2/imgcodecs.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "imaging/image_io.h"
#include "tests/catch.h"
#include "tests/imaging/format_files.h"
#include "tests/temp_dir.h"

namespace imaging = fer::imaging;
using namespace fer::testing;  // NOLINT: the file builders.

TEST_CASE("BMP files read as cv::imread reads them", "[image_io][formats]") {
  const auto dir = fer::testing::temp_dir("formats_bmp");
  // OpenCV's own writer: 24-bit colour and 8-bit grey with a grey palette.
  REQUIRE(cv::imwrite((dir / "cv24.bmp").string(), pattern(37, 21, CV_8UC3)));
  REQUIRE(cv::imwrite((dir / "cvgrey.bmp").string(), pattern(30, 17, CV_8UC1)));
  require_same_as_opencv((dir / "cv24.bmp").string());
  require_same_as_opencv((dir / "cvgrey.bmp").string());

  struct Case {
    const char* name;
    int bits, compression, height, header;
    int palette;
    std::vector<uint32_t> masks;
  };
  const Case cases[] = {
      {"1bit", 1, 0, 13, 40, 2, {}},
      {"4bit", 4, 0, 13, 40, 16, {}},
      {"8bit", 8, 0, 13, 40, 256, {}},
      {"8bit_short", 8, 0, 13, 40, 20, {}},
      {"topdown", 8, 0, -13, 40, 256, {}},
      {"555", 16, 0, 13, 40, 0, {}},
      {"565", 16, 3, 13, 40, 0, {0xf800, 0x7e0, 0x1f}},
      {"555_fields", 16, 3, 13, 40, 0, {0x7c00, 0x3e0, 0x1f}},
      {"32bit", 32, 0, 13, 40, 0, {}},
      {"v5_24", 24, 0, 13, 124, 0, {}},
      {"os2_8", 8, 0, 13, 12, 256, {}},
      {"os2_24", 24, 0, 13, 12, 0, {}},
  };
  for (const Case& c : cases) {
    Bmp b;
    b.width = 23, b.height = c.height, b.bits = c.bits, b.compression = c.compression;
    b.header = c.header, b.palette = colours(c.palette), b.masks = c.masks;
    b.pixels = rows(b.width, b.height, b.bits);
    if (c.bits == 8 && c.palette < 256) {
      for (auto& p : b.pixels) p %= c.palette;  // Indices within the palette.
    }
    require_same_as_opencv(write(dir, std::string(c.name) + ".bmp", b.bytes()));
  }
}

TEST_CASE("RLE-compressed BMP files read as cv::imread reads them", "[image_io][formats]") {
  const auto dir = fer::testing::temp_dir("formats_rle");
  Bmp b;
  b.width = 10, b.height = 6, b.bits = 8, b.compression = 1, b.palette = colours(256);
  // Runs, an absolute stretch (odd length: padded), a run ending a row (then end-of-line is
  // ignored), end of line mid-row, a delta, and end of bitmap with rows left.
  b.pixels = {4, 7,   0, 3, 1, 2, 3, 0,   3, 9, 0, 0, 2,  5, 0, 0,
              5, 200, 0, 2, 2, 1, 3, 250, 0, 0, 0, 0, 10, 1, 0, 1};
  require_same_as_opencv(write(dir, "rle8.bmp", b.bytes()));
  b.height = -6;  // Top-down RLE.
  require_same_as_opencv(write(dir, "rle8_topdown.bmp", b.bytes()));

  Bmp r4;
  r4.width = 9, r4.height = 3, r4.bits = 4, r4.compression = 2, r4.palette = colours(16);
  r4.pixels = {5, 0x12, 0, 4, 0x34, 0x56, 0, 0, 9, 0xAB, 0, 0, 3, 0xCD, 0, 2, 2, 0, 4, 0xEF, 0, 0};
  require_same_as_opencv(write(dir, "rle4.bmp", r4.bytes()));

  b.height = 6;
  b.pixels = {20, 7, 0, 1};  // A run longer than the row: cv::imread gives nothing.
  const std::string bad = write(dir, "rle8_bad.bmp", b.bytes());
  CHECK(cv::imread(bad, cv::IMREAD_COLOR).empty());
  REQUIRE_THROWS_WITH(imaging::read_image(bad),
                      Catch::Contains("rle8_bad.bmp") && Catch::Contains("RLE"));
}

TEST_CASE("TIFF files read as cv::imread reads them", "[image_io][formats]") {
  const auto dir = fer::testing::temp_dir("formats_tiff");
  REQUIRE(cv::imwrite((dir / "bgr.tif").string(), pattern(41, 19, CV_8UC3)));
  REQUIRE(cv::imwrite((dir / "grey.tif").string(), pattern(41, 19, CV_8UC1)));
  REQUIRE(cv::imwrite((dir / "bgr16.tif").string(), pattern(41, 19, CV_16UC3)));
  REQUIRE(cv::imwrite((dir / "bgra.tiff").string(), pattern(41, 19, CV_8UC4)));
  for (const char* name : {"bgr.tif", "grey.tif", "bgr16.tif", "bgra.tiff"})
    require_same_as_opencv((dir / name).string());
  require_same_as_opencv(write_tiff(dir, "palette.tif", 33, 20, 1, 8, PHOTOMETRIC_PALETTE,
                                    COMPRESSION_NONE, false, false));
  // 4-bit samples: libtiff reads them, OpenCV refuses them, and so do we (naming the reason).
  const std::string palette4 = write_tiff(dir, "palette4.tif", 33, 20, 1, 4, PHOTOMETRIC_PALETTE,
                                          COMPRESSION_LZW, false, false);
  CHECK(cv::imread(palette4, cv::IMREAD_COLOR).empty());
  REQUIRE_THROWS_WITH(imaging::read_image(palette4), Catch::Contains("4-bit samples"));
  require_same_as_opencv(write_tiff(dir, "grey16.tif", 33, 20, 1, 16, PHOTOMETRIC_MINISBLACK,
                                    COMPRESSION_NONE, false, false));
  require_same_as_opencv(write_tiff(dir, "white1.tif", 33, 20, 1, 1, PHOTOMETRIC_MINISWHITE,
                                    COMPRESSION_PACKBITS, false, false));
  require_same_as_opencv(write_tiff(dir, "tiled.tif", 40, 35, 3, 8, PHOTOMETRIC_RGB,
                                    COMPRESSION_ADOBE_DEFLATE, true, false));
  require_same_as_opencv(
      write_tiff(dir, "planar.tif", 33, 20, 3, 8, PHOTOMETRIC_RGB, COMPRESSION_NONE, false, true));
  require_same_as_opencv(write_tiff(dir, "rgba_unassoc.tif", 33, 20, 4, 8, PHOTOMETRIC_RGB,
                                    COMPRESSION_LZW, false, false));
}

TEST_CASE("WebP files read as cv::imread reads them", "[image_io][formats]") {
  const auto dir = fer::testing::temp_dir("formats_webp");
  REQUIRE(cv::imwrite((dir / "lossy.webp").string(), pattern(45, 31, CV_8UC3),
                      {cv::IMWRITE_WEBP_QUALITY, 80}));
  REQUIRE(cv::imwrite((dir / "lossless.webp").string(), pattern(45, 31, CV_8UC3),
                      {cv::IMWRITE_WEBP_QUALITY, 101}));
  REQUIRE(cv::imwrite((dir / "alpha.webp").string(), pattern(45, 31, CV_8UC4),
                      {cv::IMWRITE_WEBP_QUALITY, 90}));
  REQUIRE(cv::imwrite((dir / "alpha_lossless.webp").string(), pattern(45, 31, CV_8UC4),
                      {cv::IMWRITE_WEBP_QUALITY, 101}));
  for (const char* name : {"lossy.webp", "lossless.webp", "alpha.webp", "alpha_lossless.webp"})
    require_same_as_opencv((dir / name).string());
}

TEST_CASE("Formats are detected by content, not by the file's name", "[image_io][formats]") {
  const auto dir = fer::testing::temp_dir("formats_names");
  std::vector<uchar> bmp, tif, webp;
  const cv::Mat img = pattern(20, 10, CV_8UC3);
  REQUIRE(cv::imencode(".bmp", img, bmp));
  REQUIRE(cv::imencode(".tif", img, tif));
  REQUIRE(cv::imencode(".webp", img, webp));
  const std::pair<const char*, std::vector<uchar>*> files[] = {
      {"a_bmp.jpg", &bmp}, {"a_tiff.png", &tif}, {"a_webp.jpeg", &webp}};
  for (const auto& [name, bytes] : files) {
    require_same_as_opencv(write(dir, name, std::vector<uint8_t>(bytes->begin(), bytes->end())));
  }
  const imaging::ImageHeader h =
      imaging::read_image_header(std::vector<uint8_t>(tif.begin(), tif.end()), "x");
  CHECK(h.format == "TIFF");
}

TEST_CASE("Damaged BMP, TIFF and WebP files and huge headers are errors naming the file",
          "[image_io][formats]") {
  using Catch::Contains;
  const auto dir = fer::testing::temp_dir("formats_bad");
  const cv::Mat img = pattern(64, 48, CV_8UC3);
  for (const char* ext : {".bmp", ".tif", ".webp"}) {
    std::vector<uchar> bytes;
    REQUIRE(cv::imencode(ext, img, bytes));
    bytes.resize(bytes.size() / 2);
    const std::string path = write(dir, std::string("half") + ext, {bytes.begin(), bytes.end()});
    INFO(path);
    CHECK(cv::imread(path, cv::IMREAD_COLOR).empty());
    REQUIRE_THROWS_WITH(imaging::read_image(path), Contains(path));
  }
  // Headers that claim 2^21 x 2^21 pixels (a few bytes each): refused before any allocation.
  Bmp huge;
  huge.width = 1 << 21, huge.height = 1 << 21, huge.bits = 24;
  const std::string bmp = write(dir, "huge.bmp", huge.bytes());
  REQUIRE_THROWS_WITH(imaging::read_image(bmp), Contains("too large") && Contains("huge.bmp"));
  std::vector<uchar> png;
  REQUIRE(cv::imencode(".png", img, png));
  for (int i = 16; i < 24; i += 4) {  // IHDR width and height: 200000 x 200000.
    png[i] = 0, png[i + 1] = 0x03, png[i + 2] = 0x0d, png[i + 3] = 0x40;
  }
  const std::string huge_png = write(dir, "huge.png", {png.begin(), png.end()});
  REQUIRE_THROWS_WITH(imaging::read_image(huge_png), Contains("huge.png"));
  const std::string text = write(dir, "notes.bmp", {'h', 'e', 'l', 'l', 'o', '\n'});
  REQUIRE_THROWS_WITH(imaging::read_image(text), Contains("not a JPEG, PNG, BMP"));
}
