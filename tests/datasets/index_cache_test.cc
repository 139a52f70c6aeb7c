// The parsed-index cache (datasets/index_cache.h): what comes back from SQLite is exactly what
// was parsed, a changed annotation file or a corrupt cache is a miss, and a cache that cannot
// be written never stops a run.
#include "datasets/index_cache.h"

#include <boost/filesystem.hpp>
#include <cstring>
#include <fstream>
#include <string>

#include "core/sqlite.h"
#include "datasets/dataset.h"
#include "tests/catch.h"
#include "tests/temp_dir.h"

namespace ds = fer::datasets;
namespace fs = boost::filesystem;

namespace {

// Bitwise equality, so that NaN equals NaN and -0 differs from 0.
template <typename T>
bool same_bits(T a, T b) {
  return std::memcmp(&a, &b, sizeof(T)) == 0;
}

template <typename T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!same_bits(a[i], b[i])) return false;
  }
  return true;
}

void check_same_split(const ds::Split& a, const ds::Split& b) {
  REQUIRE(a.samples.size() == b.samples.size());
  for (size_t i = 0; i < a.samples.size(); ++i) {
    const ds::Sample &x = a.samples[i], &y = b.samples[i];
    INFO("sample " << i << " " << x.image);
    CHECK(x.image == y.image);
    CHECK(x.expression == y.expression);
    CHECK(x.has_geometry == y.has_geometry);
    CHECK(same_bits(std::vector<float>{x.valence, x.arousal, x.box_x, x.box_y, x.box_w, x.box_h,
                                       x.left_eye.x, x.left_eye.y, x.right_eye.x, x.right_eye.y},
                    std::vector<float>{y.valence, y.arousal, y.box_x, y.box_y, y.box_w, y.box_h,
                                       y.left_eye.x, y.left_eye.y, y.right_eye.x, y.right_eye.y}));
  }
  CHECK(a.report.split == b.report.split);
  CHECK(a.report.rows_read == b.report.rows_read);
  CHECK(a.report.kept == b.report.kept);
  CHECK(a.report.dropped_by_code == b.report.dropped_by_code);
  REQUIRE(a.report.errors.size() == b.report.errors.size());
  for (size_t i = 0; i < a.report.errors.size(); ++i) {
    const auto &x = a.report.errors[i], &y = b.report.errors[i];
    CHECK((x.file == y.file && x.line == y.line && x.field == y.field && x.message == y.message));
  }
}

void check_same(const ds::Dataset& a, const ds::Dataset& b) {
  CHECK(a.index.image_root == b.index.image_root);
  CHECK(a.index.layout == b.index.layout);
  CHECK(a.index.class_names == b.index.class_names);
  CHECK(a.index.digest == b.index.digest);
  check_same_split(a.index.train, b.index.train);
  check_same_split(a.index.val, b.index.val);
  CHECK(same_bits(a.correlation, b.correlation));
  CHECK(a.train_class_counts == b.train_class_counts);
  CHECK(a.node_words == b.node_words);
  CHECK(same_bits(a.node_embeddings, b.node_embeddings));
  CHECK(a.embedding_dim == b.embedding_dim);
  CHECK(a.embedding_source == b.embedding_source);
}

// A copy of the AffectNet fixture whose training CSV has malformed rows (skipped and listed).
ds::DatasetOptions bad_rows_copy(const std::string& name) {
  const fs::path root = fer::testing::temp_dir(name) / "affectnet";
  fs::create_directories(root);
  fs::copy_file("tests/testdata/affectnet/validation.csv", root / "validation.csv");
  fs::copy_file("tests/testdata/affectnet/bad_training.csv", root / "training.csv");
  fs::create_directory_symlink(fs::absolute("tests/testdata/affectnet/Manually_Annotated_Images"),
                               root / "Manually_Annotated_Images");
  ds::DatasetOptions o;
  o.name = "affectnet";
  o.root = root.string();
  o.cache_root = (root.parent_path() / "cache").string();
  o.read.bad_rows = ds::BadRowPolicy::kSkip;
  o.embedding_dim = 50;
  return o;
}

}  // namespace

TEST_CASE("the index cache returns exactly what was parsed, errors and NaNs included",
          "[datasets]") {
  const ds::DatasetOptions o = bad_rows_copy("index_cache_roundtrip");
  ds::DatasetOptions uncached = o;
  uncached.use_cache = false;
  const ds::Dataset parsed = ds::open_dataset(uncached);
  REQUIRE_FALSE(parsed.index.train.report.errors.empty());
  const ds::Dataset first = ds::open_dataset(o), second = ds::open_dataset(o);
  CHECK_FALSE(first.from_cache);
  CHECK(second.from_cache);
  CHECK(second.cache_error.empty());
  check_same(parsed, second);
  CHECK(fs::exists(ds::index_cache_path(o.cache_root)));
}

TEST_CASE("a changed annotation file or a corrupt cache is a miss, and is rebuilt", "[datasets]") {
  const ds::DatasetOptions o = bad_rows_copy("index_cache_miss");
  const ds::Dataset first = ds::open_dataset(o);
  {
    std::ofstream(o.root + "/validation.csv", std::ios::app) << "\n";  // New size and time.
  }
  const ds::Dataset changed = ds::open_dataset(o);
  CHECK_FALSE(changed.from_cache);
  {
    fer::Database db(ds::index_cache_path(o.cache_root));
    CHECK(fer::as_int(db.query("SELECT COUNT(*) FROM entries")[0][0]) ==
          1);  // The stale entry went.
  }
  CHECK(ds::open_dataset(o).from_cache);

  for (const char* suffix : {"", "-wal", "-shm"})
    fs::remove(ds::index_cache_path(o.cache_root) + suffix);
  std::ofstream(ds::index_cache_path(o.cache_root), std::ios::binary) << std::string(4096, 'x');
  const ds::Dataset after_corruption = ds::open_dataset(o);
  CHECK_FALSE(after_corruption.from_cache);
  CHECK(after_corruption.cache_error.empty());
  const ds::Dataset rebuilt = ds::open_dataset(o);
  CHECK(rebuilt.from_cache);
  check_same(changed, rebuilt);
}

TEST_CASE("a cache that cannot be written is reported, and the dataset still opens", "[datasets]") {
  ds::DatasetOptions o = bad_rows_copy("index_cache_unwritable");
  fs::create_directories(o.cache_root);
  std::ofstream((fs::path(o.cache_root) / "index").string())
      << "a file where the cache folder belongs";
  const ds::Dataset d = ds::open_dataset(o);
  CHECK_FALSE(d.from_cache);
  CHECK_FALSE(d.cache_error.empty());
  CHECK(d.index.train.samples.size() > 0);
}
