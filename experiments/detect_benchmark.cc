// What detection and alignment of a photo cost per thread (issue #33): scikit-image's astronaut
// portrait (512 x 512, one clear face and one weak box at upsample 1; fetched once by
// tools/fetch_face_reference.sh, or $EMOGCN_FACE_PHOTO), through
//   BM_Detect            dlib's detector + 68 landmarks (faces::FaceDetector), 1 and 2 threads
//   BM_DetectAlign       the same + each face's crop by the reference's chain at 227 px, as
//                        predict --detect does
//   BM_PythonDlibDetect  the peer: Python dlib's detector + landmarks on the same photo, one
//                        thread, timed by tools/reference/faces_reference.py (start-up excluded)
// `bazel run -c opt //experiments:detect_benchmark`; items are photos.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "datasets/reference_transforms.h"
#include "experiments/face_patches.h"
#include "faces/face_detector.h"
#include "imaging/image_io.h"

namespace {

std::string run(const std::string& cmd) {
  std::string text;
  if (FILE* pipe = popen(cmd.c_str(), "r")) {
    char buf[512];
    while (fgets(buf, sizeof(buf), pipe)) text += buf;
    if (pclose(pipe) != 0) text = "failed: " + text;
  }
  return text;
}

const std::string& photo_path() {
  static const std::string path = [] {
    const char* env = std::getenv("EMOGCN_FACE_PHOTO");
    if (env && *env) return std::string(env);
    std::string p = run("tools/fetch_face_reference.sh --astronaut 2>/dev/null");
    while (!p.empty() && (p.back() == '\n' || p.back() == ' ')) p.pop_back();
    return p;
  }();
  return path;
}

void detect_and_maybe_align(benchmark::State& state, bool align) {
  cv::Mat photo;
  try {
    photo = fer::imaging::read_image(photo_path());
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  fer::faces::FaceDetector detector(fer::faces::DetectorOptions{});
  fer::datasets::TransformOptions transform;
  transform.output_size = 227;
  transform.augment = false;
  for (auto _ : state) {
    const auto found = detector.detect(photo);
    if (!align) continue;
    for (const auto& f : found) {
      fer::datasets::Sample s = fer::experiments::face_sample(f);
      const cv::Mat crop = fer::datasets::reference_crop(photo, s, transform, {});
      benchmark::DoNotOptimize(crop.data);
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Detect(benchmark::State& state) { detect_and_maybe_align(state, false); }
BENCHMARK(BM_Detect)->ThreadRange(1, 2)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_DetectAlign(benchmark::State& state) { detect_and_maybe_align(state, true); }
BENCHMARK(BM_DetectAlign)->ThreadRange(1, 2)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_PythonDlibDetect(benchmark::State& state) {
  const std::string python = run("tools/fetch_face_reference.sh --python 2>/dev/null");
  const std::string cmd = python.substr(0, python.find('\n')) +
                          " tools/reference/faces_reference.py time 1 " + photo_path() + " 3 2>&1";
  for (auto _ : state) {
    const std::string text = run(cmd);
    double images = 0, seconds = 0;
    const size_t at = text.find("images=");  // After any warning the libraries print.
    if (at == std::string::npos ||
        std::sscanf(text.c_str() + at, "images=%lf seconds=%lf", &images, &seconds) != 2 ||
        seconds <= 0) {
      state.SkipWithError(("Python dlib did not run: " + text).c_str());
      break;
    }
    state.SetIterationTime(seconds / images);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PythonDlibDetect)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace
