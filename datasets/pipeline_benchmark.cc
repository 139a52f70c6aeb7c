// Data pipeline throughput (images/s): JPEG decode, alignment + crop + resize (one affine warp),
// augmentation (flip + rotation folded into the same warp) with normalisation, the whole chain
// per thread, and the batch loader by worker count. The reference Python pipeline measured
// about 79 images/s on one core for a 425x425 JPEG -> align -> crop -> 227 + flip/rotation.
//   bazel run -c opt //datasets:pipeline_benchmark
#include <benchmark/benchmark.h>

#include <opencv2/imgproc.hpp>

#include <cstdlib>
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

}  // namespace
