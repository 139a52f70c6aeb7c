// AffectNet CSVs as other tools write them (RFC 4180 quoting, CRLF, a UTF-8 BOM, no header as in
// the published validation.csv, reordered or extra columns, trailing blank lines) read to the
// same samples as the original file; broken quoting and headers are errors with file and line.
#include <boost/filesystem.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "datasets/affectnet.h"
#include "datasets/csv.h"
#include "datasets/dataset.h"
#include "tests/catch.h"
#include "tests/temp_dir.h"

namespace ds = fer::datasets;
namespace fs = boost::filesystem;

namespace {

const std::string kImages = "tests/testdata/affectnet/Manually_Annotated_Images";

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> fields_of(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  for (std::string f; std::getline(in, f, ',');) out.push_back(f);
  return out;
}

std::string join(const std::vector<std::string>& fields, const std::string& quote) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + quote + fields[i] + quote;
  return out;
}

ds::Split read(const fs::path& path, ds::BadRowPolicy policy = ds::BadRowPolicy::kError) {
  ds::ReadOptions options;
  options.bad_rows = policy;
  return ds::read_affectnet_csv(path.string(), kImages, "train", options);
}

void check_same(const ds::Split& a, const ds::Split& b) {
  CHECK(a.report.rows_read == b.report.rows_read);
  CHECK(a.report.kept == b.report.kept);
  CHECK(a.report.dropped_by_code == b.report.dropped_by_code);
  REQUIRE(a.samples.size() == b.samples.size());
  for (size_t i = 0; i < a.samples.size(); ++i) {
    const ds::Sample &x = a.samples[i], &y = b.samples[i];
    CHECK((x.image == y.image && x.expression == y.expression && x.valence == y.valence &&
           x.arousal == y.arousal && x.box_x == y.box_x && x.box_w == y.box_w &&
           x.left_eye.x == y.left_eye.x && x.right_eye.y == y.right_eye.y));
  }
}

}  // namespace

TEST_CASE("AffectNet CSVs written by other tools read to the same samples", "[datasets]") {
  const fs::path dir = fer::testing::temp_dir("affectnet_formats");
  const auto original = lines_of("tests/testdata/affectnet/training.csv");
  const ds::Split expected = read("tests/testdata/affectnet/training.csv");
  REQUIRE(expected.report.kept == 3);

  SECTION("every field quoted, CRLF line ends, a UTF-8 BOM and trailing blank lines") {
    std::ofstream out((dir / "quoted.csv").string(), std::ios::binary);
    out << "\xEF\xBB\xBF";
    for (const auto& line : original) out << join(fields_of(line), "\"") << "\r\n";
    out << "\r\n\r\n";
    out.close();
    check_same(read(dir / "quoted.csv"), expected);
  }
  SECTION("no header row, as in the published validation.csv") {
    std::ofstream out((dir / "headerless.csv").string());
    for (size_t i = 1; i < original.size(); ++i) out << original[i] << "\n";
    out.close();
    check_same(read(dir / "headerless.csv"), expected);
  }
  SECTION("columns reordered, and pandas' unnamed index column in front") {
    std::ofstream out((dir / "pandas.csv").string());
    for (size_t i = 0; i < original.size(); ++i) {
      auto f = fields_of(original[i]);
      std::reverse(f.begin(), f.end());
      out << (i == 0 ? std::string() : std::to_string(i - 1)) << "," << join(f, "") << "\n";
    }
    out.close();
    check_same(read(dir / "pandas.csv"), expected);
  }
  SECTION("a quoted field may hold commas and line breaks; lines are counted across them") {
    std::ofstream out((dir / "multiline.csv").string());
    auto f = fields_of(original[1]);
    out << original[0] << "\n";
    f[0] = "\"1/a,\nb.jpg\"";  // A path with a comma and a line break (no such image).
    out << join(f, "") << "\n" << original[2] << "\n";
    out.close();
    const ds::Split split = read(dir / "multiline.csv", ds::BadRowPolicy::kSkip);
    CHECK(split.report.rows_read == 2);
    CHECK(split.report.kept == 1);
    REQUIRE(split.report.errors.size() == 1);
    CHECK(split.report.errors[0].line == 2);
    CHECK(split.report.errors[0].field == "subDirectory_filePath");
    CHECK(split.report.errors[0].message.find("1/a,\nb.jpg") != std::string::npos);
  }
}

TEST_CASE("broken AffectNet quoting and headers are errors with file, line and field",
          "[datasets]") {
  const fs::path dir = fer::testing::temp_dir("affectnet_broken_csv");
  const auto original = lines_of("tests/testdata/affectnet/training.csv");
  SECTION("a header without a column the reader needs") {
    std::ofstream out((dir / "no_arousal.csv").string());
    out << "subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,"
           "valence,extra\n"
        << original[1] << "\n";
    out.close();
    REQUIRE_THROWS_WITH(read(dir / "no_arousal.csv"), Catch::Contains("no_arousal.csv:1") &&
                                                          Catch::Contains("field 'arousal'") &&
                                                          Catch::Contains("no column 'arousal'"));
  }
  SECTION("a quote that is never closed") {
    std::ofstream out((dir / "open_quote.csv").string());
    out << original[0] << "\n" << original[1] << "\n\"1/b.jpg," << original[2].substr(8) << "\n";
    out.close();
    const ds::Split split = read(dir / "open_quote.csv", ds::BadRowPolicy::kSkip);
    CHECK(split.report.kept == 1);
    REQUIRE(split.report.errors.size() == 1);
    CHECK(split.report.errors[0].line == 3);
    CHECK(split.report.errors[0].message.find("not closed") != std::string::npos);
  }
  SECTION("a row with a column too many, under a header") {
    std::ofstream out((dir / "extra_field.csv").string());
    out << original[0] << "\n" << original[1] << ",surplus\n";
    out.close();
    REQUIRE_THROWS_WITH(read(dir / "extra_field.csv"),
                        Catch::Contains("extra_field.csv:2") &&
                            Catch::Contains("expected 9 comma-separated columns "
                                            "(as the header has), got 10"));
  }
}

TEST_CASE("CSV records: quotes, BOM, CRLF, blank lines and starting lines", "[datasets]") {
  const auto records = ds::read_csv_records(
      "\xEF\xBB\xBF"
      "a,\"b,c\"\r\n\r\n\"d\ne\",f\n  \ng,h");
  REQUIRE(records.size() == 3);
  CHECK(records[0].line == 1);
  CHECK(records[0].fields == std::vector<std::string>{"a", "b,c"});
  CHECK(records[1].line == 3);
  CHECK(records[1].fields == std::vector<std::string>{"d\ne", "f"});
  CHECK(records[2].line == 6);
  CHECK(records[2].fields == std::vector<std::string>{"g", "h"});
  CHECK(ds::read_csv_records("x,\"y\n").at(0).error.find("not closed") != std::string::npos);
}

TEST_CASE("a second row of the same image, and a split left empty, are errors", "[datasets]") {
  const fs::path dir = fer::testing::temp_dir("affectnet_duplicates");
  const auto original = lines_of("tests/testdata/affectnet/training.csv");
  SECTION("the same image kept twice") {
    std::ofstream out((dir / "twice.csv").string());
    for (const auto& line : original) out << line << "\n";
    out << original[1] << "\n";  // Line 9 repeats line 2.
    out.close();
    REQUIRE_THROWS_WITH(read(dir / "twice.csv"),
                        Catch::Contains("twice.csv:9") && Catch::Contains("duplicate row"));
    const ds::Split split = read(dir / "twice.csv", ds::BadRowPolicy::kSkip);
    CHECK(split.report.kept == 3);
    CHECK(split.samples.size() == 3);
    REQUIRE(split.report.errors.size() == 1);
    CHECK(split.report.errors[0].field == "subDirectory_filePath");
    CHECK(split.report.errors[0].message.find("already kept from line 2") != std::string::npos);
  }
  SECTION("a training split whose every row is a documented drop") {
    const fs::path root = dir / "affectnet";
    fs::create_directories(root);
    fs::create_directory_symlink(fs::absolute(kImages), root / "Manually_Annotated_Images");
    fs::copy_file("tests/testdata/affectnet/validation.csv", root / "validation.csv");
    std::ofstream out((root / "training.csv").string());
    out << original[0] << "\n";
    for (size_t i = 4; i < original.size(); ++i) out << original[i] << "\n";  // Codes 7-10 only.
    out.close();
    ds::DatasetOptions o;
    o.name = "affectnet";
    o.root = root.string();
    o.cache_root = (dir / "cache").string();
    REQUIRE_THROWS_WITH(ds::open_dataset(o), Catch::Contains("field 'train'") &&
                                                 Catch::Contains("no usable sample") &&
                                                 Catch::Contains("expression 7 Contempt"));
  }
}

TEST_CASE("AffectNet's image folder as the release unpacks it, or as copies keep it",
          "[datasets]") {
  const fs::path root = fer::testing::temp_dir("affectnet_image_roots");
  fs::copy_file("tests/testdata/affectnet/training.csv", root / "training.csv");
  fs::copy_file("tests/testdata/affectnet/validation.csv", root / "validation.csv");
  ds::ReadOptions o;
  o.check_images_exist = false;
  CHECK(ds::read_affectnet(root.string(), o).image_root == root.string());
  fs::create_directories(root / "Manually_Annotated/Manually_Annotated_Images");
  const ds::DatasetIndex nested = ds::read_affectnet(root.string(), o);
  CHECK(nested.image_root == (root / "Manually_Annotated/Manually_Annotated_Images").string());
  CHECK(nested.layout == "AffectNet CSVs + Manually_Annotated/Manually_Annotated_Images/");
  fs::create_directories(root / "Manually_Annotated_Images");
  CHECK(ds::read_affectnet(root.string(), o).image_root ==
        (root / "Manually_Annotated_Images").string());
}
