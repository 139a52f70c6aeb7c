// Smoke test of every Debian-packaged dependency as the project links it:
// LibTorch (and the BLAS it maps), OpenCV codecs, SQLite, Boost.
#include <ATen/ATen.h>
#include <ATen/Version.h>
#include <sqlite3.h>

#include <boost/filesystem.hpp>
#include <boost/program_options.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "tests/catch.h"
#include "third_party/torch_info.h"

namespace {

// BLAS_INFO of LibTorch's build settings ("mkl", "open", "generic", ...; "" when not listed).
std::string blas_info() {
  const std::string config = at::show_config();
  const auto at = config.find("BLAS_INFO=");
  if (at == std::string::npos) return "";
  const auto begin = at + 10;
  return config.substr(begin, config.find_first_of(", \n", begin) - begin);
}

}  // namespace

TEST_CASE("LibTorch computes a matrix product through a fast BLAS", "[third_party]") {
  at::manual_seed(0);
  at::Tensor a = at::randn({64, 32});
  at::Tensor b = at::randn({32, 16});
  at::Tensor c = at::matmul(a, b);
  // Check one entry against a hand-written dot product.
  float expect = 0;
  for (int k = 0; k < 32; ++k) expect += a[3][k].item<float>() * b[k][5].item<float>();
  CHECK(c[3][5].item<float>() == Approx(expect).margin(1e-4));

  fer::TorchInfo info = fer::torch_info();
  CHECK_FALSE(info.version.empty());
  // A pytorch.org / PyPI LibTorch carries MKL inside libtorch_cpu. Debian's calls the system
  // libblas.so.3, which setup.sh points at OpenBLAS: the reference BLAS is ~40x slower.
  const std::string blas = blas_info();
  INFO("BLAS_INFO=" << blas << "; mapped BLAS: " << info.blas_library);
  if (blas == "mkl") {
    SUCCEED("LibTorch's own MKL");
  } else {
    CHECK(info.blas_library.find("openblas") != std::string::npos);
  }
  CHECK(fer::torch_build_summary().find("LibTorch " + info.version) == 0);
}

TEST_CASE("OpenCV encodes and decodes a JPEG", "[third_party]") {
  cv::Mat img(48, 64, CV_8UC3, cv::Scalar(30, 120, 200));
  cv::circle(img, {32, 24}, 10, cv::Scalar(255, 255, 255), -1);
  std::vector<uchar> jpeg;
  REQUIRE(cv::imencode(".jpg", img, jpeg, {cv::IMWRITE_JPEG_QUALITY, 95}));
  cv::Mat back = cv::imdecode(jpeg, cv::IMREAD_COLOR);
  REQUIRE(back.rows == 48);
  REQUIRE(back.cols == 64);
  cv::Vec3b centre = back.at<cv::Vec3b>(24, 32), corner = back.at<cv::Vec3b>(2, 2);
  CHECK(centre[0] > 240);
  CHECK(std::abs(corner[2] - 200) <= 4);
}

TEST_CASE("SQLite round-trips a row", "[third_party]") {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(":memory:", &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db,
                       "CREATE TABLE t(name TEXT, acc REAL);"
                       "INSERT INTO t VALUES('emotion_gcn', 0.6646);",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT name, acc FROM t", -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))) == "emotion_gcn");
  CHECK(sqlite3_column_double(stmt, 1) == 0.6646);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST_CASE("Boost parses options and walks the filesystem", "[third_party]") {
  namespace po = boost::program_options;
  po::options_description desc;
  desc.add_options()("epochs", po::value<int>()->default_value(10));
  const char* argv[] = {"prog", "--epochs", "3"};
  po::variables_map vm;
  po::store(po::parse_command_line(3, argv, desc), vm);
  CHECK(vm["epochs"].as<int>() == 3);
  CHECK(boost::filesystem::exists(boost::filesystem::current_path()));
}
