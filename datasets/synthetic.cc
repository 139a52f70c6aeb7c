#include "datasets/synthetic.h"

#include <unistd.h>

#include <boost/filesystem.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "core/error.h"
#include "datasets/affectnet.h"
#include "datasets/synthetic_face.h"
#include "imaging/image_io.h"

namespace fer::datasets {
namespace fs = boost::filesystem;
namespace {

constexpr int kAffectNetCanvas = 128;
constexpr int kAffWild2Frame = 112;
// Imbalance in AffectNet's direction (Happy most, then Neutral; Disgust fewest), milder, so that
// every class has enough training images to be learnt in the smoke schedule.
const double kClassShare[7] = {0.22, 0.30, 0.11, 0.09, 0.09, 0.08, 0.11};
// Within-class spread of valence and arousal around the expression's centre.
constexpr double kVaSpread = 0.15;
// Aff-Wild2's label order mapped to the drawing's (AffectNet) order.
const int kAffWild2ToDrawing[7] = {0, 6, 5, 4, 1, 2, 3};

void write_jpeg(const fs::path& path, const cv::Mat& img) {
  fs::create_directories(path.parent_path());
  imaging::write_jpeg(path.string(), img, /*quality=*/92);
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.4f", v);
  return buf;
}

double clip(double v) { return std::max(-1.0, std::min(1.0, v)); }

cv::Scalar skin_tone(Rng& rng) {
  const double t = rng.uniform();
  return cv::Scalar(60 + 110 * t, 90 + 100 * t, 130 + 100 * t) +
         cv::Scalar(rng.uniform(-10, 10), rng.uniform(-10, 10), 0);
}

// One AffectNet row + image: code is the label (0-10), `drawn` the expression drawn.
std::string affectnet_row(const fs::path& images, const std::string& rel, int code, int drawn,
                          double valence, double arousal, Rng& rng) {
  cv::Mat img(kAffectNetCanvas, kAffectNetCanvas, CV_8UC3);
  draw_background(img, rng);
  FaceParams face;
  face.radius = rng.uniform(24, 32);
  face.cx = rng.uniform(0.40, 0.60) * kAffectNetCanvas;
  face.cy = rng.uniform(0.40, 0.55) * kAffectNetCanvas;
  face.roll_deg = rng.uniform(-25, 25);
  face.expression = drawn;
  face.valence = valence < -1.5 ? 0 : valence;
  face.arousal = arousal < -1.5 ? 0 : arousal;
  face.skin = skin_tone(rng);
  face.hair = rng.uniform() < 0.8;
  Landmarks lm{};
  if (code != 10) lm = draw_face(img, face);  // No-Face rows: background only.
  cv::GaussianBlur(img, img, cv::Size(3, 3), 0.6);
  add_noise(img, rng, 3);
  write_jpeg(images / rel, img);
  // AffectNet's box: axis-aligned square around the face.
  const double side = 2.3 * face.radius;
  std::ostringstream row;
  row << rel << ',' << cvRound(face.cx - side / 2) << ','
      << cvRound(face.cy - side / 2 + 0.1 * face.radius) << ',' << cvRound(side) << ','
      << cvRound(side) << ',';
  for (int k = 0; k < 68; ++k) row << (k ? ";" : "") << fmt(lm[k].x) << ';' << fmt(lm[k].y);
  row << ',' << code << ',' << fmt(valence) << ',' << fmt(arousal) << '\n';
  return row.str();
}

void write_affectnet_split(const fs::path& dir, const std::string& csv, int per_class, bool train,
                           const SyntheticOptions& options, Rng& rng, bool header) {
  std::vector<int> labels;
  for (int e = 0; e < 7; ++e) {
    const int n =
        train ? std::max(2, static_cast<int>(per_class * 7 * kClassShare[e] + 0.5)) : per_class;
    labels.insert(labels.end(), n, e);
  }
  // A few rows with the codes the paper's setting drops: Contempt, None, Uncertain, No-Face.
  for (int code = 7; code <= 10; ++code) labels.insert(labels.end(), train ? 3 : 1, code);
  for (size_t i = labels.size(); i > 1; --i)
    std::swap(labels[i - 1], labels[rng.below(static_cast<int>(i))]);

  std::ofstream out((dir / csv).string(), std::ios::binary);
  if (header) out << kAffectNetHeader << '\n';
  const fs::path images = dir / "Manually_Annotated_Images";
  for (size_t i = 0; i < labels.size(); ++i) {
    const int code = labels[i];
    int drawn = code <= 6 ? code : rng.below(7);
    if (train && code <= 6 && rng.uniform() < options.label_noise) drawn = rng.below(7);
    const cv::Point2d c = expression_va_centre(drawn);
    double valence = clip(c.x + kVaSpread * rng.normal()),
           arousal = clip(c.y + kVaSpread * rng.normal());
    if (code >= 9) valence = arousal = -2;  // Uncertain / No-Face carry no valence/arousal.
    char rel[64];
    std::snprintf(rel, sizeof(rel), "%d/%s%05zu.jpg", 1 + static_cast<int>(i % 8),
                  train ? "t" : "v", i);
    out << affectnet_row(images, rel, code, drawn, valence, arousal, rng);
  }
  if (!out) throw Error("write synthetic AffectNet", (dir / csv).string(), 0, "", "write failed");
}

}  // namespace

void write_synthetic_affectnet(const std::string& dir, const SyntheticOptions& options) {
  fs::create_directories(dir);
  Rng rng(options.seed * 7919 + 1);
  write_affectnet_split(dir, "training.csv", options.train_per_class, true, options, rng, true);
  // As in the real release, validation.csv has no header line.
  write_affectnet_split(dir, "validation.csv", options.val_per_class, false, options, rng, false);
}

void write_synthetic_affwild2(const std::string& dir_name, const SyntheticOptions& options) {
  const fs::path dir(dir_name);
  Rng rng(options.seed * 104729 + 2);
  struct Video {
    std::string name;
    bool train;
    int frames;
    bool has_va;
  };
  std::vector<Video> videos;
  const int train_frames = options.train_per_class * 7, val_frames = options.val_per_class * 7;
  for (int v = 0; v < 6; ++v)
    videos.push_back({"video" + std::to_string(v + 1), true, train_frames / 6 + 12, true});
  for (int v = 0; v < 3; ++v)
    videos.push_back({"video" + std::to_string(v + 101), false, val_frames / 3 + 8, true});
  videos.push_back({"video200", true, 20, false});  // EXPR only: dropped for want of VA.
  int train_cursor = 0, val_cursor = 0;
  for (const auto& video : videos) {
    const char* set = video.train ? "Train_Set" : "Validation_Set";
    fs::create_directories(dir / "EXPR_Set" / set);
    fs::create_directories(dir / "VA_Set" / set);
    std::ofstream expr((dir / "EXPR_Set" / set / (video.name + ".txt")).string());
    std::ofstream va;
    if (video.has_va) va.open((dir / "VA_Set" / set / (video.name + ".txt")).string());
    expr << "Neutral,Anger,Disgust,Fear,Happiness,Sadness,Surprise\n";
    if (video.has_va) va << "valence,arousal\n";
    FaceParams face;
    face.skin = skin_tone(rng);
    face.hair = rng.uniform() < 0.8;
    // Expression segments of `segment` frames run through the seven classes in turn across the
    // split's videos, so that every class occurs in both splits, whatever their size.
    const int split_frames = video.train ? train_frames : val_frames;
    const int segment = std::max(1, split_frames / 14);
    int& cursor = video.train ? train_cursor : val_cursor;
    double valence = 0, arousal = 0;
    for (int f = 1; f <= video.frames; ++f) {
      const int label = (cursor++ / segment) % 7;
      const int drawn = kAffWild2ToDrawing[label];
      const cv::Point2d c = expression_va_centre(drawn);
      valence = clip(0.7 * valence + 0.3 * (c.x + 0.2 * rng.normal()));
      arousal = clip(0.7 * arousal + 0.3 * (c.y + 0.2 * rng.normal()));
      const bool expr_missing = rng.uniform() < 0.05, va_missing = rng.uniform() < 0.05;
      const bool no_face = rng.uniform() < 0.04;
      expr << (expr_missing ? -1 : label) << '\n';
      if (video.has_va)
        va << (va_missing ? "-5" : fmt(valence)) << ',' << (va_missing ? "-5" : fmt(arousal))
           << '\n';
      if (no_face) continue;
      cv::Mat img(kAffWild2Frame, kAffWild2Frame, CV_8UC3);
      draw_background(img, rng);
      face.radius = rng.uniform(36, 42);
      face.cx = kAffWild2Frame / 2.0 + rng.uniform(-3, 3);
      face.cy = kAffWild2Frame / 2.0 + rng.uniform(-3, 3);
      face.roll_deg = rng.uniform(-5, 5);
      face.expression = (video.train && rng.uniform() < options.label_noise) ? rng.below(7) : drawn;
      face.valence = valence;
      face.arousal = arousal;
      draw_face(img, face);
      add_noise(img, rng, 5);
      char name[32];
      std::snprintf(name, sizeof(name), "%05d.jpg", f);
      write_jpeg(dir / "cropped_aligned" / video.name / name, img);
    }
  }
}

std::string default_cache_root() {
  if (const char* v = std::getenv("EMOGCN_CACHE"); v && *v) return v;
  if (const char* v = std::getenv("XDG_CACHE_HOME"); v && *v)
    return std::string(v) + "/emogcn-bench";
  if (const char* v = std::getenv("HOME"); v && *v) return std::string(v) + "/.cache/emogcn-bench";
  return "/tmp/emogcn-bench-cache";
}

std::string ensure_synthetic(const std::string& name, const std::string& cache_root,
                             const SyntheticOptions& options) {
  if (name != "synth-affectnet" && name != "synth-affwild2") {
    throw Error("generate synthetic dataset", "", 0, "dataset",
                "unknown synthetic set '" + name + "'; valid: synth-affectnet, synth-affwild2");
  }
  char key[160];
  std::snprintf(key, sizeof(key), "%s-v%d-seed%llu-n%d-%d-noise%.3f", name.c_str(),
                kSyntheticVersion, static_cast<unsigned long long>(options.seed),
                options.train_per_class, options.val_per_class, options.label_noise);
  const fs::path final_dir = fs::path(cache_root) / key;
  if (fs::exists(final_dir / ".complete")) return final_dir.string();
  const fs::path tmp =
      fs::path(cache_root) / (std::string(key) + ".tmp." + std::to_string(::getpid()));
  try {
    fs::remove_all(tmp);
    fs::create_directories(tmp);
    if (name == "synth-affectnet") {
      write_synthetic_affectnet(tmp.string(), options);
    } else {
      write_synthetic_affwild2(tmp.string(), options);
    }
    std::ofstream((tmp / ".complete").string()) << key << '\n';
    boost::system::error_code ec;
    fs::rename(tmp, final_dir, ec);
    if (ec) fs::remove_all(tmp);  // Another process finished first; theirs is identical.
  } catch (const fs::filesystem_error& e) {
    throw Error("generate synthetic dataset", tmp.string(), 0, "", e.what());
  }
  if (!fs::exists(final_dir / ".complete")) {
    throw Error("generate synthetic dataset", final_dir.string(), 0, "",
                "generation did not complete");
  }
  return final_dir.string();
}

}  // namespace fer::datasets
