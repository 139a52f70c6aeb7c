// Aff-Wild2 as its releases ship it: ABAW 2021's EXPR_Set/VA_Set at the root, and ABAW 2022 and
// later's *_Challenge folders under annotations/ with an eighth expression (Other), dropped and
// counted; the layout found is named, and a root with no annotation folder says where it looked.
#include <boost/filesystem.hpp>
#include <fstream>
#include <string>

#include "core/error.h"
#include "datasets/affwild2.h"
#include "datasets/dataset.h"
#include "tests/catch.h"
#include "tests/temp_dir.h"

namespace ds = fer::datasets;
namespace fs = boost::filesystem;

namespace {

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p.string()) << text;
}

// A release with one training and one validation video of three frames each.
fs::path make_release(const std::string& name, const std::string& expr, const std::string& va,
                      bool other) {
  const fs::path root = fer::testing::temp_dir(name);
  const std::string header = std::string("Neutral,Anger,Disgust,Fear,Happiness,Sadness,Surprise") +
                             (other ? ",Other" : "");
  write(root / expr / "Train_Set/v1.txt", header + "\n4\n" + (other ? "7" : "-1") + "\n2\n");
  write(root / expr / "Validation_Set/v2.txt", header + "\n1\n0\n" + (other ? "7" : "3") + "\n");
  write(root / va / "Train_Set/v1.txt", "valence,arousal\n0.1,0.2\n0.3,0.4\n-0.5,0.6\n");
  write(root / va / "Validation_Set/v2.txt", "valence,arousal\n0.7,-0.1\n0.2,0.2\n0.0,0.9\n");
  fs::create_directories(root / "cropped_aligned");
  return root;
}

ds::ReadOptions no_images() {
  ds::ReadOptions o;
  o.check_images_exist = false;
  return o;
}

}  // namespace

TEST_CASE("Aff-Wild2 releases: ABAW 2021 and later layouts, Other dropped and counted",
          "[datasets]") {
  SECTION("ABAW 2021: EXPR_Set and VA_Set at the root, seven expressions") {
    const fs::path root = make_release("abaw2021", "EXPR_Set", "VA_Set", false);
    const ds::DatasetIndex index = ds::read_affwild2(root.string(), no_images());
    CHECK(index.layout == "Aff-Wild2 annotations EXPR_Set + VA_Set, seven expressions (ABAW 2021)");
    CHECK(index.train.report.kept == 2);
    CHECK(index.val.report.kept == 3);
    CHECK(index.class_names.size() == 7);
  }
  SECTION("ABAW 2022 and later: challenge folders under annotations/, eighth expression Other") {
    const fs::path root = make_release("abaw2022", "annotations/EXPR_Classification_Challenge",
                                       "annotations/VA_Estimation_Challenge", true);
    const ds::DatasetIndex index = ds::read_affwild2(root.string(), no_images());
    CHECK(index.layout.find(
              "annotations/EXPR_Classification_Challenge + annotations/VA_Estimation_Challenge") !=
          std::string::npos);
    CHECK(index.layout.find("eight expressions") != std::string::npos);
    CHECK(index.class_names.size() == 7);
    CHECK(index.train.report.kept == 2);
    CHECK(index.train.report.dropped_by_code.at("expression 7 Other") == 1);
    CHECK(index.val.report.kept == 2);
    CHECK(index.val.report.dropped_by_code.at("expression 7 Other") == 1);
    CHECK(index.train.report.errors.empty());
    // The cache key follows the release's own folders: a changed annotation file is a miss.
    ds::DatasetOptions o;
    o.name = "affwild2";
    o.root = root.string();
    o.cache_root = (root / "cache").string();
    o.read = no_images();
    o.image_check.mode = ds::ImageCheckMode::kOff;
    // Two labelled frames cannot hold seven classes: the absent ones are an error, listed (and
    // nothing else) when skipping.
    REQUIRE_THROWS_WITH(ds::open_dataset(o), Catch::Contains("class absent from the split") &&
                                                 Catch::Contains("Neutral") &&
                                                 Catch::Contains("'train'"));
    o.read.bad_rows = ds::BadRowPolicy::kSkip;
    CHECK_FALSE(ds::open_dataset(o).from_cache);
    CHECK(ds::open_dataset(o).from_cache);
    write(root / "annotations/EXPR_Classification_Challenge/Train_Set/v1.txt",
          "Neutral,Anger,Disgust,Fear,Happiness,Sadness,Surprise,Other\n4\n4\n2\n-1\n");  // Longer.
    const ds::Dataset changed = ds::open_dataset(o);
    CHECK_FALSE(changed.from_cache);
    CHECK(changed.index.train.report.kept == 3);
  }
  SECTION("label 7 under the seven-expression header is still malformed") {
    const fs::path root = make_release("abaw2021_bad", "EXPR_Set", "VA_Set", false);
    write(root / "EXPR_Set/Train_Set/v1.txt",
          "Neutral,Anger,Disgust,Fear,Happiness,Sadness,Surprise\n7\n");
    REQUIRE_THROWS_WITH(ds::read_affwild2(root.string(), no_images()),
                        Catch::Contains("v1.txt:2") && Catch::Contains("outside -1..6"));
  }
  SECTION("no annotation folder: every place looked at is named") {
    const fs::path root = fer::testing::temp_dir("abaw_empty");
    REQUIRE_THROWS_WITH(ds::read_affwild2(root.string(), no_images()),
                        Catch::Contains("EXPR_Classification_Challenge") &&
                            Catch::Contains((root / "annotations/EXPR_Set").string()));
  }
}

TEST_CASE("the frames' folder in its common layouts, and a clear error without one", "[datasets]") {
  const fs::path root = make_release("frames_layouts", "EXPR_Set", "VA_Set", false);
  fs::remove_all(root / "cropped_aligned");
  REQUIRE_THROWS_WITH(ds::read_affwild2(root.string(), ds::ReadOptions()),
                      Catch::Contains("no folder of cropped and aligned frames") &&
                          Catch::Contains((root / "images/cropped_aligned").string()));
  for (const char* folder :
       {"cropped_aligned/cropped_aligned", "images/cropped_aligned", "cropped_aligned"}) {
    fs::remove_all(root / "cropped_aligned");
    fs::remove_all(root / "images");
    fs::create_directories(root / folder / "v1");
    INFO(folder);
    CHECK(ds::read_affwild2(root.string(), no_images()).image_root == (root / folder).string());
  }
}
