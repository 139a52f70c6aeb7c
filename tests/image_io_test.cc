// datasets/image_io against OpenCV's own codecs (the reference the project used before) and
// against damaged files: same bytes written, same pixels read, every defect an error with a path.
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <fstream>
#include <vector>

#include "core/error.h"
#include "datasets/image_io.h"
#include "datasets/synthetic_face.h"
#include "tests/temp_dir.h"
#include "tests/catch.h"

namespace ds = fer::datasets;

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
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
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
  const std::vector<uint8_t> ours = ds::encode_jpeg(img, quality);
  CHECK(ours.size() == opencv.size());
  CHECK(std::equal(ours.begin(), ours.end(), opencv.begin(), opencv.end()));
}

TEST_CASE("JPEG and PNG decoding give cv::imread's pixels", "[image_io]") {
  const auto dir = fer::testing::temp_dir("image_io_decode");
  const cv::Mat img = face_image(203, 157);
  const std::string jpg = (dir / "a.jpg").string(), png = (dir / "b.png").string(), grey = (dir / "g.jpg").string();
  REQUIRE(cv::imwrite(jpg, img, {cv::IMWRITE_JPEG_QUALITY, 88}));
  REQUIRE(cv::imwrite(png, img));
  cv::Mat g;
  cv::cvtColor(img, g, cv::COLOR_BGR2GRAY);
  REQUIRE(cv::imwrite(grey, g));
  CHECK(equal(ds::read_image(jpg), cv::imread(jpg, cv::IMREAD_COLOR)));
  CHECK(equal(ds::read_image(png), img));  // PNG is lossless.
  const cv::Mat ours_grey = ds::read_image(grey);
  CHECK(ours_grey.channels() == 3);
  CHECK(equal(ours_grey, cv::imread(grey, cv::IMREAD_COLOR)));
}

TEST_CASE("PNG and JPEG files written by image_io read back", "[image_io]") {
  const auto dir = fer::testing::temp_dir("image_io_write");
  const cv::Mat img = face_image(64, 48);
  ds::write_png((dir / "x.png").string(), img);
  CHECK(equal(cv::imread((dir / "x.png").string(), cv::IMREAD_UNCHANGED), img));
  ds::write_jpeg((dir / "x.jpg").string(), img, 92);
  CHECK(equal(ds::read_image((dir / "x.jpg").string()), cv::imread((dir / "x.jpg").string())));
  REQUIRE_THROWS_WITH(ds::write_png((dir / "missing" / "x.png").string(), img), Catch::Contains("missing/x.png"));
}

TEST_CASE("damaged and foreign image files are errors naming the file", "[image_io]") {
  const auto dir = fer::testing::temp_dir("image_io_damaged");
  const std::vector<uint8_t> jpeg = ds::encode_jpeg(face_image(120, 96), 90);
  const std::string truncated = (dir / "truncated.jpg").string();
  write_bytes(truncated, std::vector<uint8_t>(jpeg.begin(), jpeg.begin() + jpeg.size() / 2));
  // libjpeg only warns ("premature end of data") and OpenCV returns a half-grey image: an error here.
  CHECK_FALSE(cv::imread(truncated).empty());
  REQUIRE_THROWS_WITH(ds::read_image(truncated), Catch::Contains("truncated.jpg") && Catch::Contains("damaged data"));

  const std::string header_only = (dir / "header.jpg").string();
  write_bytes(header_only, std::vector<uint8_t>(jpeg.begin(), jpeg.begin() + 8));
  REQUIRE_THROWS_WITH(ds::read_image(header_only), Catch::Contains("header.jpg"));

  const std::string text = (dir / "notes.jpg").string();
  write_bytes(text, {'h', 'e', 'l', 'l', 'o'});
  REQUIRE_THROWS_WITH(ds::read_image(text), Catch::Contains("notes.jpg") && Catch::Contains("not a JPEG or PNG") &&
                                                Catch::Contains("68656c6c"));
  const std::string empty = (dir / "empty.png").string();
  write_bytes(empty, {});
  REQUIRE_THROWS_WITH(ds::read_image(empty), Catch::Contains("empty.png") && Catch::Contains("empty image file"));
  REQUIRE_THROWS_WITH(ds::read_image((dir / "absent.jpg").string()), Catch::Contains("absent.jpg") && Catch::Contains("missing"));

  std::vector<uchar> png;
  REQUIRE(cv::imencode(".png", face_image(40, 30), png));
  const std::string cut_png = (dir / "cut.png").string();
  write_bytes(cut_png, std::vector<uint8_t>(png.begin(), png.begin() + png.size() - 20));
  REQUIRE_THROWS_WITH(ds::read_image(cut_png), Catch::Contains("cut.png"));
}
