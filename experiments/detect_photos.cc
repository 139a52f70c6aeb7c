#include "experiments/detect_photos.h"

#include <algorithm>
#include <atomic>
#include <boost/filesystem.hpp>
#include <boost/program_options.hpp>
#include <chrono>
#include <exception>
#include <future>
#include <mutex>
#include <thread>

#include "core/error.h"
#include "core/user_path.h"
#include "datasets/reference_transforms.h"
#include "experiments/face_patches.h"
#include "imaging/image_io.h"
#include "training/progress.h"

namespace fer::experiments {
namespace fs = boost::filesystem;
namespace po = boost::program_options;

PhotoList list_photos(const std::string& input, const std::string& flag) {
  PhotoList out;
  if (fs::is_regular_file(input)) {
    const fs::path p(input);
    out.root = p.parent_path().empty() ? "." : p.parent_path().string();
    out.images.push_back(p.filename().string());
    return out;
  }
  if (!fs::is_directory(input))
    throw Error("list photos", input, 0, flag, "no such file or folder");
  out.root = input;
  for (fs::recursive_directory_iterator it(input), end; it != end; ++it) {
    // A patch folder predict --detect left (OUT.faces.partial) holds no photos of the user's.
    if (fs::is_directory(it->status()) && it->path().extension() == ".partial") {
      it.disable_recursion_pending();
      continue;
    }
    if (fs::is_regular_file(it->status()) &&
        imaging::has_image_extension(it->path().filename().string()))
      out.images.push_back(fs::relative(it->path(), input).string());
  }
  std::sort(out.images.begin(), out.images.end());
  if (out.images.empty()) {
    throw Error("list photos", input, 0, flag,
                "no photos in the folder (.jpg, .jpeg, .png, .bmp, .tif, .tiff, .webp)");
  }
  return out;
}

namespace {

// The rows of one photo (and its faces' patches, with a patch folder). A photo that cannot be
// read or searched is a row with the reason (strict: an error naming it); a patch that cannot be
// written (a storage fault, not the photo's) stops the run.
std::vector<PhotoFace> photo_rows(faces::FaceDetector& detector, const PhotoList& photos, size_t i,
                                  bool strict, const std::string& patch_dir) {
  const std::string& image = photos.images[i];
  const std::string path = photos.root + "/" + image;
  cv::Mat bgr;
  std::vector<faces::Face> found;
  try {
    bgr = imaging::read_image(path, /*apply_exif=*/true);
    found = detector.detect(bgr);
  } catch (const std::exception& e) {
    const Error error = dynamic_cast<const Error*>(&e)
                            ? *dynamic_cast<const Error*>(&e)
                            : Error("detect faces", path, 0, "", e.what());
    if (strict) throw error;
    return {{image, -1, {}, error.what(), {}}};
  }
  if (found.empty()) return {{image, -1, {}, "no face found", {}}};
  std::vector<PhotoFace> rows;
  for (size_t k = 0; k < found.size(); ++k) {
    rows.push_back({image, static_cast<int>(k), found[k], "", face_sample(found[k])});
    datasets::Sample& sample = rows.back().sample;
    sample.image = image;
    if (patch_dir.empty() || !datasets::reference_canvas_cuts(bgr.size(), sample)) continue;
    const FacePatch patch = face_patch(bgr, found[k]);
    const std::string file = patch_dir + "/" + std::to_string(i) + "_" + std::to_string(k) + ".png";
    imaging::write_png(file, patch.bgr);
    sample = patch.sample;
    sample.image = fs::relative(file, photos.root).string();
  }
  return rows;
}

}  // namespace

std::vector<PhotoFace> detect_photos(const PhotoList& photos, const faces::DetectorOptions& options,
                                     int threads, bool strict, std::ostream& log,
                                     const std::string& patch_dir) {
  const size_t n = photos.images.size();
  std::vector<std::vector<PhotoFace>> per_photo(n);
  faces::FaceDetector prototype(options);  // Reads the landmark model once, or throws.
  std::atomic<size_t> next{0}, done{0};
  std::atomic<bool> stop{false};
  auto work = [&]() {
    faces::FaceDetector detector(prototype);
    for (size_t i; !stop && (i = next++) < n;) {
      try {
        per_photo[i] = photo_rows(detector, photos, i, strict, patch_dir);
      } catch (...) {
        stop = true;
        throw;
      }
      ++done;
    }
  };
  std::vector<std::future<void>> workers;
  for (int t = 0; t < std::max(1, threads); ++t)
    workers.push_back(std::async(std::launch::async, work));
  training::Progress progress(log, "detect", static_cast<int64_t>(n));
  const auto start = std::chrono::steady_clock::now();
  for (auto& w : workers) {
    while (w.wait_for(std::chrono::milliseconds(250)) != std::future_status::ready) {
      const double s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (done > 0)
        progress.update(static_cast<int64_t>(done), std::nan(""), done / std::max(s, 1e-9));
    }
  }
  for (auto& w : workers) w.get();  // Rethrows a strict error.
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress.update(static_cast<int64_t>(n), std::nan(""), n / std::max(s, 1e-9));
  progress.finish();
  std::vector<PhotoFace> rows;
  int64_t faces = 0, without = 0, unreadable = 0;
  for (auto& p : per_photo) {
    for (auto& r : p) {
      if (r.face >= 0)
        ++faces;
      else if (r.error == "no face found")
        ++without;
      else
        ++unreadable, log << "WARNING: " << r.error << "\n";
      rows.push_back(std::move(r));
    }
  }
  log << "detect: " << faces << " face(s) in " << n << " photo(s); " << without
      << " without a face, " << unreadable << " unreadable\n";
  return rows;
}

void add_detector_flags(po::options_description& desc, faces::DetectorOptions* o) {
  desc.add_options()("upsample", po::value(&o->upsample)->default_value(o->upsample),
                     "detection: times each photo is doubled first (dlib's upsample_num_times; "
                     "1 finds faces down to about 40 pixels)")(
      "detect_threshold", po::value(&o->threshold)->default_value(o->threshold),
      "detection: added to dlib's HOG threshold (negative finds more, weaker faces)")(
      "landmark_model", po::value(&o->landmark_model)->default_value(o->landmark_model),
      "detection: dlib 68-point shape predictor file (the default's licence excludes "
      "commercial use: docs/faces.md)")(
      "max_side", po::value(&o->max_side)->default_value(o->max_side),
      "detection: shrink photos longer than this many pixels for the detector only; landmarks "
      "use the full photo (0: never; 1600 keeps phone photos fast)");
}

void check_detector_flags(faces::DetectorOptions* o) {
  check_flag_range("upsample", o->upsample, 0, 4);
  check_flag_range("detect_threshold", o->threshold, -10, 10);
  check_flag_range("max_side", o->max_side, 0, 1 << 20);
  o->landmark_model = user_path(o->landmark_model);
}

nlohmann::json detector_json(const faces::DetectorOptions& o) {
  return {{"upsample", o.upsample},
          {"detect_threshold", o.threshold},
          {"landmark_model", o.landmark_model},
          {"max_side", o.max_side}};
}

}  // namespace fer::experiments
