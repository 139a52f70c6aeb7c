// Data pipeline throughput (images/s): JPEG decode, alignment + crop + resize (one affine warp),
// augmentation (flip + rotation folded into the same warp) with normalisation, the whole chain
// per thread, the batch loader by worker count, and opening an index (CSV parse against the
// SQLite index cache). The reference Python pipeline measured
// about 79 images/s on one core for a 425x425 JPEG -> align -> crop -> 227 + flip/rotation.
//   bazel run -c opt //datasets:pipeline_benchmark
#include <benchmark/benchmark.h>

#include <boost/filesystem.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <vector>

#include "datasets/dataset.h"
#include "datasets/image_io.h"
#include "datasets/loader.h"
#include "datasets/synthetic_face.h"
#include "datasets/transforms.h"

namespace ds = fer::datasets;

namespace {

constexpr int kSource = 425, kOutput = 227;

// A 425x425 JPEG of a rolled synthetic face, with its AffectNet-style annotation.
struct Fixture {
  std::vector<uint8_t> jpeg;
  ds::Sample sample;
  Fixture() {
    cv::Mat img(kSource, kSource, CV_8UC3);
    ds::Rng rng(3);
    ds::draw_background(img, rng);
    ds::FaceParams face;
    face.cx = face.cy = kSource / 2.0;
    face.radius = 120;
    face.roll_deg = 17;
    const ds::Landmarks lm = ds::draw_face(img, face);
    jpeg = ds::encode_jpeg(img, /*quality=*/92);
    sample.has_geometry = true;
    sample.box_x = sample.box_y = 50;
    sample.box_w = sample.box_h = 325;
    ds::eye_centres(lm, &sample.left_eye, &sample.right_eye);
  }
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

void BM_Decode(benchmark::State& state) {
  for (auto _ : state) {
    cv::Mat m = ds::decode_image(fixture().jpeg, "fixture");
    benchmark::DoNotOptimize(m.data);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Decode)->UseRealTime();

void BM_AlignCropResize(benchmark::State& state) {
  const cv::Mat bgr = ds::decode_image(fixture().jpeg, "fixture");
  ds::TransformOptions t;
  t.output_size = kOutput;
  std::vector<float> out(3 * kOutput * kOutput);
  for (auto _ : state) {
    ds::render_sample(bgr, fixture().sample, t, ds::Augmentation(), out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AlignCropResize)->UseRealTime();

void BM_AlignAugmentNormalize(benchmark::State& state) {
  const cv::Mat bgr = ds::decode_image(fixture().jpeg, "fixture");
  ds::TransformOptions t;
  t.output_size = kOutput;
  t.augment = true;
  std::vector<float> out(3 * kOutput * kOutput);
  uint64_t i = 0;
  for (auto _ : state) {
    ds::render_sample(bgr, fixture().sample, t, ds::draw_augmentation(t, ds::sample_seed(1, 0, i++)), out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AlignAugmentNormalize)->UseRealTime();

// Decode + align + augment + normalise, each thread on its own images.
void BM_WholeChain(benchmark::State& state) {
  ds::TransformOptions t;
  t.output_size = kOutput;
  t.augment = true;
  std::vector<float> out(3 * kOutput * kOutput);
  uint64_t i = static_cast<uint64_t>(state.thread_index()) << 32;
  for (auto _ : state) {
    cv::Mat bgr = ds::decode_image(fixture().jpeg, "fixture");
    ds::render_sample(bgr, fixture().sample, t, ds::draw_augmentation(t, ds::sample_seed(1, 0, i++)), out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WholeChain)->ThreadRange(1, 2)->UseRealTime();

// The batch loader over the synthetic AffectNet set on disk, by worker count.
void BM_Loader(benchmark::State& state) {
  ds::DatasetOptions o;
  o.name = "synth-affectnet";
  static const ds::Dataset data = ds::open_dataset(o);
  ds::LoaderOptions lo;
  lo.batch_size = 35;
  lo.workers = static_cast<int>(state.range(0));
  lo.transform.output_size = kOutput;
  lo.transform.augment = true;
  ds::BatchLoader loader(data.index.train.samples, data.index.image_root, lo);
  int64_t images = 0, epoch = 0;
  loader.start_epoch(epoch);
  for (auto _ : state) {
    auto batch = loader.next();
    if (!batch) {
      loader.start_epoch(++epoch);
      batch = loader.next();
    }
    images += batch->images.size(0);
  }
  state.SetItemsProcessed(images);
}
BENCHMARK(BM_Loader)->Arg(0)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

// An AffectNet-format root with `rows` training rows (AffectNet's 414,799 at full size) and
// 4,000 validation rows; the images are not needed (existence is not checked).
std::string index_root(int64_t rows) {
  static std::map<int64_t, std::string> roots;
  auto& root = roots[rows];
  if (!root.empty()) return root;
  root = (boost::filesystem::temp_directory_path() / boost::filesystem::unique_path("emogcn-index-%%%%%%")).string();
  boost::filesystem::create_directories(root + "/Manually_Annotated_Images");
  std::string landmarks;
  for (int i = 0; i < 68; ++i) landmarks += std::to_string(100 + i) + ".25;" + std::to_string(120 + i % 7) + ".5;";
  landmarks.pop_back();
  const char* header = "subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,valence,arousal\n";
  for (const auto& [name, n] : {std::pair<const char*, int64_t>{"training.csv", rows}, {"validation.csv", 4000}}) {
    std::ofstream out(root + "/" + name);
    out << header;
    for (int64_t i = 0; i < n; ++i) {
      out << i % 1000 << "/" << std::hex << i * 2654435761u % 0xffffffffu << std::dec << ".jpg,31,31,362,362,"
          << landmarks << "," << i % 7 << "," << (i % 200 - 100) / 100.0 << "," << (i % 130 - 65) / 100.0 << "\n";
    }
  }
  return root;
}

ds::DatasetOptions index_options(int64_t rows, bool cached) {
  ds::DatasetOptions o;
  o.name = "affectnet";
  o.root = index_root(rows);
  o.cache_root = o.root + "/cache";
  o.read.check_images_exist = false;
  o.use_cache = cached;
  return o;
}

// Opening the index: parsing the CSVs (use_cache off) against reading the SQLite cache.
void BM_IndexOpen(benchmark::State& state, bool cached) {
  const ds::DatasetOptions o = index_options(state.range(0), cached);
  if (cached) ds::open_dataset(o);  // Fill the cache.
  for (auto _ : state) {
    const ds::Dataset d = ds::open_dataset(o);
    if (d.from_cache != cached) state.SkipWithError(cached ? "cache miss" : "unexpected cache hit");
    benchmark::DoNotOptimize(d.index.train.samples.data());
  }
  state.SetItemsProcessed(state.iterations() * (state.range(0) + 4000));
}
BENCHMARK_CAPTURE(BM_IndexOpen, parse, false)->Arg(20000)->Arg(414799)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_IndexOpen, cached, true)->Arg(20000)->Arg(414799)->Unit(benchmark::kMillisecond);

}  // namespace
