#include "datasets/affectnet.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <unordered_map>

#include "core/error.h"
#include "core/text.h"
#include "datasets/csv.h"
#include "datasets/report.h"

namespace fer::datasets {
using text::parse_double;
using text::parse_int;
using text::read_file;
using text::split;
using text::trim;

const char kAffectNetHeader[] =
    "subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,"
    "valence,arousal";

namespace {

constexpr int kColumns = 9;
constexpr int kLandmarkValues = 136;
const char* const kColumnNames[kColumns] = {
    "subDirectory_filePath", "face_x",     "face_y",  "face_width", "face_height",
    "facial_landmarks",      "expression", "valence", "arousal"};
const char* const kCodeNames[11] = {"Neutral", "Happy",    "Sad",  "Surprise",  "Fear",   "Disgust",
                                    "Anger",   "Contempt", "None", "Uncertain", "No-Face"};

struct RowContext {
  const std::string& file;
  long line;
  SplitReport& report;
  bool ok = true;

  std::optional<double> number(std::string_view field, int column) {
    auto v = parse_double(field);
    if (!v) fail(column, "not a number: '" + std::string(field) + "'");
    return v;
  }
  void fail(int column, const std::string& message, const char* defect = defect::kMalformed,
            const std::string& image = "") {
    if (ok)
      add_error(report, file, line, column < 0 ? "" : kColumnNames[column], message, defect, image);
    ok = false;
  }
};

// JPEG and PNG images are at most 65535 pixels a side.
constexpr double kMaxCoordinate = 65535;

// Eye centres: means of landmarks 36-41 (left) and 42-47 (right).
bool parse_landmarks(std::string_view field, RowContext& row, Sample& s) {
  auto parts = split(field, ';');
  if (parts.size() != kLandmarkValues) {
    row.fail(5, "expected 136 landmark values (68 points), got " + std::to_string(parts.size()));
    return false;
  }
  double sum[4] = {0, 0, 0, 0};
  for (int i = 0; i < kLandmarkValues; ++i) {
    auto v = parse_double(parts[i]);
    if (!v) {
      row.fail(5, "landmark value " + std::to_string(i) + " is not a number: '" +
                      std::string(parts[i]) + "'");
      return false;
    }
    if (std::abs(*v) > kMaxCoordinate) {
      row.fail(5, "landmark value " + std::to_string(i) + " '" +
                      std::string(trim(parts[i])).substr(0, 32) +
                      "' outside [-65535, 65535] pixels");
      return false;
    }
    const int point = i / 2;
    if (point >= 36 && point < 48) sum[(point >= 42 ? 2 : 0) + i % 2] += *v;
  }
  s.left_eye = {static_cast<float>(sum[0] / 6), static_cast<float>(sum[1] / 6)};
  s.right_eye = {static_cast<float>(sum[2] / 6), static_cast<float>(sum[3] / 6)};
  return true;
}

// A header record names subDirectory_filePath (pandas' to_csv may put an unnamed index first).
bool is_header(const CsvRecord& record) {
  return std::find(record.fields.begin(), record.fields.end(), kColumnNames[0]) !=
         record.fields.end();
}

// Where each of kColumnNames is in the header; other columns are ignored. Throws fer::Error
// naming the missing or repeated column.
std::vector<size_t> header_columns(const CsvRecord& header, const std::string& path) {
  std::vector<size_t> column(kColumns);
  for (int c = 0; c < kColumns; ++c) {
    const auto& f = header.fields;
    const auto it = std::find(f.begin(), f.end(), kColumnNames[c]);
    if (it == f.end()) {
      throw Error("read AffectNet CSV", path, header.line, kColumnNames[c],
                  "the header has no column '" + std::string(kColumnNames[c]) + "'; expected '" +
                      std::string(kAffectNetHeader) + "'");
    }
    if (std::find(it + 1, f.end(), kColumnNames[c]) != f.end()) {
      throw Error("read AffectNet CSV", path, header.line, kColumnNames[c],
                  "the header names this column twice");
    }
    column[c] = static_cast<size_t>(it - f.begin());
  }
  return column;
}

bool in_unit_range(double v) { return v >= -1.0 && v <= 1.0; }

// fields: the row's values in kColumnNames order.
void parse_row(const std::vector<std::string_view>& fields, RowContext& row,
               const std::string& image_root, const ReadOptions& options, Split& split) {
  Sample s;
  s.image = std::string(trim(fields[0]));
  if (!is_safe_relative_path(s.image)) {
    row.fail(0, "image path '" + s.image + "' is empty, absolute or escapes the image root");
    return;
  }
  double box[4];
  for (int c = 1; c <= 4; ++c) {
    auto v = row.number(fields[c], c);
    if (!v) return;
    box[c - 1] = *v;
  }
  if (box[2] <= 0 || box[3] <= 0) return row.fail(box[2] <= 0 ? 3 : 4, "face box size must be > 0");
  // JPEG and PNG images are at most 65535 pixels a side (the check against the image's own size
  // comes with the image check); beyond that a value would overflow the float and int it becomes.
  for (int c = 1; c <= 4; ++c) {
    if (std::abs(box[c - 1]) > kMaxCoordinate) {
      return row.fail(c, "value " + std::string(trim(fields[c])).substr(0, 32) +
                             " outside [-65535, 65535] pixels");
    }
  }
  if (!parse_landmarks(fields[5], row, s)) return;
  auto code = parse_int(fields[6]);
  if (!code) return row.fail(6, "not an integer: '" + std::string(fields[6]) + "'");
  if (*code < 0 || *code > 10)
    return row.fail(6, "code " + std::to_string(*code) + " outside 0-10");
  auto valence = row.number(fields[7], 7);
  if (!valence) return;
  auto arousal = row.number(fields[8], 8);
  if (!arousal) return;
  for (int c : {7, 8}) {
    const double v = c == 7 ? *valence : *arousal;
    if (!in_unit_range(v) && v != -2.0)
      return row.fail(c, "value " + std::to_string(v) + " outside [-1, 1] (or -2)");
  }
  const long last_kept = options.eight_classes ? 7 : 6;
  if (*code > last_kept) {
    ++split.report.dropped_by_code["expression " + std::to_string(*code) + " " + kCodeNames[*code]];
    return;
  }
  if (*valence == -2.0 || *arousal == -2.0) {
    ++split.report.dropped_by_code["valence/arousal -2 (uncertain)"];
    return;
  }
  if (options.check_images_exist && !file_exists(image_root + "/" + s.image)) {
    const std::string path = image_root + "/" + s.image;
    return row.fail(0, "image file not found: " + path, defect::kMissingImage, path);
  }
  s.has_geometry = true;
  s.box_x = static_cast<float>(box[0]);
  s.box_y = static_cast<float>(box[1]);
  s.box_w = static_cast<float>(box[2]);
  s.box_h = static_cast<float>(box[3]);
  s.expression = static_cast<int32_t>(*code);
  s.valence = static_cast<float>(*valence);
  s.arousal = static_cast<float>(*arousal);
  split.samples.push_back(std::move(s));
  ++split.report.kept;
}

// The kept rows of a split: image path -> line, and the file they are in.
struct KeptRows {
  std::string file;
  std::unordered_map<std::string, long> lines;
};

// A split's samples; `earlier` (the training split, when reading validation) makes a row of an
// image kept there a defect; `kept` receives this split's kept rows.
Split read_csv(const std::string& csv_path, const std::string& image_root,
               const std::string& split_name, const ReadOptions& options, const KeptRows* earlier,
               KeptRows* kept) {
  const std::string text = read_file(csv_path, "read AffectNet CSV");
  const std::vector<CsvRecord> records = read_csv_records(text);
  Split split;
  split.report.split = split_name;
  // Without a header (the published validation.csv) the columns are in kColumnNames order;
  // a header (first record naming subDirectory_filePath) maps them by name.
  std::vector<size_t> column(kColumns);
  for (int c = 0; c < kColumns; ++c) column[c] = static_cast<size_t>(c);
  size_t expected_fields = kColumns, first = 0;
  if (!records.empty() && is_header(records[0])) {
    column = header_columns(records[0], csv_path);
    expected_fields = records[0].fields.size();
    first = 1;
  }
  std::vector<std::string_view> fields(kColumns);
  KeptRows mine{csv_path, {}};
  for (size_t r = first; r < records.size(); ++r) {
    const CsvRecord& record = records[r];
    ++split.report.rows_read;
    RowContext row{csv_path, record.line, split.report};
    if (!record.error.empty()) {
      row.fail(-1, record.error);
      continue;
    }
    if (record.fields.size() != expected_fields) {
      row.fail(-1, "expected " + std::to_string(expected_fields) + " comma-separated columns" +
                       (first ? " (as the header has)" : "") + ", got " +
                       std::to_string(record.fields.size()));
      continue;
    }
    for (int c = 0; c < kColumns; ++c) fields[c] = record.fields[column[c]];
    const size_t before = split.samples.size();
    parse_row(fields, row, image_root, options, split);
    if (split.samples.size() == before) continue;
    const std::string image = split.samples.back().image;
    const auto in_earlier = earlier ? earlier->lines.find(image) : mine.lines.end();
    const auto [at, fresh] = mine.lines.emplace(image, record.line);
    if (!fresh || (earlier && in_earlier != earlier->lines.end())) {
      split.samples.pop_back();
      --split.report.kept;
    }
    if (!fresh) {  // The same face twice would weigh it double and leak between batches.
      row.fail(0,
               "duplicate row: image '" + image + "' is already kept from line " +
                   std::to_string(at->second),
               defect::kDuplicate);
    } else if (earlier && in_earlier != earlier->lines.end()) {
      // Validating on a training image inflates every metric: the validation row goes.
      mine.lines.erase(at);
      row.fail(0,
               "image '" + image + "' is also kept in " + earlier->file + " line " +
                   std::to_string(in_earlier->second),
               defect::kInBothSplits);
    }
  }
  if (kept != nullptr) *kept = std::move(mine);
  enforce_policy(split.report, options.bad_rows, "read AffectNet CSV");
  return split;
}

}  // namespace

std::vector<std::string> affectnet_code_names() {
  return std::vector<std::string>(std::begin(kCodeNames), std::end(kCodeNames));
}

std::vector<std::string> affectnet_class_names(bool eight_classes) {
  std::vector<std::string> names(kCodeNames, kCodeNames + (eight_classes ? 8 : 7));
  return names;
}

Split read_affectnet_csv(const std::string& csv_path, const std::string& image_root,
                         const std::string& split_name, const ReadOptions& options) {
  return read_csv(csv_path, image_root, split_name, options, nullptr, nullptr);
}

DatasetIndex read_affectnet(const std::string& root, const ReadOptions& options) {
  DatasetIndex index;
  index.name = "affectnet";
  index.root = root;
  struct stat st;
  // The image folder as the release unpacks (Manually_Annotated.tar holds Manually_Annotated/
  // Manually_Annotated_Images/), as most copies keep it, or the images right under the root.
  index.image_root = root;
  index.layout = "AffectNet CSVs + images under the root";
  for (const char* folder :
       {"Manually_Annotated_Images", "Manually_Annotated/Manually_Annotated_Images"}) {
    const std::string images = root + "/" + folder;
    if (::stat(images.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      index.image_root = images;
      index.layout = std::string("AffectNet CSVs + ") + folder + "/";
      break;
    }
  }
  index.class_names = affectnet_class_names(options.eight_classes);
  KeptRows train;
  index.train =
      read_csv(root + "/training.csv", index.image_root, "train", options, nullptr, &train);
  index.val = read_csv(root + "/validation.csv", index.image_root, "val", options, &train, nullptr);
  return index;
}

}  // namespace fer::datasets
