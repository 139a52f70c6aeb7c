// Datasets beyond the readers: alignment geometry, loader determinism, label statistics, GloVe
// parsing, opening datasets by name, and the synthetic generator's reproducibility and labels.
#include <ATen/ATen.h>

#include <boost/filesystem.hpp>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <opencv2/imgproc.hpp>

#include "core/affectnet_spearman.h"
#include "core/error.h"
#include "datasets/affectnet.h"
#include "datasets/affwild2.h"
#include "datasets/dataset.h"
#include "datasets/label_stats.h"
#include "datasets/loader.h"
#include "datasets/synthetic.h"
#include "datasets/synthetic_face.h"
#include "datasets/transforms.h"
#include "tests/catch.h"
#include "tests/temp_dir.h"

namespace ds = fer::datasets;
namespace fs = boost::filesystem;
using Catch::Matchers::WithinAbs;

namespace {

using fer::testing::temp_dir;

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p.string()) << text;
}

}  // namespace

TEST_CASE("alignment turns a rolled face upright", "[datasets]") {
  const double roll = GENERATE(-25.0, -8.0, 12.0, 28.0);
  INFO("roll " << roll);
  cv::Mat img(160, 160, CV_8UC3, cv::Scalar(200, 200, 200));
  ds::FaceParams face;
  face.cx = 84;
  face.cy = 76;
  face.radius = 34;
  face.roll_deg = roll;
  face.hair = false;
  face.arousal = 1;  // Wide-open eyes: large irises.
  const ds::Landmarks lm = ds::draw_face(img, face);
  ds::Sample s;
  s.has_geometry = true;
  s.box_x = 84 - 46;
  s.box_y = 76 - 46;
  s.box_w = s.box_h = 92;
  ds::eye_centres(lm, &s.left_eye, &s.right_eye);
  ds::TransformOptions t;
  t.output_size = 96;
  // Geometry: the eye centres land on one horizontal line.
  const cv::Matx23d m = ds::sample_affine(s, img.cols, img.rows, t, ds::Augmentation());
  auto apply = [&](ds::Point p) { return cv::Point2d(m * cv::Vec3d(p.x, p.y, 1)); };
  const cv::Point2d l = apply(s.left_eye), r = apply(s.right_eye);
  CHECK(std::abs(std::atan2(r.y - l.y, r.x - l.x) * 180 / M_PI) < 1.0);
  // Pixels: around each expected eye position, the dark pixels (iris and eye outline) of the
  // rendered crop have centroids on one horizontal line, within the rasterisation of the drawn
  // eyes (1.2 degrees at worst over these rolls: a centroid 0.5 px off over 26 px; no alignment
  // or a rotation the wrong way would leave 8 to 56 degrees).
  std::vector<float> chw(3 * 96 * 96);
  ds::render_sample(img, s, t, ds::Augmentation(), chw.data());
  cv::Point2d centroid[2];
  for (int side = 0; side < 2; ++side) {
    const cv::Point2d c = side == 0 ? l : r;
    double count = 0;
    for (int y = cvRound(c.y) - 7; y <= cvRound(c.y) + 7; ++y) {
      for (int x = cvRound(c.x) - 9; x <= cvRound(c.x) + 9; ++x) {
        float v = 0;
        for (int ch = 0; ch < 3; ++ch) {
          const float mean[3] = {0.485f, 0.456f, 0.406f}, sd[3] = {0.229f, 0.224f, 0.225f};
          v = std::max(v, chw[ch * 96 * 96 + y * 96 + x] * sd[ch] + mean[ch]);
        }
        if (v < 0.3f) {
          centroid[side] += cv::Point2d(x, y);
          count += 1;
        }
      }
    }
    REQUIRE(count > 5);
    centroid[side] /= count;
  }
  CHECK(std::abs(std::atan2(centroid[1].y - centroid[0].y, centroid[1].x - centroid[0].x) * 180 /
                 M_PI) < 1.5);
  CHECK(std::abs(centroid[0].y - l.y) < 1.5);
}

TEST_CASE("batches are identical whatever the number of loader threads", "[datasets]") {
  ds::DatasetOptions o;
  o.name = "synth-affectnet";
  o.cache_root = temp_dir("cache_loader").string();
  o.synthetic.train_per_class = 3;
  o.synthetic.val_per_class = 1;
  ds::Dataset d = ds::open_dataset(o);
  auto run = [&](int workers, int64_t epoch) {
    ds::LoaderOptions lo;
    lo.batch_size = 5;
    lo.workers = workers;
    lo.seed = 17;
    lo.transform.output_size = 32;
    lo.transform.augment = true;
    lo.transform.color_jitter = 0.2;
    ds::BatchLoader loader(d.index.train.samples, d.index.image_root, lo);
    loader.start_epoch(epoch);
    std::vector<at::Tensor> images;
    std::vector<int64_t> order;
    while (auto b = loader.next()) {
      images.push_back(b->images);
      order.insert(order.end(), b->indices.begin(), b->indices.end());
    }
    return std::make_pair(at::cat(images), order);
  };
  const auto single = run(0, 1), one = run(1, 1), three = run(3, 1);
  CHECK(single.first.equal(one.first));
  CHECK(single.first.equal(three.first));
  CHECK(single.second == three.second);
  CHECK(static_cast<size_t>(single.first.size(0)) == d.index.train.samples.size());
  const auto other_epoch = run(2, 2);
  CHECK(other_epoch.second != single.second);
  CHECK_FALSE(other_epoch.first.equal(single.first));
}

TEST_CASE("Spearman correlation matches a hand computation", "[datasets]") {
  // Ranks of y = 5 6 7 8 7 are 1 2 3.5 5 3.5; rho = 8 / sqrt(10 * 9.5).
  auto m = ds::spearman_matrix({{1, 2, 3, 4, 5}, {5, 6, 7, 8, 7}, {3, 3, 3, 3, 3}});
  CHECK_THAT(m[1], WithinAbs(8 / std::sqrt(95.0), 1e-12));
  CHECK_THAT(m[3], WithinAbs(8 / std::sqrt(95.0), 1e-12));
  CHECK(m[0] == 1.0);
  CHECK(m[2] == 0.0);  // Constant column.
  CHECK_THAT(ds::spearman_matrix({{1, 2, 3}, {30, 20, 10}})[1], WithinAbs(-1.0, 1e-12));
}

TEST_CASE("GloVe vectors are read by label word, with clear errors", "[datasets]") {
  fs::path dir = temp_dir("glove");
  write(dir / "g.txt", "the 0.1 0.2 0.3\nhappy 1 2 3\nsad -1 -2 -3.5\nhappy 9 9 9\n");
  int dim = 0;
  auto v = ds::read_glove((dir / "g.txt").string(), {"sad", "happy"}, &dim);
  CHECK(dim == 3);
  const std::vector<float> expected = {-1, -2, -3.5, 1, 2, 3};
  CHECK(v == expected);
  REQUIRE_THROWS_WITH(
      ds::read_glove((dir / "g.txt").string(), {"happy", "valence", "arousal"}, &dim),
      Catch::Contains("label words not found: valence, arousal"));
  write(dir / "bad.txt", "happy 1 2 3\nsad 1 2\n");
  REQUIRE_THROWS_WITH(
      ds::read_glove((dir / "bad.txt").string(), {"happy", "sad"}, &dim),
      Catch::Contains("bad.txt:2") && Catch::Contains("dimension 2 differs from 3"));
  auto fallback = ds::fallback_embeddings({"happy", "sad"}, 300);
  CHECK(fallback.size() == 600);
  CHECK(fallback == ds::fallback_embeddings({"happy", "sad"}, 300));
  // The ablations' vectors (issue #32): random ones are standard normal, the same for a seed
  // and new for another; one-hot ones are the identity.
  const auto random = ds::random_embeddings(9, 300, 7);
  REQUIRE(random.size() == 2700);
  CHECK(random == ds::random_embeddings(9, 300, 7));
  CHECK(random != ds::random_embeddings(9, 300, 8));
  double sum = 0, sq = 0;
  for (float x : random) {
    sum += x;
    sq += static_cast<double>(x) * x;
  }
  const double mean = sum / 2700, var = sq / 2700 - mean * mean;
  CHECK(std::abs(mean) < 0.06);  // 3 standard errors of 2,700 N(0, 1) draws.
  CHECK(std::abs(var - 1) < 0.09);
  CHECK(std::vector<float>(random.begin(), random.begin() + 300) !=
        std::vector<float>(random.begin() + 300, random.begin() + 600));
  const auto onehot = ds::onehot_embeddings(3);
  CHECK(onehot == std::vector<float>{1, 0, 0, 0, 1, 0, 0, 0, 1});
  const std::vector<std::string> words = {"neutral", "happy", "valence", "arousal"};
  CHECK(ds::label_words({"Neutral", "Happy"}) == words);
}

TEST_CASE("the synthetic generator is byte-reproducible and its index is cached", "[datasets]") {
  ds::SyntheticOptions o;
  o.train_per_class = 2;
  o.val_per_class = 1;
  const std::string name = GENERATE("synth-affectnet", "synth-affwild2");
  INFO(name);
  const std::string a = ds::ensure_synthetic(name, temp_dir("synth_a").string(), o);
  const std::string b = ds::ensure_synthetic(name, temp_dir("synth_b").string(), o);
  size_t files = 0;
  for (fs::recursive_directory_iterator it(a), end; it != end; ++it) {
    if (!fs::is_regular_file(it->path())) continue;
    const fs::path rel = fs::relative(it->path(), a);
    std::ifstream fa(it->path().string(), std::ios::binary),
        fb((fs::path(b) / rel).string(), std::ios::binary);
    const std::string ca((std::istreambuf_iterator<char>(fa)), {}),
        cb((std::istreambuf_iterator<char>(fb)), {});
    INFO(rel.string());
    CHECK(ca == cb);
    ++files;
  }
  CHECK(files > 10);

  ds::DatasetOptions d;
  d.name = name;
  d.cache_root = temp_dir("synth_cache").string();
  d.synthetic = o;
  const ds::Dataset first = ds::open_dataset(d), second = ds::open_dataset(d);
  CHECK_FALSE(first.from_cache);
  CHECK(second.from_cache);
  CHECK(first.index.digest == second.index.digest);
  CHECK(first.correlation == second.correlation);
  CHECK(first.correlation.size() == 81);
  CHECK(first.index.train.samples.size() == second.index.train.samples.size());
}

TEST_CASE("synthetic AffectNet labels correlate like AffectNet's", "[datasets]") {
  ds::DatasetOptions d;
  d.name = "synth-affectnet";
  d.cache_root = temp_dir("synth_corr").string();
  d.synthetic.train_per_class = 6;
  d.synthetic.val_per_class = 1;
  const ds::Dataset set = ds::open_dataset(d);
  auto c = [&](int i, int j) { return set.correlation[i * 9 + j]; };
  const int kValence = 7, kArousal = 8;
  CHECK(c(1, kValence) > 0.3);   // Happy: positive valence.
  CHECK(c(2, kValence) < -0.1);  // Sad: negative valence.
  CHECK(c(2, kArousal) < -0.1);  // ... and low arousal.
  CHECK(c(3, kArousal) > 0.1);   // Surprise, Fear, Anger: high arousal.
  CHECK(c(4, kArousal) > 0.1);
  CHECK(c(6, kArousal) > 0.1);
}

TEST_CASE("opening an unknown or missing dataset names the problem", "[datasets]") {
  ds::DatasetOptions o;
  o.name = "fer2013";
  REQUIRE_THROWS_WITH(
      ds::open_dataset(o),
      Catch::Contains("valid: affectnet, affwild2, synth-affectnet, synth-affwild2"));
  o.name = "affectnet";
  REQUIRE_THROWS_WITH(ds::open_dataset(o), Catch::Contains("needs --data_root"));
  o.root = "/nonexistent/affectnet";
  REQUIRE_THROWS_WITH(ds::open_dataset(o),
                      Catch::Contains("/nonexistent/affectnet") && Catch::Contains("not found"));
}

TEST_CASE("the synthetic AffectNet twin's label graph has AffectNet's edges and signs",
          "[datasets]") {
  ds::DatasetOptions o;
  o.name = "synth-affectnet";
  o.cache_root = temp_dir("cache_label_graph").string();
  o.image_check.mode = ds::ImageCheckMode::kOff;
  const ds::Dataset d = ds::open_dataset(o);  // The default twin, as the main job trains on it.
  const auto r = ds::label_correlation(d.index.train.samples, 7);
  auto at = [&r](int i, int j) { return r[i * 9 + j]; };
  for (int e = 0; e < 7; ++e) {
    for (int k = 0; k < 2; ++k) {
      const double theirs =
          k == 0 ? fer::kAffectNetValenceCorrelation[e] : fer::kAffectNetArousalCorrelation[e];
      const double ours = at(e, 7 + k);
      INFO("expression " << e << (k == 0 ? " valence" : " arousal") << ": synthetic " << ours
                         << ", AffectNet " << theirs);
      // An edge of the graph exactly where AffectNet has one, with its sign.
      const bool edge = std::abs(theirs) >= fer::kLabelGraphEdgeThreshold;
      CHECK((std::abs(ours) >= fer::kLabelGraphEdgeThreshold) == edge);
      if (edge) CHECK((ours > 0) == (theirs > 0));
    }
  }
  CHECK(std::abs(at(7, 8)) <
        fer::kLabelGraphEdgeThreshold);  // No valence-arousal edge (AffectNet: 0.04).
  CHECK(at(1, 7) > 0.6);  // Happy carries valence as strongly as in AffectNet (0.86).
}
