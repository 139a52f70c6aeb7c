// datasets/image_io against OpenCV's own codecs (the reference the project used before) and
// against damaged files: same bytes written, same pixels read, every defect an error with a path.
#include "imaging/image_io.h"

#include <algorithm>
#include <fstream>
#include <numeric>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "core/error.h"
#include "datasets/synthetic_face.h"
#include "datasets/transforms.h"
#include "tests/catch.h"
#include "tests/temp_dir.h"

namespace ds = fer::datasets;
namespace imaging = fer::imaging;

namespace {

cv::Mat face_image(int width, int height) {
  cv::Mat img(height, width, CV_8UC3);
  ds::Rng rng(11);
  ds::draw_background(img, rng);
  ds::FaceParams face;
  face.cx = width / 2.0;
  face.cy = height / 2.0;
  face.radius = std::min(width, height) / 3.0;
  face.roll_deg = 9;
  ds::draw_face(img, face);
  return img;
}

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

bool equal(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

}  // namespace

TEST_CASE("JPEG encoding writes the bytes cv::imencode writes", "[image_io]") {
  const int quality = GENERATE(75, 92, 100);
  const cv::Mat img = face_image(161, 120);  // Odd width: partial MCUs and chroma blocks.
  std::vector<uchar> opencv;
  REQUIRE(cv::imencode(".jpg", img, opencv, {cv::IMWRITE_JPEG_QUALITY, quality}));
  const std::vector<uint8_t> ours = imaging::encode_jpeg(img, quality);
  CHECK(ours.size() == opencv.size());
  CHECK(std::equal(ours.begin(), ours.end(), opencv.begin(), opencv.end()));
}

TEST_CASE("JPEG and PNG decoding give cv::imread's pixels", "[image_io]") {
  const auto dir = fer::testing::temp_dir("image_io_decode");
  const cv::Mat img = face_image(203, 157);
  const std::string jpg = (dir / "a.jpg").string(), png = (dir / "b.png").string(),
                    grey = (dir / "g.jpg").string();
  REQUIRE(cv::imwrite(jpg, img, {cv::IMWRITE_JPEG_QUALITY, 88}));
  REQUIRE(cv::imwrite(png, img));
  cv::Mat g;
  cv::cvtColor(img, g, cv::COLOR_BGR2GRAY);
  REQUIRE(cv::imwrite(grey, g));
  CHECK(equal(imaging::read_image(jpg), cv::imread(jpg, cv::IMREAD_COLOR)));
  CHECK(equal(imaging::read_image(png), img));  // PNG is lossless.
  const cv::Mat ours_grey = imaging::read_image(grey);
  CHECK(ours_grey.channels() == 3);
  CHECK(equal(ours_grey, cv::imread(grey, cv::IMREAD_COLOR)));
}

TEST_CASE("PNG and JPEG files written by image_io read back", "[image_io]") {
  const auto dir = fer::testing::temp_dir("image_io_write");
  const cv::Mat img = face_image(64, 48);
  imaging::write_png((dir / "x.png").string(), img);
  CHECK(equal(cv::imread((dir / "x.png").string(), cv::IMREAD_UNCHANGED), img));
  imaging::write_jpeg((dir / "x.jpg").string(), img, 92);
  CHECK(equal(imaging::read_image((dir / "x.jpg").string()), cv::imread((dir / "x.jpg").string())));
  REQUIRE_THROWS_WITH(imaging::write_png((dir / "missing" / "x.png").string(), img),
                      Catch::Contains("missing/x.png"));
}

TEST_CASE("damaged and foreign image files are errors naming the file", "[image_io]") {
  const auto dir = fer::testing::temp_dir("image_io_damaged");
  const std::vector<uint8_t> jpeg = imaging::encode_jpeg(face_image(120, 96), 90);
  const std::string truncated = (dir / "truncated.jpg").string();
  write_bytes(truncated, std::vector<uint8_t>(jpeg.begin(), jpeg.begin() + jpeg.size() / 2));
  // libjpeg only warns ("premature end of data") and OpenCV returns a half-grey image: an error
  // here.
  CHECK_FALSE(cv::imread(truncated).empty());
  REQUIRE_THROWS_WITH(imaging::read_image(truncated),
                      Catch::Contains("truncated.jpg") && Catch::Contains("damaged data"));

  const std::string header_only = (dir / "header.jpg").string();
  write_bytes(header_only, std::vector<uint8_t>(jpeg.begin(), jpeg.begin() + 8));
  REQUIRE_THROWS_WITH(imaging::read_image(header_only), Catch::Contains("header.jpg"));

  const std::string text = (dir / "notes.jpg").string();
  write_bytes(text, {'h', 'e', 'l', 'l', 'o'});
  REQUIRE_THROWS_WITH(imaging::read_image(text),
                      Catch::Contains("notes.jpg") &&
                          Catch::Contains("not a JPEG, PNG, BMP, TIFF or WebP") &&
                          Catch::Contains("68656c6c"));
  const std::string empty = (dir / "empty.png").string();
  write_bytes(empty, {});
  REQUIRE_THROWS_WITH(imaging::read_image(empty),
                      Catch::Contains("empty.png") && Catch::Contains("empty image file"));
  REQUIRE_THROWS_WITH(imaging::read_image((dir / "absent.jpg").string()),
                      Catch::Contains("absent.jpg") && Catch::Contains("missing"));

  std::vector<uchar> png;
  REQUIRE(cv::imencode(".png", face_image(40, 30), png));
  const std::string cut_png = (dir / "cut.png").string();
  write_bytes(cut_png, std::vector<uint8_t>(png.begin(), png.begin() + png.size() - 20));
  REQUIRE_THROWS_WITH(imaging::read_image(cut_png), Catch::Contains("cut.png"));
}

namespace {

// Un-normalised 8-bit RGB planes of a rendered crop (render_sample's output).
std::vector<float> to_grey_levels(const std::vector<float>& chw) {
  const float mean[3] = {0.485f, 0.456f, 0.406f}, stdv[3] = {0.229f, 0.224f, 0.225f};
  std::vector<float> out(chw.size());
  const size_t plane = chw.size() / 3;
  for (size_t i = 0; i < chw.size(); ++i)
    out[i] = (chw[i] * stdv[i / plane] + mean[i / plane]) * 255.f;
  return out;
}

}  // namespace

TEST_CASE("DCT-scaled decoding picks the smallest of 1/8, 1/4, 1/2, 1 that covers the crop",
          "[image_io]") {
  const std::vector<uint8_t> jpeg = imaging::encode_jpeg(face_image(1600, 1200), 90);
  for (const auto& [wanted, num] : std::vector<std::pair<double, int>>{{0.0, 1},
                                                                       {0.125, 1},
                                                                       {0.13, 2},
                                                                       {0.25, 2},
                                                                       {0.2500001, 4},
                                                                       {0.5, 4},
                                                                       {0.6, 8},
                                                                       {1.0, 8},
                                                                       {3.0, 8}}) {
    const imaging::DecodedImage d =
        imaging::decode_image_scaled(jpeg, "x.jpg", [w = wanted](int width, int height) {
          CHECK(width == 1600);
          CHECK(height == 1200);
          return w;
        });
    INFO("wanted " << wanted);
    CHECK(d.scale == num / 8.0);
    CHECK(d.bgr.cols == (1600 * num + 7) / 8);
    CHECK(d.bgr.rows == (1200 * num + 7) / 8);
    CHECK(d.full_width == 1600);
  }
  // Full scale is the plain decode, bit for bit.
  const imaging::DecodedImage full =
      imaging::decode_image_scaled(jpeg, "x.jpg", [](int, int) { return 1.0; });
  CHECK(equal(full.bgr, imaging::decode_image(jpeg, "x.jpg")));
}

TEST_CASE("a crop from a DCT-scaled decode matches the crop from the full decode", "[image_io]") {
  // A large AffectNet-like photo: a 1600x1200 JPEG whose face box is 1000 pixels wide, cropped
  // to the model's 227 and 112 (DCT scale 1/2 and 1/4). Measured on this face (hard-edged
  // drawing, the worst case for differing low-pass filters): mean |difference| 0.21 grey levels
  // at both sizes, 99th percentile 6 and 5, max 26 and 17.
  const cv::Mat img = face_image(1600, 1200);
  const std::vector<uint8_t> jpeg = imaging::encode_jpeg(img, 90);
  ds::Sample s;
  s.has_geometry = true;
  s.box_x = 300;
  s.box_y = 100;
  s.box_w = s.box_h = 1000;
  s.left_eye = {650, 520};
  s.right_eye = {950, 560};
  const int size = GENERATE(227, 112);
  ds::TransformOptions t;
  t.output_size = size;
  t.augment = true;
  const ds::Augmentation aug = ds::draw_augmentation(t, 7);  // Flip and rotation included.
  std::vector<float> full(3 * size * size), scaled(3 * size * size);
  ds::render_sample(imaging::decode_image(jpeg, "x.jpg"), s, t, aug, full.data());
  const imaging::DecodedImage d = imaging::decode_image_scaled(
      jpeg, "x.jpg", [&](int w, int h) { return ds::required_decode_scale(s, w, h, t); });
  CHECK(d.scale <= 0.5);
  CHECK(d.scale * 1000 >= 2 * size);
  ds::render_sample(d.bgr, d.full_width, d.full_height, d.scale, s, t, aug, scaled.data());
  const std::vector<float> a = to_grey_levels(full), b = to_grey_levels(scaled);
  std::vector<double> diff(a.size());
  for (size_t i = 0; i < a.size(); ++i) diff[i] = std::abs(a[i] - b[i]);
  const double mean = std::accumulate(diff.begin(), diff.end(), 0.0) / diff.size();
  std::sort(diff.begin(), diff.end());
  const double p99 = diff[diff.size() * 99 / 100];
  WARN("scaled vs full decode at " << size << " px: mean |diff| " << mean
                                   << " grey levels, 99th percentile " << p99 << ", max "
                                   << diff.back());
  CHECK(mean < 0.5);
  CHECK(p99 <= 8);
}

TEST_CASE("PNG alpha is dropped as cv::imread drops it; a CMYK JPEG is an unexpected channel count",
          "[image_io]") {
  const auto dir = fer::testing::temp_dir("image_io_channels");
  cv::Mat bgra(30, 40, CV_8UC4);
  cv::randu(bgra, 0, 256);
  const std::string png = (dir / "alpha.png").string();
  REQUIRE(cv::imwrite(png, bgra));
  CHECK(equal(imaging::read_image(png), cv::imread(png, cv::IMREAD_COLOR)));
  const imaging::ImageHeader h = imaging::read_image_header(imaging::read_file_bytes(png), png);
  CHECK(h.channels == 4);
  CHECK(h.format == "PNG");
  CHECK_FALSE(h.cmyk);
}
