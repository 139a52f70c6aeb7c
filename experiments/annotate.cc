#include "experiments/annotate.h"

#include <boost/filesystem.hpp>
#include <boost/program_options.hpp>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/json.h"
#include "core/text.h"
#include "core/user_path.h"
#include "datasets/affectnet.h"
#include "datasets/csv.h"
#include "experiments/detect_photos.h"
#include "experiments/options.h"
#include "experiments/predict_rows.h"
#include "experiments/run_lifecycle.h"
#include "imaging/image_io.h"

namespace fer::experiments {
namespace fs = boost::filesystem;
namespace po = boost::program_options;
namespace {

struct Label {
  int code = 8;
  double valence = -2, arousal = -2;
  bool has_va = false;
};

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

std::string fixed2(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", v);
  return buf;
}

int parse_code(const std::string& text, const std::string& file, long line) {
  const std::vector<std::string> names = datasets::affectnet_code_names();
  for (size_t i = 0; i < names.size(); ++i) {
    if (to_lower(text) == to_lower(names[i]) || text == std::to_string(i))
      return static_cast<int>(i);
  }
  std::string known;
  for (size_t i = 0; i < names.size(); ++i)
    known += (i ? ", " : "") + std::to_string(i) + " " + names[i];
  throw Error("read labels", file, line, "expression",
              "unknown expression '" + text + "'; valid: " + known);
}

double parse_unit(const std::string& text, const std::string& file, long line,
                  const std::string& field) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(v >= -1 && v <= 1))
    throw Error("read labels", file, line, field, "'" + text + "' is not a number in [-1, 1]");
  return v;
}

// path -> label, from `path,expression[,valence,arousal]` (a first row naming "path" is a header).
std::map<std::string, Label> read_labels(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error("read labels", file, 0, "labels", "cannot open the mapping file");
  std::stringstream text;
  text << in.rdbuf();
  std::map<std::string, Label> out;
  for (const datasets::CsvRecord& r : datasets::read_csv_records(text.str())) {
    if (!r.error.empty()) throw Error("read labels", file, r.line, "", r.error);
    const auto& f = r.fields;
    if (r.line == 1 && !f.empty() && to_lower(text::trim(f[0])) == "path") continue;
    if (f.size() != 2 && f.size() != 4) {
      throw Error("read labels", file, r.line, "",
                  "expected path,expression[,valence,arousal]; got " + std::to_string(f.size()) +
                      " fields");
    }
    Label l;
    const std::string path(text::trim(f[0]));
    l.code = parse_code(std::string(text::trim(f[1])), file, r.line);
    if (f.size() == 4) {
      l.valence = parse_unit(std::string(text::trim(f[2])), file, r.line, "valence");
      l.arousal = parse_unit(std::string(text::trim(f[3])), file, r.line, "arousal");
      l.has_va = true;
    }
    if (!out.emplace(path, l).second)
      throw Error("read labels", file, r.line, "path", "'" + path + "' is listed twice");
  }
  return out;
}

std::string landmarks(const faces::Face& f) {
  std::string s;
  for (const auto& p : f.landmarks) s += (s.empty() ? "" : ";") + fixed2(p.x) + ";" + fixed2(p.y);
  return s;
}

std::string to_json(const AnnotateConfig& c) {
  nlohmann::json j = {{"input", c.input},   {"out", c.out},         {"image_root", c.image_root},
                      {"labels", c.labels}, {"threads", c.threads}, {"strict", c.strict}};
  j.update(detector_json(c.detector));
  return canonical(j).dump();
}

}  // namespace

bool parse_annotate_config(int argc, const char* const* argv, AnnotateConfig* config) {
  AnnotateConfig c;
  po::options_description desc(
      "annotate: an AffectNet-format CSV (face box, 68 landmarks, labels) for a folder of photos");
  desc.add_options()("help", "show this help")("input", po::value(&c.input),
                                               "a folder of photos (searched recursively) or one "
                                               "photo (required)")(
      "out", po::value(&c.out), "the CSV to write, e.g. <root>/training.csv (required)")(
      "image_root", po::value(&c.image_root),
      "write paths relative to this folder (default: --input, or its folder for one photo)")(
      "labels", po::value(&c.labels),
      "mapping CSV path,expression[,valence,arousal] (expression: AffectNet code 0-10 or name)")(
      "threads", po::value(&c.threads), "detection threads (default: all cores)")(
      "strict", "stop at the first unreadable photo (default: list it and go on)");
  add_detector_flags(desc, &c.detector);
  po::variables_map vm;
  parse_options(argc, argv, desc, &vm);
  if (vm.count("help")) {
    std::ostringstream help;
    help << desc;
    std::printf("%s\n", help.str().c_str());
    return false;
  }
  for (const char* flag : {"input", "out"}) {
    if (!vm.count(flag))
      throw Error("parse options", "", 0, flag, "--" + std::string(flag) + " is required");
  }
  for (std::string* path : {&c.input, &c.out, &c.image_root, &c.labels}) *path = user_path(*path);
  if (!vm.count("threads"))
    c.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  check_flag_range("threads", c.threads, 1, 1024);
  check_detector_flags(&c.detector);
  c.strict = vm.count("strict") > 0;
  *config = c;
  return true;
}

AnnotateOutcome annotate(const AnnotateConfig& config, std::ostream& log) {
  AnnotateConfig c = config;
  const PhotoList photos = list_photos(c.input, "input");
  if (c.image_root.empty()) c.image_root = photos.root;
  const std::map<std::string, Label> labels =
      c.labels.empty() ? std::map<std::string, Label>() : read_labels(c.labels);
  const std::string json = to_json(c);
  start_work(c.threads, fnv1a_hex(json), json, log,
             "annotate: " + std::to_string(photos.images.size()) + " photo(s) from " + c.input +
                 " -> " + c.out + " (paths relative to " + c.image_root + ")\n");
  const std::vector<PhotoFace> rows = detect_photos(photos, c.detector, c.threads, c.strict, log);
  // Paths relative to image_root, and which mapping entries were used.
  std::map<std::string, bool> used;
  for (const auto& [path, label] : labels) used[path] = false;
  AnnotateOutcome out;
  std::ostringstream csv;
  csv << datasets::kAffectNetHeader << "\n";
  bool placeholder_va = false;
  for (const PhotoFace& r : rows) {
    if (r.face > 0) continue;  // One row per photo: the surest face.
    const std::string full =
        fs::absolute(fs::path(photos.root) / r.image).lexically_normal().string();
    const std::string rel =
        fs::path(full).lexically_relative(fs::absolute(c.image_root).lexically_normal()).string();
    if (rel.empty() || rel.rfind("..", 0) == 0)
      throw Error("annotate", full, 0, "image_root", "the photo is not under " + c.image_root);
    if (r.face < 0 && r.error != "no face found") {
      ++out.unreadable;  // detect_photos printed the reason.
      continue;
    }
    ++out.photos;
    Label label;
    const auto it = labels.find(rel);
    if (it != labels.end()) {
      label = it->second, used[rel] = true, ++out.labelled;
      if (!label.has_va) label.valence = label.arousal = 0, placeholder_va = true;
    }
    std::string box, points;
    if (r.face < 0) {  // AffectNet's No-Face row: the whole photo, zero landmarks.
      const imaging::ImageHeader h =
          imaging::read_image_header(imaging::read_file_bytes(full), full);
      const bool turned = imaging::transposes(h.orientation);  // The picture as cv2 shows it.
      box = "0,0," + std::to_string(turned ? h.height : h.width) + "," +
            std::to_string(turned ? h.width : h.height);
      for (int i = 0; i < 136; ++i) points += i ? ";0.00" : "0.00";
      if (it != labels.end())
        --out.labelled;  // No face: AffectNet's code, whatever the mapping says.
      label = {10, -2, -2, true};
      ++out.without_face;
    } else {
      const faces::Face& f = r.detection;
      box = std::to_string(f.left) + "," + std::to_string(f.top) + "," + std::to_string(f.width()) +
            "," + std::to_string(f.height());
      points = landmarks(f);
    }
    csv << csv_field(rel) << "," << box << "," << points << "," << label.code << ","
        << fixed2(label.valence) << "," << fixed2(label.arousal) << "\n";
  }
  for (const PhotoFace& r : rows) out.several_faces += r.face == 1;
  for (const auto& [path, was_used] : used) {
    if (!was_used)
      throw Error("read labels", c.labels, 0, "path", "'" + path + "' is not one of the photos");
  }
  write_file_atomically(c.out, csv.str(), "write annotations");
  log << "annotate: wrote " << out.photos << " row(s) to " << c.out << ": " << out.labelled
      << " labelled, " << out.without_face << " without a face (expression 10), " << out.unreadable
      << " unreadable photo(s) left out; " << out.several_faces
      << " photo(s) with several faces (the surest one kept)\n";
  if (labels.empty())
    log << "annotate: no --labels: rows are unannotated (expression 8 None, valence/arousal -2), "
           "which the readers drop; give a mapping to train or evaluate on them\n";
  if (placeholder_va)
    log << "WARNING: the mapping has no valence/arousal: 0 was written for both; train "
           "single-task models only on these rows\n";
  return out;
}

}  // namespace fer::experiments
