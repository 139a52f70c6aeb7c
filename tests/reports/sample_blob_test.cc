// Per-sample validation outputs in the result store (issue #32): the BLOB round-trips bit for bit,
// its size is the documented one, a damaged BLOB is an error naming the field (never a crash or
// a huge allocation), the store keeps them with the final record, an older store migrates to
// having none, and merging stores copies them byte for byte.
#include "reports/sample_blob.h"

#include <boost/filesystem.hpp>
#include <cstring>
#include <sstream>
#include <string>

#include "core/error.h"
#include "core/sqlite.h"
#include "reports/merge.h"
#include "reports/store.h"
#include "tests/catch.h"
#include "tests/reports/run_fixture.h"
#include "tests/temp_dir.h"

namespace fs = boost::filesystem;
namespace rp = fer::reports;
using Catch::Matchers::Contains;
using fer::testing::add_run;
using fer::testing::temp_dir;

namespace {

fer::metrics::SampleRecord record(int n, bool va) {
  fer::metrics::SampleRecord r;
  r.num_classes = 7;
  for (int i = 0; i < n; ++i) {
    r.index.push_back(2 * i);
    r.truth.push_back(i % 7);
    r.predicted.push_back((i * 3) % 7);
    for (int k = 0; k < 7; ++k) r.probabilities.push_back(static_cast<float>(k + 1) / 28.0f);
    if (va) {
      r.va_pred.insert(r.va_pred.end(), {0.1f * (i % 9) - 0.4f, -1.0f / 3});
      r.va_true.insert(r.va_true.end(), {0.25f, static_cast<float>(i) / n});
    }
  }
  return r;
}

bool same(const fer::metrics::SampleRecord& a, const fer::metrics::SampleRecord& b) {
  return a.num_classes == b.num_classes && a.index == b.index && a.truth == b.truth &&
         a.predicted == b.predicted && a.probabilities == b.probabilities &&
         a.va_pred == b.va_pred && a.va_true == b.va_true;
}

std::string field_of(const std::string& bytes) {
  try {
    rp::decode_samples(bytes, "x.db run 1");
  } catch (const fer::Error& e) {
    return e.field() + ": " + e.what();
  }
  return "accepted";
}

}  // namespace

TEST_CASE("per-sample outputs round-trip in the documented size", "[reports]") {
  for (const bool va : {true, false}) {
    const auto r = record(3999, va);
    const std::string blob = rp::encode_samples(r);
    CHECK(blob.size() == 20 + 3999 * rp::sample_blob_bytes_per_sample(7, va));
    CHECK(rp::sample_blob_bytes_per_sample(7, va) == (va ? 50u : 34u));
    CHECK(same(rp::decode_samples(blob, "x"), r));
  }
  CHECK(same(rp::decode_samples(rp::encode_samples(record(0, false)), "x"), record(0, false)));
}

TEST_CASE("a damaged per-sample BLOB is an error naming the field", "[reports]") {
  const std::string blob = rp::encode_samples(record(10, true));
  CHECK_THAT(field_of(blob.substr(0, blob.size() - 1)), Contains("truncated"));
  CHECK_THAT(field_of(blob + "x"), Contains("trailing bytes"));
  CHECK_THAT(field_of("JUNK" + blob.substr(4)), Contains("magic"));
  CHECK_THAT(field_of(""), Contains("magic: ") && Contains("truncated"));
  std::string layout = blob;
  layout[4] = 2;
  CHECK_THAT(field_of(layout), Contains("layout: ") && Contains("x.db run 1"));
  std::string huge = blob;  // A count of 4 billion rows in a short BLOB: refused, not allocated.
  std::memset(&huge[8], 0xff, 4);
  CHECK_THAT(field_of(huge), Contains("count: ") && Contains("truncated"));
  std::string bad_class = blob;
  bad_class[20 + 10 * 4] = 9;  // The first truth.
  CHECK_THAT(field_of(bad_class), Contains("sample 0: class outside"));
  auto inconsistent = record(4, true);
  inconsistent.va_true.pop_back();
  CHECK_THROWS_WITH(rp::encode_samples(inconsistent), Contains("inconsistent sizes"));
}

TEST_CASE("the store keeps a run's per-sample outputs; older runs have none", "[reports]") {
  const fs::path dir = temp_dir("sample_blob_store");
  const std::string path = (dir / "r.db").string();
  int64_t with = 0, without = 0;
  {
    rp::ResultStore store(path);
    without = add_run(store, "affectnet", "densenet", "multi_task", 0, 0.5);
    with = add_run(store, "affectnet", "densenet", "multi_task", 1, 0.6);
    fer::metrics::FinalRecord f;
    f.val.accuracy = 0.6;
    f.samples = record(50, true);
    store.finish_run(with, f);
    CHECK(same(*store.samples_of(with), record(50, true)));
    CHECK_FALSE(store.samples_of(without).has_value());
  }
  // A store of schema 5 (no run_samples table) migrates to one where no run has outputs.
  {
    fer::Database db(path);
    db.exec("DROP TABLE run_samples; PRAGMA user_version = 5");
  }
  rp::ResultStore old(path);
  CHECK(old.schema_version() == rp::kSchemaVersion);
  CHECK_FALSE(old.samples_of(with).has_value());
}

TEST_CASE("merging stores copies per-sample outputs byte for byte", "[reports]") {
  const fs::path dir = temp_dir("sample_blob_merge");
  const std::string a = (dir / "a.db").string(), out = (dir / "out.db").string();
  {
    rp::ResultStore store(a);
    const int64_t id = add_run(store, "affectnet", "densenet", "emotion_gcn", 0, 0.6);
    fer::metrics::FinalRecord f;
    f.samples = record(20, true);
    store.finish_run(id, f);
  }
  rp::MergeOptions o;
  o.inputs = {a};
  o.out = out;
  std::ostringstream log;
  rp::merge_stores(o, log);
  rp::ResultStore merged(out);
  const auto ids = merged.db().query("SELECT id FROM runs");
  REQUIRE(ids.size() == 1);
  const auto samples = merged.samples_of(fer::as_int(ids[0][0]));
  REQUIRE(samples.has_value());
  CHECK(same(*samples, record(20, true)));
  CHECK(fer::as_string(merged.db().query("SELECT typeof(data) FROM run_samples")[0][0]) == "blob");
}
