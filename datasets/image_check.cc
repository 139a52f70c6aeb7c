#include "datasets/image_check.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <map>
#include <mutex>
#include <new>
#include <sstream>
#include <thread>
#include <vector>

#include "core/error.h"
#include "datasets/report.h"
#include "imaging/image_io.h"

namespace fer::datasets {
namespace {

// What checking one image found: its size, or its defect.
struct Finding {
  int width = 0, height = 0;
  const char* defect = nullptr;
  std::string field, message;
};

std::string format_box(const Sample& s) {
  std::ostringstream out;
  out << "box x " << s.box_x << ", y " << s.box_y << ", " << s.box_w << " x " << s.box_h;
  return out.str();
}

// Defects of the annotation's geometry against the image's size (AffectNet rows).
void check_geometry(const Sample& s, Finding& f) {
  const double w = f.width, h = f.height;
  if (!(s.box_x < w && s.box_y < h && s.box_x + s.box_w > 0 && s.box_y + s.box_h > 0)) {
    f.defect = defect::kBoxOutside;
    f.field = "face_x";
    f.message = "the face box (" + format_box(s) + ") does not overlap the " +
                std::to_string(f.width) + "x" + std::to_string(f.height) + " image";
    return;
  }
  // The reference crops the box (padded with black) before resizing: a box many times the
  // image would allocate w x h x 3 bytes for nothing but padding.
  if (!(s.box_w <= kMaxFaceBoxScale * w && s.box_h <= kMaxFaceBoxScale * h)) {
    f.defect = defect::kBoxOutside;
    f.field = s.box_w > kMaxFaceBoxScale * w ? "face_width" : "face_height";
    f.message = "the face box (" + format_box(s) + ") is more than " +
                std::to_string(static_cast<int>(kMaxFaceBoxScale)) + " times the " +
                std::to_string(f.width) + "x" + std::to_string(f.height) + " image";
    return;
  }
  for (const Point& eye : {s.left_eye, s.right_eye}) {
    if (!(eye.x >= 0 && eye.x <= w && eye.y >= 0 && eye.y <= h)) {
      f.defect = defect::kEyesOutside;
      f.field = "facial_landmarks";
      std::ostringstream out;
      out << "eye centre (" << eye.x << ", " << eye.y << ") lies outside the " << f.width << "x"
          << f.height << " image";
      f.message = out.str();
      return;
    }
  }
}

Finding check_one(const std::string& path, const Sample& s, ImageCheckMode mode) {
  Finding f;
  f.field = "image";
  if (!file_exists(path)) {
    f.defect = defect::kMissingImage;
    f.message = "image file not found";
    return f;
  }
  try {
    const std::vector<uint8_t> bytes = imaging::read_file_bytes(path);
    const imaging::ImageHeader header = imaging::read_image_header(bytes, path);
    // AffectNet's boxes are in the picture cv2.imread shows (turned by its orientation tag).
    const bool turned = s.has_geometry && imaging::transposes(header.orientation);
    f.width = turned ? header.height : header.width;
    f.height = turned ? header.width : header.height;
    if (header.cmyk) {
      f.defect = defect::kChannels;
      f.message = "a 4-channel CMYK JPEG (expected colour or grey); convert it to RGB";
      return f;
    }
    if (mode == ImageCheckMode::kDecode)
      imaging::decode_image_scaled(bytes, path, [](int, int) { return 0.0; });
  } catch (const Error& e) {
    f.defect = defect::kUndecodable;
    f.message = e.detail();
    return f;
  } catch (const std::bad_alloc&) {
    f.defect = defect::kUndecodable;
    f.message = "too large to decode (out of memory)";
    return f;
  } catch (const std::exception& e) {
    f.defect = defect::kUndecodable;
    f.message = std::string("cannot decode: ") + e.what();
    return f;
  }
  if (s.has_geometry) check_geometry(s, f);
  return f;
}

// Frames without geometry (Aff-Wild2) share their folder's (video's) most common size.
void check_frame_sizes(const std::vector<Sample>& samples, std::vector<Finding>& findings,
                       const std::string& image_root) {
  std::map<std::string, std::map<std::pair<int, int>, int64_t>> sizes;  // Folder -> size -> frames.
  auto folder = [](const std::string& image) { return image.substr(0, image.rfind('/') + 1); };
  for (size_t i = 0; i < samples.size(); ++i) {
    if (!samples[i].has_geometry && !findings[i].defect) {
      ++sizes[folder(samples[i].image)][{findings[i].width, findings[i].height}];
    }
  }
  for (size_t i = 0; i < samples.size(); ++i) {
    Finding& f = findings[i];
    if (samples[i].has_geometry || f.defect) continue;
    const auto& counts = sizes[folder(samples[i].image)];
    const auto common =
        std::max_element(counts.begin(), counts.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; });
    if (common->first == std::make_pair(f.width, f.height)) continue;
    f.defect = defect::kSize;
    f.message = "frame is " + std::to_string(f.width) + "x" + std::to_string(f.height) + " where " +
                std::to_string(common->second) + " other frame(s) of " + image_root + "/" +
                folder(samples[i].image) + " are " + std::to_string(common->first.first) + "x" +
                std::to_string(common->first.second);
  }
}

// Runs check_one over every (split, sample) on `threads` threads (the caller's included).
std::vector<std::vector<Finding>> check_all(const DatasetIndex& index, const ImageCheckOptions& o) {
  const Split* splits[2] = {&index.train, &index.val};
  std::vector<std::vector<Finding>> findings(2);
  std::vector<std::pair<int, size_t>> work;
  for (int k = 0; k < 2; ++k) {
    findings[k].resize(splits[k]->samples.size());
    for (size_t i = 0; i < splits[k]->samples.size(); ++i) work.emplace_back(k, i);
  }
  const int64_t total = static_cast<int64_t>(work.size());
  std::atomic<size_t> next{0};
  std::atomic<int64_t> done{0};
  std::atomic<bool> stop{false};
  std::mutex failure_mutex;
  std::exception_ptr failure;  // The first exception of any thread, rethrown here.
  auto worker = [&](bool report) {
    try {
      auto last = std::chrono::steady_clock::now();
      for (size_t w; !stop && (w = next.fetch_add(1)) < work.size();) {
        if (o.cancelled && o.cancelled()) {
          stop = true;
          break;
        }
        const auto [k, i] = work[w];
        const Sample& s = splits[k]->samples[i];
        findings[k][i] = check_one(index.image_root + "/" + s.image, s, o.mode);
        ++done;
        if (report && o.progress &&
            std::chrono::steady_clock::now() - last > std::chrono::seconds(2)) {
          last = std::chrono::steady_clock::now();
          o.progress(done.load(), total);
        }
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(failure_mutex);
      if (!failure) failure = std::current_exception();
      stop = true;
    }
  };
  const int threads = o.threads > 0
                          ? o.threads
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads && t < total; ++t) pool.emplace_back(worker, false);
  worker(true);
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
  if (stop) {
    throw Interrupted("check images", index.image_root,
                      "interrupted after " + std::to_string(done.load()) + " of " +
                          std::to_string(total) + " images");
  }
  if (o.progress) o.progress(total, total);
  return findings;
}

}  // namespace

std::string to_string(ImageCheckMode mode) {
  switch (mode) {
    case ImageCheckMode::kOff:
      return "off";
    case ImageCheckMode::kHeader:
      return "header";
    case ImageCheckMode::kDecode:
      return "decode";
  }
  return "decode";
}

std::optional<ImageCheckMode> parse_image_check_mode(const std::string& text) {
  for (ImageCheckMode m :
       {ImageCheckMode::kOff, ImageCheckMode::kHeader, ImageCheckMode::kDecode}) {
    if (text == to_string(m)) return m;
  }
  return std::nullopt;
}

void check_images(DatasetIndex& index, const ImageCheckOptions& options, BadRowPolicy policy) {
  if (options.mode == ImageCheckMode::kOff) return;
  std::vector<std::vector<Finding>> findings = check_all(index, options);
  Split* splits[2] = {&index.train, &index.val};
  for (int k = 0; k < 2; ++k) {
    Split& split = *splits[k];
    check_frame_sizes(split.samples, findings[k], index.image_root);
    std::vector<Sample> kept;
    for (size_t i = 0; i < split.samples.size(); ++i) {
      const Finding& f = findings[k][i];
      if (f.defect) {
        const std::string path = index.image_root + "/" + split.samples[i].image;
        add_error(split.report, path, 0, f.field, f.message, f.defect, path);
      }
      if (!f.defect || policy == BadRowPolicy::kError) kept.push_back(std::move(split.samples[i]));
    }
    split.samples = std::move(kept);
    split.report.kept = static_cast<int64_t>(split.samples.size());
  }
}

void check_class_coverage(DatasetIndex& index) {
  for (Split* split : {&index.train, &index.val}) {
    std::vector<int64_t> counts(index.class_names.size(), 0);
    for (const Sample& s : split->samples) {
      if (s.expression >= 0 && static_cast<size_t>(s.expression) < counts.size())
        ++counts[s.expression];
    }
    std::string absent;
    for (size_t k = 0; k < counts.size(); ++k) {
      if (counts[k] == 0) absent += (absent.empty() ? "" : ", ") + index.class_names[k];
    }
    if (absent.empty() || split->samples.empty()) continue;
    add_error(split->report, index.root, 0, "expression",
              "no kept sample of class(es) " + absent + " in split '" + split->report.split +
                  "' (per-class metrics and class weights need every class)",
              defect::kAbsentClass);
  }
}

}  // namespace fer::datasets
