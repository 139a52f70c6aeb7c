// Every class of defect a real copy of a dataset has is caught before training starts, with the
// file (image path or annotation file, line, field) and the class of defect; --skip_bad_rows
// (BadRowPolicy::kSkip) skips each and lists it; the index cache notices a repaired image.
// Copies of the synthetic AffectNet and Aff-Wild2 sets, each damaged in one way per row. Last, the
// loader's two preprocessing modes on a clean copy.
#include <ATen/ATen.h>
#include <turbojpeg.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "datasets/dataset.h"
#include "datasets/loader.h"
#include "datasets/reference_transforms.h"
#include "datasets/report.h"
#include "datasets/synthetic.h"
#include "datasets/transforms.h"
#include "imaging/image_io.h"
#include "tests/catch.h"
#include "tests/temp_dir.h"

namespace ds = fer::datasets;
namespace imaging = fer::imaging;
namespace fs = boost::filesystem;

namespace {

std::vector<std::string> read_lines(const fs::path& p) {
  std::ifstream in(p.string());
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

void write_lines(const fs::path& p, const std::vector<std::string>& lines) {
  std::ofstream out(p.string(), std::ios::trunc);
  for (const auto& l : lines) out << l << "\n";
}

std::vector<std::string> fields_of(const std::string& line) {
  std::vector<std::string> f;
  std::stringstream in(line);
  for (std::string x; std::getline(in, x, ',');) f.push_back(x);
  return f;
}

std::string join(const std::vector<std::string>& f) {
  std::string s;
  for (size_t i = 0; i < f.size(); ++i) s += (i ? "," : "") + f[i];
  return s;
}

std::string bytes_of(const fs::path& p) {
  std::ifstream in(p.string(), std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_bytes(const fs::path& p, const std::string& b) {
  std::ofstream(p.string(), std::ios::binary | std::ios::trunc) << b;
}

// A 4-channel CMYK JPEG (TurboJPEG writes it as YCCK).
std::string cmyk_jpeg(int size) {
  std::vector<unsigned char> cmyk(static_cast<size_t>(size) * size * 4, 90);
  tjhandle tj = tjInitCompress();
  unsigned char* out = nullptr;
  unsigned long n = 0;
  REQUIRE(tjCompress2(tj, cmyk.data(), size, size * 4, size, TJPF_CMYK, &out, &n, TJSAMP_444, 90,
                      0) == 0);
  std::string bytes(reinterpret_cast<char*>(out), n);
  tjFree(out);
  tjDestroy(tj);
  return bytes;
}

std::map<std::string, int> count_by_defect(const ds::SplitReport& r) {
  std::map<std::string, int> n;
  for (const auto& e : r.errors) ++n[e.defect];
  return n;
}

const ds::RowError* first_of(const ds::SplitReport& r, const std::string& defect) {
  for (const auto& e : r.errors) {
    if (e.defect == defect) return &e;
  }
  return nullptr;
}

// Indices (into the CSV's lines) of kept training rows: codes 0-6 with valence/arousal.
std::vector<size_t> kept_rows(const std::vector<std::string>& lines) {
  std::vector<size_t> rows;
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto f = fields_of(lines[i]);
    if (std::stoi(f[6]) <= 6 && f[7] != "-2") rows.push_back(i);
  }
  return rows;
}

struct DamagedAffectNet {
  fs::path root;
  std::map<std::string, fs::path> image;  // Defect -> the damaged image.
  std::string corrupt_original;           // The corrupt image's bytes before the damage.
  long both_splits_line = 0;              // validation.csv line repeating a training image.
  size_t kept_before = 0;
};

DamagedAffectNet damaged_affectnet(const std::string& name) {
  DamagedAffectNet d;
  d.root = fer::testing::temp_dir(name) / "affectnet";
  ds::SyntheticOptions so;
  so.train_per_class = 6;
  so.val_per_class = 3;
  ds::write_synthetic_affectnet(d.root.string(), so);
  const fs::path images = d.root / "Manually_Annotated_Images";
  auto lines = read_lines(d.root / "training.csv");
  const auto rows = kept_rows(lines);
  d.kept_before = rows.size();
  auto image_of = [&](size_t row) { return images / fields_of(lines[row])[0]; };
  // Corrupt: bytes in the middle of the entropy-coded data overwritten with a marker.
  d.image[ds::defect::kUndecodable] = image_of(rows[0]);
  d.corrupt_original = bytes_of(image_of(rows[0]));
  std::string corrupt = d.corrupt_original;
  for (size_t i = corrupt.size() / 2; i < corrupt.size() / 2 + 8; ++i)
    corrupt[i] = static_cast<char>(i % 2 ? 0xD3 : 0xFF);
  write_bytes(image_of(rows[0]), corrupt);
  // Truncated: the last third cut off ("premature end of data" is only a warning in libjpeg).
  d.image["truncated"] = image_of(rows[1]);
  const std::string whole = bytes_of(image_of(rows[1]));
  write_bytes(image_of(rows[1]), whole.substr(0, whole.size() * 2 / 3));
  d.image[ds::defect::kChannels] = image_of(rows[2]);
  write_bytes(image_of(rows[2]), cmyk_jpeg(128));
  // A face box right of the 128-pixel image.
  auto f = fields_of(lines[rows[3]]);
  d.image[ds::defect::kBoxOutside] = image_of(rows[3]);
  f[1] = "500";
  lines[rows[3]] = join(f);
  // Eye landmarks (points 36-47) far below the image.
  f = fields_of(lines[rows[4]]);
  d.image[ds::defect::kEyesOutside] = image_of(rows[4]);
  std::vector<std::string> lm;
  std::stringstream in(f[5]);
  for (std::string x; std::getline(in, x, ';');) lm.push_back(x);
  for (int i = 72; i < 96; i += 2) lm[i + 1] = "900";
  f[5].clear();
  for (size_t i = 0; i < lm.size(); ++i) f[5] += (i ? ";" : "") + lm[i];
  lines[rows[4]] = join(f);
  write_lines(d.root / "training.csv", lines);
  // A validation row of a training image (the fifth kept one, otherwise intact).
  auto val = read_lines(d.root / "validation.csv");
  val.push_back(lines[rows[5]]);
  d.both_splits_line = static_cast<long>(val.size());
  write_lines(d.root / "validation.csv", val);
  return d;
}

ds::DatasetOptions options_for(const fs::path& root, const std::string& name,
                               ds::BadRowPolicy policy) {
  ds::DatasetOptions o;
  o.name = name;
  o.root = root.string();
  o.cache_root = (root.parent_path() / "cache").string();
  o.read.bad_rows = policy;
  o.embedding_dim = 8;
  o.image_check.threads = 2;
  return o;
}

}  // namespace

TEST_CASE("image defects of an AffectNet copy: each caught, located, classed and skippable",
          "[datasets]") {
  const DamagedAffectNet d = damaged_affectnet("defects_affectnet");
  const std::string val_csv = (d.root / "validation.csv").string();

  SECTION("by default the first defect stops the dataset from opening, naming the file") {
    try {
      ds::open_dataset(options_for(d.root, "affectnet", ds::BadRowPolicy::kError));
      FAIL("a damaged copy must not open");
    } catch (const fer::Error& e) {
      // The cross-split row is found while reading the CSVs, before any image is opened.
      CHECK(e.path() == val_csv);
      CHECK(e.line() == d.both_splits_line);
      CHECK(std::string(e.what()).find("image in both splits") != std::string::npos);
    }
  }

  SECTION("skipping lists every defect with its class and leaves the rest") {
    ds::DatasetOptions o = options_for(d.root, "affectnet", ds::BadRowPolicy::kSkip);
    int64_t progress_total = -1;
    o.image_check.progress = [&](int64_t done, int64_t total) {
      CHECK(done <= total);
      progress_total = total;
    };
    const ds::Dataset data = ds::open_dataset(o);
    const auto& train = data.index.train.report;
    const auto n = count_by_defect(train);
    CHECK(n.at(ds::defect::kUndecodable) == 2);  // Corrupt and truncated.
    CHECK(n.at(ds::defect::kChannels) == 1);
    CHECK(n.at(ds::defect::kBoxOutside) == 1);
    CHECK(n.at(ds::defect::kEyesOutside) == 1);
    CHECK(data.index.train.samples.size() == d.kept_before - 5);
    CHECK(train.kept == static_cast<int64_t>(d.kept_before - 5));
    CHECK(progress_total == static_cast<int64_t>(data.index.train.samples.size() + 5 +
                                                 data.index.val.samples.size()));
    for (const auto& [defect, path] : d.image) {
      const std::string want = defect == "truncated" ? ds::defect::kUndecodable : defect;
      bool found = false;
      for (const auto& e : train.errors)
        found = found || (e.file == path.string() && e.defect == want);
      INFO(defect << " " << path.string());
      CHECK(found);
    }
    CHECK_THAT(first_of(train, ds::defect::kUndecodable)->message,
               Catch::Contains("damaged data") || Catch::Contains("undecodable"));
    CHECK_THAT(first_of(train, ds::defect::kBoxOutside)->message,
               Catch::Contains("does not overlap the 128x128 image"));
    CHECK(first_of(train, ds::defect::kEyesOutside)->field == "facial_landmarks");
    for (const auto& s : data.index.train.samples) {
      for (const auto& [defect, path] : d.image)
        CHECK(d.root.string() + "/Manually_Annotated_Images/" + s.image != path.string());
    }
    const ds::RowError* both = first_of(data.index.val.report, ds::defect::kInBothSplits);
    REQUIRE(both != nullptr);
    CHECK(both->file == val_csv);
    CHECK(both->line == d.both_splits_line);
    const std::string report = ds::format_report(train);
    CHECK_THAT(report, Catch::Contains("corrupt or truncated image: 2") &&
                           Catch::Contains("unexpected channel count: 1") &&
                           Catch::Contains("face box outside the image: 1") &&
                           Catch::Contains(d.image.at(ds::defect::kChannels).string()));
  }

  SECTION("a header check finds what the headers show; only a decode finds damaged data") {
    ds::DatasetOptions o = options_for(d.root, "affectnet", ds::BadRowPolicy::kSkip);
    o.image_check.mode = ds::ImageCheckMode::kHeader;
    const auto n = count_by_defect(ds::open_dataset(o).index.train.report);
    CHECK(n.count(ds::defect::kUndecodable) == 0);
    CHECK(n.at(ds::defect::kChannels) == 1);
    CHECK(n.at(ds::defect::kBoxOutside) == 1);
  }

  SECTION(
      "the index cache watches the defective images: a repaired one is seen on the next start") {
    const ds::DatasetOptions o = options_for(d.root, "affectnet", ds::BadRowPolicy::kSkip);
    CHECK_FALSE(ds::open_dataset(o).from_cache);
    const ds::Dataset again = ds::open_dataset(o);
    CHECK(again.from_cache);
    CHECK(count_by_defect(again.index.train.report).at(ds::defect::kUndecodable) == 2);
    write_bytes(d.image.at(ds::defect::kUndecodable), d.corrupt_original);
    const ds::Dataset repaired = ds::open_dataset(o);
    CHECK_FALSE(repaired.from_cache);
    CHECK(count_by_defect(repaired.index.train.report).at(ds::defect::kUndecodable) == 1);
    CHECK(repaired.index.train.samples.size() == d.kept_before - 4);
  }
}

TEST_CASE("Aff-Wild2 copy: a frame unlike its video's, and a video in both splits", "[datasets]") {
  const fs::path root = fer::testing::temp_dir("defects_affwild2") / "affwild2";
  ds::SyntheticOptions so;
  so.train_per_class = 4;
  so.val_per_class = 3;
  ds::write_synthetic_affwild2(root.string(), so);
  ds::DatasetOptions o = options_for(root, "affwild2", ds::BadRowPolicy::kError);
  o.use_cache = false;
  fs::path odd;
  for (const auto& s : ds::open_dataset(o).index.train.samples) {
    if (odd.empty() && s.image.rfind("video2/", 0) == 0) odd = root / "cropped_aligned" / s.image;
  }
  REQUIRE(fs::exists(odd));
  imaging::write_jpeg(odd.string(), cv::Mat(64, 80, CV_8UC3, cv::Scalar(90, 100, 110)), 90);
  // video3 annotated in both EXPR sets (and its VA file in both VA sets).
  fs::copy_file(root / "EXPR_Set/Train_Set/video3.txt",
                root / "EXPR_Set/Validation_Set/video3.txt");

  REQUIRE_THROWS_WITH(ds::open_dataset(o),
                      Catch::Contains("video3.txt") && Catch::Contains("image in both splits"));
  o.read.bad_rows = ds::BadRowPolicy::kSkip;
  const ds::Dataset data = ds::open_dataset(o);
  const ds::RowError* size = first_of(data.index.train.report, ds::defect::kSize);
  REQUIRE(size != nullptr);
  CHECK(size->file == odd.string());
  CHECK_THAT(size->message, Catch::Contains("frame is 80x64") && Catch::Contains("are 112x112"));
  CHECK(count_by_defect(data.index.train.report).at(ds::defect::kSize) == 1);
  const ds::RowError* both = first_of(data.index.val.report, ds::defect::kInBothSplits);
  REQUIRE(both != nullptr);
  CHECK(both->file == (root / "EXPR_Set/Validation_Set/video3.txt").string());
  for (const auto& s : data.index.val.samples) CHECK(s.image.rfind("video3/", 0) != 0);
}

TEST_CASE("every class in both splits of the synthetic sets, however small", "[datasets]") {
  for (const char* name : {"synth-affectnet", "synth-affwild2"}) {
    ds::DatasetOptions o;
    o.name = name;
    o.cache_root = (fer::testing::temp_dir(std::string("coverage_") + name)).string();
    o.synthetic.train_per_class = 1;
    o.synthetic.val_per_class = 1;
    o.embedding_dim = 8;
    const ds::Dataset d = ds::open_dataset(o);  // Throws if a class were absent.
    INFO(name);
    CHECK(d.index.train.report.errors.empty());
    CHECK(d.index.val.report.errors.empty());
  }
}

TEST_CASE("the loader's reference mode renders the reference chain, its fast mode the single warp",
          "[datasets]") {
  ds::DatasetOptions o;
  o.name = "synth-affectnet";
  o.cache_root = fer::testing::temp_dir("loader_modes").string();
  o.synthetic.train_per_class = 1;
  o.synthetic.val_per_class = 1;
  o.embedding_dim = 8;
  const ds::Dataset d = ds::open_dataset(o);
  ds::LoaderOptions lo;
  lo.batch_size = 2;
  lo.workers = 0;
  lo.shuffle = false;
  lo.transform.output_size = 48;
  lo.transform.augment = true;
  lo.seed = 5;
  const ds::Sample& s = d.index.train.samples.at(0);
  const cv::Mat bgr = imaging::read_image(d.index.image_root + "/" + s.image);
  const ds::Augmentation aug = ds::draw_augmentation(lo.transform, ds::sample_seed(5, 0, 0));
  std::vector<float> reference(3 * 48 * 48), fast(3 * 48 * 48);
  ds::render_reference(bgr, s, lo.transform, aug, reference.data());
  ds::render_sample(bgr, s, lo.transform, aug, fast.data());
  for (const bool exact : {true, false}) {
    lo.reference_preprocess = exact;
    ds::BatchLoader loader(d.index.train.samples, d.index.image_root, lo);
    loader.start_epoch(0);
    const at::Tensor first = loader.next()->images[0].contiguous();
    const std::vector<float>& want = exact ? reference : fast;
    INFO((exact ? "reference" : "fast"));
    CHECK(std::equal(want.begin(), want.end(), first.data_ptr<float>()));
  }
  CHECK_FALSE(std::equal(reference.begin(), reference.end(), fast.begin()));
}
