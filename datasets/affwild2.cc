#include "datasets/affwild2.h"

#include <algorithm>
#include <boost/filesystem.hpp>
#include <cstdio>
#include <iterator>
#include <map>

#include "core/error.h"
#include "core/text.h"
#include "datasets/report.h"

namespace fer::datasets {
using text::for_each_line;
using text::parse_double;
using text::parse_int;
using text::read_file;
using text::split;
namespace fs = boost::filesystem;
namespace {

const char kExprHeader[] = "Neutral,Anger,Disgust,Fear,Happiness,Sadness,Surprise";
// ABAW 2022 and later add an eighth expression, "Other" (label 7), dropped and counted here.
const char kExprHeaderWithOther[] = "Neutral,Anger,Disgust,Fear,Happiness,Sadness,Surprise,Other";
const char kVaHeader[] = "valence,arousal";

// Where the releases put their annotation folders, newest names last.
const char* const kBases[] = {"", "annotations", "annotations/annotations"};
const char* const kExprFolders[] = {"EXPR_Set", "EXPR_Classification_Challenge",
                                    "EXPR_Recognition_Challenge"};
const char* const kVaFolders[] = {"VA_Set", "VA_Estimation_Challenge"};

struct Layout {
  fs::path expr, va;  // The EXPR and VA folders (each holds Train_Set and Validation_Set).
};

std::string searched(const fs::path& root, const char* const* names, size_t n) {
  std::string out;
  for (const char* base : kBases) {
    for (size_t i = 0; i < n; ++i)
      out += (out.empty() ? "" : ", ") + (root / base / names[i]).string();
  }
  return out;
}

// The first base folder that holds an EXPR folder, and its VA folder. Throws fer::Error listing
// every place looked at.
Layout find_layout(const fs::path& root) {
  for (const char* base : kBases) {
    for (const char* expr : kExprFolders) {
      if (!fs::is_directory(root / base / expr)) continue;
      for (const char* va : kVaFolders) {
        if (fs::is_directory(root / base / va)) return {root / base / expr, root / base / va};
      }
      throw Error("read Aff-Wild2", (root / base).string(), 0, "",
                  "found " + std::string(expr) + " but no valence/arousal folder; looked for " +
                      searched(root, kVaFolders, std::size(kVaFolders)));
    }
  }
  throw Error("read Aff-Wild2", root.string(), 0, "",
              "no expression annotation folder; looked for " +
                  searched(root, kExprFolders, std::size(kExprFolders)));
}

struct VaRow {
  float valence, arousal;
  bool labelled;
};

// Sorted list of <video>.txt files of a set directory.
std::vector<fs::path> annotation_files(const fs::path& dir, const std::string& operation) {
  if (!fs::is_directory(dir)) throw Error(operation, dir.string(), 0, "", "directory not found");
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".txt") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Reads one VA file into per-frame rows; malformed rows go to `report`.
std::vector<VaRow> read_va_file(const fs::path& file, SplitReport& report) {
  const std::string path = file.string();
  const std::string text = read_file(path, "read Aff-Wild2 VA file");
  std::vector<VaRow> rows;
  for_each_line(text, [&](long line, std::string_view row) {
    if (line == 1) {
      if (row != kVaHeader)
        add_error(report, path, line, "header", "expected '" + std::string(kVaHeader) + "'");
      return;
    }
    if (row.empty()) return;
    auto fields = split(row, ',');
    if (fields.size() != 2) {
      add_error(report, path, line, "", "expected 2 columns, got " + std::to_string(fields.size()));
      rows.push_back({0, 0, false});
      return;
    }
    auto v = parse_double(fields[0]), a = parse_double(fields[1]);
    if (!v || !a) {
      add_error(report, path, line, !v ? "valence" : "arousal", "not a number");
      rows.push_back({0, 0, false});
      return;
    }
    const bool unlabelled = *v == -5.0 || *a == -5.0;
    if (!unlabelled && (*v < -1 || *v > 1 || *a < -1 || *a > 1)) {
      add_error(report, path, line, (*v < -1 || *v > 1) ? "valence" : "arousal",
                "value outside [-1, 1] (or -5)");
      rows.push_back({0, 0, false});
      return;
    }
    rows.push_back({static_cast<float>(*v), static_cast<float>(*a), !unlabelled});
  });
  return rows;
}

std::string frame_name(long frame) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%05ld.jpg", frame);
  return buf;
}

Split read_split(const Layout& layout, const fs::path& images, const std::string& set,
                 const std::string& split_name, const std::map<std::string, std::vector<VaRow>>& va,
                 const ReadOptions& options, bool* with_other,
                 std::map<std::string, std::string>* videos) {
  Split split;
  split.report.split = split_name;
  auto& report = split.report;
  for (const auto& file : annotation_files(layout.expr / set, "read Aff-Wild2 EXPR set")) {
    const std::string path = file.string(), video = file.stem().string();
    const auto [earlier, fresh] = videos->emplace(video, path);
    if (!fresh) {  // Validating on frames of a training video inflates every metric.
      add_error(report, path, 1, "",
                "video '" + video + "' is also annotated in " + earlier->second +
                    "; its frames are left out of this split",
                defect::kInBothSplits);
      continue;
    }
    const std::string text = read_file(path, "read Aff-Wild2 EXPR file");
    auto va_it = va.find(video);
    long last_label = 6;  // 7 (Other) under the eight-expression header.
    for_each_line(text, [&](long line, std::string_view row) {
      if (line == 1) {
        if (row == kExprHeaderWithOther) {
          last_label = 7;
          *with_other = true;
        } else if (row != kExprHeader) {
          add_error(report, path, line, "header",
                    "expected '" + std::string(kExprHeader) + "' (ABAW 2021) or '" +
                        kExprHeaderWithOther + "'");
        }
        return;
      }
      if (row.empty()) return;
      ++report.rows_read;
      auto label = parse_int(row);
      if (!label)
        return add_error(report, path, line, "expression",
                         "not an integer: '" + std::string(row) + "'");
      if (*label < -1 || *label > last_label) {
        return add_error(
            report, path, line, "expression",
            "label " + std::to_string(*label) + " outside -1.." + std::to_string(last_label));
      }
      if (*label == -1) return void(++report.dropped_by_code["expression -1 (unlabelled)"]);
      if (*label == 7) return void(++report.dropped_by_code["expression 7 Other"]);
      const long frame = line - 1;  // 1-based frame number = data row number.
      if (va_it == va.end())
        return void(++report.dropped_by_code["no VA annotation for the video"]);
      if (frame > static_cast<long>(va_it->second.size()))
        return void(++report.dropped_by_code["frame beyond the VA file"]);
      const VaRow& v = va_it->second[frame - 1];
      if (!v.labelled) return void(++report.dropped_by_code["valence/arousal -5 (unlabelled)"]);
      Sample s;
      s.image = video + "/" + frame_name(frame);
      if (options.check_images_exist && !file_exists((images / s.image).string())) {
        return void(++report.dropped_by_code["no face image"]);
      }
      s.expression = static_cast<int32_t>(*label);
      s.valence = v.valence;
      s.arousal = v.arousal;
      split.samples.push_back(std::move(s));
      ++report.kept;
    });
  }
  return split;
}

// The cropped-and-aligned frames: cropped_aligned/ at the root, as the release's zip unpacks
// into itself (cropped_aligned/cropped_aligned/), or under images/. Throws fer::Error listing the
// places looked at when none exists and the images are to be checked (else cropped_aligned/).
std::string find_image_root(const fs::path& root, bool required) {
  std::string looked;
  for (const char* folder :
       {"cropped_aligned", "cropped_aligned/cropped_aligned", "images/cropped_aligned"}) {
    const fs::path images = root / folder;
    // A folder holding only the nested copy is the zip's outer folder: prefer what is inside.
    if (fs::is_directory(images) && !fs::is_directory(images / "cropped_aligned"))
      return images.string();
    looked += std::string(looked.empty() ? "" : ", ") + images.string();
  }
  if (!required) return (root / "cropped_aligned").string();
  throw Error("read Aff-Wild2", root.string(), 0, "cropped_aligned",
              "no folder of cropped and aligned frames; looked at " + looked);
}

}  // namespace

std::vector<std::string> affwild2_annotation_folders(const std::string& root) {
  const Layout layout = find_layout(root);
  return {layout.expr.string(), layout.va.string()};
}

std::vector<std::string> affwild2_class_names() {
  return {"Neutral", "Anger", "Disgust", "Fear", "Happiness", "Sadness", "Surprise"};
}

DatasetIndex read_affwild2(const std::string& root_dir, const ReadOptions& options) {
  const fs::path root(root_dir);
  DatasetIndex index;
  index.name = "affwild2";
  index.root = root_dir;
  index.class_names = affwild2_class_names();
  const Layout layout = find_layout(root);
  index.image_root = find_image_root(root, options.check_images_exist);
  index.layout = "Aff-Wild2 annotations " + fs::relative(layout.expr, root).string() + " + " +
                 fs::relative(layout.va, root).string();
  // VA rows of every video of both VA splits; their malformed rows are reported with train's.
  SplitReport va_report;
  std::map<std::string, std::vector<VaRow>> va;
  for (const char* set : {"Train_Set", "Validation_Set"}) {
    for (const auto& file : annotation_files(layout.va / set, "read Aff-Wild2 VA set")) {
      va[file.stem().string()] = read_va_file(file, va_report);
    }
  }
  bool with_other = false;
  std::map<std::string, std::string> videos;  // Video -> its EXPR file: one split per video.
  index.train =
      read_split(layout, index.image_root, "Train_Set", "train", va, options, &with_other, &videos);
  index.val = read_split(layout, index.image_root, "Validation_Set", "val", va, options,
                         &with_other, &videos);
  index.layout += with_other ? ", eight expressions (ABAW 2022 and later; Other dropped)"
                             : ", seven expressions (ABAW 2021)";
  for (auto& e : va_report.errors) index.train.report.errors.push_back(e);
  enforce_policy(index.train.report, options.bad_rows, "read Aff-Wild2");
  enforce_policy(index.val.report, options.bad_rows, "read Aff-Wild2");
  return index;
}

}  // namespace fer::datasets
