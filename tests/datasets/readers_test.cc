// The AffectNet and Aff-Wild2 readers on committed fixtures in the real formats
// (tests/testdata/affectnet, tests/testdata/affwild2): the documented drops, and every malformed
// row reported with its file, line and field.
#include <boost/filesystem.hpp>
#include <fstream>
#include <string>

#include "core/error.h"
#include "datasets/affectnet.h"
#include "datasets/affwild2.h"
#include "datasets/dataset.h"
#include "tests/catch.h"
#include "tests/temp_dir.h"

namespace ds = fer::datasets;
namespace fs = boost::filesystem;
using Catch::Matchers::WithinAbs;

namespace {

const std::string kAffectNet = "tests/testdata/affectnet";
const std::string kAffWild2 = "tests/testdata/affwild2";

using fer::testing::temp_dir;

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p.string()) << text;
}

const ds::RowError* find_error(const ds::SplitReport& r, long line) {
  for (const auto& e : r.errors) {
    if (e.line == line) return &e;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("AffectNet reader keeps codes 0-6 and counts the documented drops", "[datasets]") {
  ds::ReadOptions options;
  ds::DatasetIndex index = ds::read_affectnet(kAffectNet, options);
  CHECK(index.image_root == kAffectNet + "/Manually_Annotated_Images");
  CHECK(index.class_names.size() == 7);
  CHECK(index.class_names[1] == "Happy");
  const auto& train = index.train;
  CHECK(train.report.rows_read == 7);
  CHECK(train.report.kept == 3);
  CHECK(train.report.dropped_by_code.at("expression 7 Contempt") == 1);
  CHECK(train.report.dropped_by_code.at("expression 8 None") == 1);
  CHECK(train.report.dropped_by_code.at("expression 9 Uncertain") == 1);
  CHECK(train.report.dropped_by_code.at("expression 10 No-Face") == 1);
  CHECK(train.report.errors.empty());
  const ds::Sample& s = train.samples[0];
  CHECK(s.image == "1/a.jpg");
  CHECK(s.expression == 1);
  CHECK(s.valence == 0.5f);
  CHECK(s.arousal == 0.25f);
  CHECK(s.box_x == 2.0f);
  CHECK(s.box_w == 36.0f);
  // Eye centres: means of points 36-41 (x 12..14.5) and 42-47 (x 26..28.5).
  CHECK_THAT(s.left_eye.x, WithinAbs(13.25, 1e-5));
  CHECK_THAT(s.left_eye.y, WithinAbs(15.0, 1e-5));
  CHECK_THAT(s.right_eye.x, WithinAbs(27.25, 1e-5));
  CHECK_THAT(train.samples[1].right_eye.y, WithinAbs(19.0, 1e-5));
  // validation.csv has no header line, like the real release.
  CHECK(index.val.report.rows_read == 1);
  CHECK(index.val.samples.at(0).expression == 3);

  SECTION("the 8-class setting keeps Contempt") {
    options.eight_classes = true;
    auto eight = ds::read_affectnet(kAffectNet, options);
    CHECK(eight.class_names.size() == 8);
    CHECK(eight.train.report.kept == 4);
    CHECK(eight.train.report.dropped_by_code.count("expression 7 Contempt") == 0);
  }
}

TEST_CASE("AffectNet reader reports every malformed row with file, line and field", "[datasets]") {
  const std::string csv = kAffectNet + "/bad_training.csv";
  const std::string images = kAffectNet + "/Manually_Annotated_Images";
  ds::ReadOptions options;
  SECTION("errors by default, located at the first bad row") {
    REQUIRE_THROWS_WITH(ds::read_affectnet_csv(csv, images, "train", options),
                        Catch::Contains("bad_training.csv:2") && Catch::Contains("expected 9") &&
                            Catch::Contains("8 malformed row(s)"));
    try {
      ds::read_affectnet_csv(csv, images, "train", options);
    } catch (const fer::Error& e) {
      CHECK(e.path() == csv);
      CHECK(e.line() == 2);
    }
  }
  SECTION("skipping lists them all and keeps the good row") {
    options.bad_rows = ds::BadRowPolicy::kSkip;
    ds::Split split = ds::read_affectnet_csv(csv, images, "train", options);
    CHECK(split.report.rows_read == 9);
    CHECK(split.report.kept == 1);
    REQUIRE(split.report.errors.size() == 8);
    const std::vector<std::pair<long, std::string>> expected = {
        {3, "face_x"},  {4, "facial_landmarks"},      {5, "expression"},
        {6, "valence"}, {7, "subDirectory_filePath"}, {8, "subDirectory_filePath"},
        {10, "arousal"}};
    for (const auto& [line, field] : expected) {
      INFO("line " << line);
      const ds::RowError* e = find_error(split.report, line);
      REQUIRE(e != nullptr);
      CHECK(e->field == field);
      CHECK(e->file == csv);
    }
    CHECK(find_error(split.report, 4)->message.find("got 67") == std::string::npos);
    CHECK(find_error(split.report, 4)->message.find("136") != std::string::npos);
    CHECK(find_error(split.report, 7)->message.find("not found") != std::string::npos);
    CHECK(find_error(split.report, 8)->message.find("escapes") != std::string::npos);
  }
}

TEST_CASE("Aff-Wild2 reader joins EXPR, VA and frames", "[datasets]") {
  ds::DatasetIndex index = ds::read_affwild2(kAffWild2, ds::ReadOptions());
  const std::vector<std::string> names = {"Neutral",   "Anger",   "Disgust", "Fear",
                                          "Happiness", "Sadness", "Surprise"};
  CHECK(index.class_names == names);
  const auto& r = index.train.report;
  CHECK(r.rows_read == 6);
  CHECK(r.kept == 2);
  CHECK(r.dropped_by_code.at("expression -1 (unlabelled)") == 1);
  CHECK(r.dropped_by_code.at("valence/arousal -5 (unlabelled)") == 1);
  CHECK(r.dropped_by_code.at("no face image") == 1);
  CHECK(r.dropped_by_code.at("no VA annotation for the video") == 1);
  CHECK(index.train.samples[0].image == "vid1/00001.jpg");
  CHECK(index.train.samples[1].expression == 4);
  CHECK(index.train.samples[1].valence == 0.6f);
  CHECK_FALSE(index.train.samples[0].has_geometry);
  CHECK(index.val.report.kept == 2);
  CHECK(index.val.samples[1].expression == 6);
  CHECK(index.val.samples[1].arousal == 0.8f);
}

TEST_CASE("Aff-Wild2 reader reports malformed rows", "[datasets]") {
  fs::path root = temp_dir("affwild2_bad");
  fs::copy_file(kAffWild2 + "/cropped_aligned/vid1/00001.jpg", root / "img.jpg");
  write(root / "EXPR_Set/Train_Set/v.txt",
        "Neutral,Anger,Disgust,Fear,Happiness,Sadness,Surprise\n2\nhappy\n9\n");
  write(root / "EXPR_Set/Validation_Set/w.txt", "Neutral,Anger\n1\n");
  write(root / "VA_Set/Train_Set/v.txt", "valence,arousal\n0.1,0.2\n0.3\n1.7,0.0\n");
  write(root / "VA_Set/Validation_Set/w.txt", "valence,arousal\n0.1,0.2\n");
  ds::ReadOptions options;
  CHECK_THROWS_AS(ds::read_affwild2(root.string(), options), fer::Error);
  options.bad_rows = ds::BadRowPolicy::kSkip;
  options.check_images_exist = false;
  auto index = ds::read_affwild2(root.string(), options);
  const auto& errors = index.train.report.errors;
  auto has = [&](const std::string& file, long line, const std::string& field) {
    for (const auto& e : errors) {
      if (e.file.find(file) != std::string::npos && e.line == line && e.field == field) return true;
    }
    return false;
  };
  CHECK(has("EXPR_Set/Train_Set/v.txt", 3, "expression"));  // "happy"
  CHECK(has("EXPR_Set/Train_Set/v.txt", 4, "expression"));  // 9 outside -1..6
  CHECK(has("VA_Set/Train_Set/v.txt", 3, ""));              // one column
  CHECK(has("VA_Set/Train_Set/v.txt", 4, "valence"));       // 1.7
  CHECK(index.val.report.errors.at(0).field == "header");
}
