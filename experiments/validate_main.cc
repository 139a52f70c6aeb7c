// validate_dataset: reads a dataset exactly as training would, checks every image as the runner
// does before training (datasets/image_check.h), prints per-split reports (rows read, kept,
// dropped per documented code, defects per class, every defective row and image), and
// optionally writes a preview grid of aligned training crops or times the loader, through the
// preprocessing chain training would use (--preprocess, as the runner's).
#include <boost/program_options.hpp>
#include <chrono>
#include <iostream>
#include <opencv2/imgproc.hpp>

#include "core/error.h"
#include "core/main.h"
#include "datasets/dataset.h"
#include "datasets/loader.h"
#include "datasets/reference_transforms.h"
#include "datasets/report.h"
#include "datasets/transforms.h"
#include "imaging/image_io.h"
#include "third_party/torch_info.h"

namespace po = boost::program_options;
namespace ds = fer::datasets;
namespace imaging = fer::imaging;

namespace {

// "reference" and "fast" as given; "auto" as the runner resolves it (its smoke schedule, fast,
// for the synthetic sets; its paper schedule, reference, for real data).
bool reference_chain(const std::string& preprocess, const std::string& dataset) {
  return preprocess == "reference" || (preprocess == "auto" && !ds::is_synthetic(dataset));
}

void write_preview(const ds::Dataset& d, const std::string& path, int size, bool augment,
                   bool reference) {
  const int cols = 8, rows = 4;
  cv::Mat grid(rows * size, cols * size, CV_8UC3, cv::Scalar(0, 0, 0));
  ds::TransformOptions t;
  t.output_size = size;
  t.augment = augment;
  std::vector<float> chw(3 * size * size);
  const float mean[3] = {0.485f, 0.456f, 0.406f}, stdv[3] = {0.229f, 0.224f, 0.225f};
  for (int i = 0; i < rows * cols && i < static_cast<int>(d.index.train.samples.size()); ++i) {
    const auto& s = d.index.train.samples[i];
    const cv::Mat bgr = imaging::read_image(d.index.image_root + "/" + s.image, s.has_geometry);
    const ds::Augmentation aug = ds::draw_augmentation(t, ds::sample_seed(0, 0, i));
    if (reference) {
      ds::render_reference(bgr, s, t, aug, chw.data());
    } else {
      ds::render_sample(bgr, s, t, aug, chw.data());
    }
    cv::Mat tile = grid(cv::Rect((i % cols) * size, (i / cols) * size, size, size));
    for (int y = 0; y < size; ++y) {
      for (int x = 0; x < size; ++x) {
        for (int c = 0; c < 3; ++c) {
          const float v = chw[c * size * size + y * size + x] * stdv[c] + mean[c];
          tile.at<cv::Vec3b>(y, x)[2 - c] = cv::saturate_cast<uint8_t>(v * 255);
        }
      }
    }
    cv::putText(tile, d.index.class_names[s.expression].substr(0, 3), {2, 10},
                cv::FONT_HERSHEY_PLAIN, 0.7, cv::Scalar(0, 255, 255));
  }
  imaging::write_png(path, grid);
}

// Data-only throughput: one augmented training epoch through the batch loader, no model.
void loader_throughput(const ds::Dataset& d, int size, int workers, bool reference) {
  ds::LoaderOptions lo;
  lo.batch_size = 35;
  lo.workers = workers;
  lo.reference_preprocess = reference;
  lo.transform.output_size = size;
  lo.transform.augment = true;
  ds::BatchLoader loader(d.index.train.samples, d.index.image_root, lo);
  const auto start = std::chrono::steady_clock::now();
  loader.start_epoch(0);
  int64_t images = 0;
  while (auto batch = loader.next()) images += batch->images.size(0);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "loader: " << images << " images at " << size << " px with " << workers
            << " worker(s), " << (reference ? "reference" : "fast") << " preprocessing, in " << s
            << " s = " << images / s << " images/s\n";
}

// Exit 0: the dataset reads cleanly; 1: it has defects (or cannot be read); 2: bad flags.
int validate(int argc, char** argv) {
  po::options_description desc("validate_dataset: check a dataset the way training reads it");
  std::string name, root, cache, preview, glove, preprocess;
  int size = 0;
  desc.add_options()("help", "show this help")(
      "dataset", po::value(&name)->default_value("synth-affectnet"),
      "affectnet, affwild2, synth-affectnet, synth-affwild2")(
      "data_root", po::value(&root)->default_value(""), "dataset directory (real datasets)")(
      "cache_dir", po::value(&cache)->default_value(""),
      "cache directory (default: ~/.cache/emogcn-bench)")(
      "glove", po::value(&glove)->default_value(""), "GloVe text file for the node embeddings")(
      "skip_bad_rows", "count and list defective rows and images instead of failing")(
      "image_check", po::value<std::string>()->default_value("decode"),
      "check every image: decode | header | off")("threads", po::value<int>()->default_value(0),
                                                  "image-check threads (0: one per core)")(
      "preview", po::value(&preview)->default_value(""),
      "write a PNG grid of aligned training crops")(
      "preview_size", po::value(&size)->default_value(64),
      "crop size of the preview (and of --throughput)")(
      "augment", "apply training augmentation in the preview")(
      "preprocess", po::value(&preprocess)->default_value("auto"),
      "chain of the preview and --throughput: reference (the reference's own) | fast (one warp) | "
      "auto (as the runner: fast for synthetic sets, reference otherwise)")(
      "throughput",
      "data-only mode: time one augmented epoch of the training split through the loader")(
      "workers", po::value<int>()->default_value(2), "loader threads for --throughput");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
    fer::check_flag_range("preview_size", size, 8, 1024);
    fer::check_flag_range("workers", vm["workers"].as<int>(), 0, 256);
    fer::check_flag_range("threads", vm["threads"].as<int>(), 0, 1024);
    if (preprocess != "reference" && preprocess != "fast" && preprocess != "auto") {
      throw fer::Error("parse options", "", 0, "preprocess",
                       "unknown chain '" + preprocess + "'; valid: reference, fast, auto");
    }
    if (!ds::parse_image_check_mode(vm["image_check"].as<std::string>())) {
      throw fer::Error(
          "parse options", "", 0, "image_check",
          "unknown mode '" + vm["image_check"].as<std::string>() + "'; valid: decode, header, off");
    }
  } catch (const po::error& e) {
    std::cerr << "validate_dataset: " << e.what() << "\n" << desc;
    return 2;
  } catch (const fer::Error& e) {
    std::cerr << "validate_dataset: error: " << e.what() << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
  std::cout << fer::torch_build_summary() << "\n";
  try {
    ds::DatasetOptions o;
    o.name = name;
    o.root = root;
    o.cache_root = cache;
    o.glove_path = glove;
    o.read.bad_rows =
        vm.count("skip_bad_rows") ? ds::BadRowPolicy::kSkip : ds::BadRowPolicy::kError;
    o.image_check.mode = *ds::parse_image_check_mode(vm["image_check"].as<std::string>());
    o.image_check.threads = vm["threads"].as<int>();
    o.image_check.progress = [](int64_t done, int64_t total) {
      std::cout << "checking images: " << done << "/" << total << "\n" << std::flush;
    };
    // Always from the files: a validation run is the check, not a cache lookup.
    o.use_cache = false;
    ds::Dataset d = ds::open_dataset(o);
    std::cout << "dataset " << d.index.name << " at " << d.index.root << " (index digest "
              << d.index.digest << (d.from_cache ? ", from cache" : "") << ")\n"
              << (d.cache_error.empty() ? "" : "WARNING: index not cached: " + d.cache_error + "\n")
              << "layout: " << d.index.layout << "\n"
              << ds::format_report(d.index.train.report) << "\n"
              << ds::format_report(d.index.val.report) << "\n";
    const bool reference = reference_chain(preprocess, name);
    if (!preview.empty()) write_preview(d, preview, size, vm.count("augment") > 0, reference);
    if (vm.count("throughput")) loader_throughput(d, size, vm["workers"].as<int>(), reference);
    const bool bad = !d.index.train.report.errors.empty() || !d.index.val.report.errors.empty();
    return bad ? 1 : 0;
  } catch (const fer::Error& e) {
    std::cerr << "validate_dataset: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Anything but a flag or dataset error (an OpenCV exception, out of memory) still exits with
  // a message, as every binary does (core/main.h).
  return fer::run_main("validate_dataset", [&] { return validate(argc, argv); });
}
