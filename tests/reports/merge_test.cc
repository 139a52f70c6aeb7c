// //reports:merge (issue #11): result stores from several machines union into one. Run ids are
// remapped with every child row, provenance and checkpoint paths survive, duplicates are found
// by config hash + seed + code version, inputs are never modified (older schemas included), and
// a failed merge writes nothing.
#include "reports/merge.h"

#include <boost/filesystem.hpp>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "core/error.h"
#include "reports/store.h"
#include "reports/summary.h"
#include "tests/catch.h"
#include "tests/temp_dir.h"

namespace fs = boost::filesystem;
namespace rp = fer::reports;
using fer::as_int;
using fer::as_string;

namespace {

// A run as the runner stores it; finished runs get two epochs, final metrics and a checkpoint.
int64_t add_run(rp::ResultStore& store, const std::string& backbone, int seed,
                const std::string& status, const std::string& code = "code-1",
                const std::string& host = "host-a") {
  const std::string config =
      "{\"backbone\": \"" + backbone + "\", \"seed\": " + std::to_string(seed) + "}";
  rp::RunRecord run{backbone + std::to_string(seed),
                    config,
                    rp::config_hash_of_json(config),
                    code,
                    seed,
                    "synth-affectnet",
                    backbone,
                    "emotion_gcn",
                    "smoke",
                    "cpu",
                    "fp32"};
  const int64_t id = store.begin_run(run, {{"host", host}},
                                     {"synth-affectnet", "/data", "digest", "[\"A\"]", "", 10, 4});
  for (int e = 0; e < 2; ++e) {
    fer::metrics::EpochRecord rec;
    rec.epoch = e;
    rec.val.accuracy = 0.3 + 0.1 * e + 0.01 * seed;
    store.record_epoch(id, rec);
  }
  if (status == "finished") {
    fer::metrics::FinalRecord f;
    f.best_epoch = 1;
    f.val.accuracy = 0.4 + 0.01 * seed;
    f.val.has_va = true;
    f.val.ccc_valence = 0.5;
    f.confusion = {1};
    f.per_class_recall = {1.0};
    f.checkpoint_path = "/ckpt/" + host + "/" + backbone + std::to_string(seed) + ".pth";
    store.finish_run(id, f);
  } else {
    store.mark_run(id, status, "stopped");
  }
  return id;
}

std::string bytes_of(const fs::path& p) {
  std::ifstream in(p.string(), std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

int64_t count(rp::ResultStore& store, const std::string& table) {
  return as_int(store.db().query("SELECT count(*) FROM " + table).at(0).at(0));
}

}  // namespace

TEST_CASE("merge unions stores: ids remapped, rows and paths kept, duplicates skipped, idempotent",
          "[reports]") {
  const fs::path dir = fer::testing::temp_dir("merge_union");
  const std::string a = (dir / "a.db").string(), b = (dir / "b.db").string(),
                    out = (dir / "all.db").string();
  {
    rp::ResultStore sa(a);
    add_run(sa, "densenet", 0, "finished");
    add_run(sa, "densenet", 1, "failed");
    add_run(sa, "densenet", 1, "finished");
    sa.record_benchmarks({"bench-a", "code-1", "cpu", "BM_.*", 90.0}, {{"host", "host-a"}},
                         {{"BM_X", 0, 10.0, 1.0, 5, 0, ""}, {"BM_X", 1, 11.0, 1.0, 5, 0, ""}});
  }
  {
    rp::ResultStore sb(b);
    add_run(sb, "bregnext", 0, "finished", "code-1", "host-b");
    add_run(sb, "densenet", 0, "finished", "code-1", "host-b");  // Duplicates a.db's run 1.
    add_run(sb, "densenet", 0, "finished", "code-2", "host-b");  // Another code version: kept.
  }
  const std::string a_before = bytes_of(a);
  std::ostringstream log;
  const auto s = rp::merge_stores({out, {a, b}, false}, log);
  CHECK(s.runs_added == 5);
  CHECK(s.runs_duplicate == 1);
  CHECK(s.sessions_added == 1);
  CHECK_THAT(log.str(),
             Catch::Matchers::Contains(b + " run 2") && Catch::Matchers::Contains(out + " run 1"));
  CHECK(bytes_of(a) == a_before);

  rp::ResultStore merged(out);
  const auto runs =
      merged.db().query("SELECT id, backbone, seed, status, code_version FROM runs ORDER BY id");
  REQUIRE(runs.size() == 5);
  for (size_t i = 0; i < runs.size(); ++i) CHECK(as_int(runs[i][0]) == static_cast<int64_t>(i + 1));
  CHECK(as_string(runs[3][1]) == "bregnext");  // b.db's run 1 became run 4.
  CHECK(as_string(runs[4][4]) == "code-2");
  // Child rows follow their run.
  CHECK(count(merged, "epochs") == 10);
  CHECK(count(merged, "datasets") == 5);
  CHECK(count(merged, "final_metrics") == 4);
  const auto b_run = merged.db().query(
      "SELECT p.value, f.checkpoint_path FROM provenance p JOIN final_metrics f ON f.run_id = "
      "p.run_id "
      "WHERE p.run_id = 4 AND p.key = 'host'");
  REQUIRE(b_run.size() == 1);
  CHECK(as_string(b_run[0][0]) == "host-b");
  CHECK(as_string(b_run[0][1]) == "/ckpt/host-b/bregnext0.pth");
  const auto origin =
      merged.db().query("SELECT value FROM provenance WHERE run_id = 4 AND key = 'merged_from'");
  REQUIRE(origin.size() == 1);
  CHECK(as_string(origin[0][0]) == fs::absolute(b).string() + " run 1");
  CHECK(count(merged, "bench_results") == 2);
  // One report over the merged store sees both machines' runs of a configuration.
  const auto summaries = rp::summarize(merged.db());
  CHECK(summaries.size() >= 2);

  // Merging the same stores again adds nothing, the failed run included.
  std::ostringstream again_log;
  const auto again = rp::merge_stores({out + ".2", {out, a, b}, false}, again_log);
  CHECK(again.runs_added == 5);
  CHECK(again.runs_duplicate == 6);
  CHECK(again.sessions_added == 1);
  CHECK(again.sessions_duplicate == 1);
}

TEST_CASE("a strict merge with a duplicate, or a bad input, writes nothing and names the file",
          "[reports]") {
  const fs::path dir = fer::testing::temp_dir("merge_errors");
  const std::string a = (dir / "a.db").string(), out = (dir / "all.db").string();
  {
    rp::ResultStore sa(a);
    add_run(sa, "densenet", 0, "finished");
  }
  std::ostringstream log;
  REQUIRE(rp::merge_stores({out, {a}, false}, log).runs_added == 1);
  const std::string out_before = bytes_of(out);
  {
    rp::ResultStore more((dir / "more.db").string());
    add_run(more, "bregnext", 0, "finished");
    add_run(more, "densenet", 0, "finished");  // Duplicates out's run 1.
  }
  REQUIRE_THROWS_WITH(rp::merge_stores({out, {(dir / "more.db").string()}, true}, log),
                      Catch::Matchers::Contains("duplicates " + out + " run 1") &&
                          Catch::Matchers::Contains("--strict"));
  {
    rp::ResultStore check(out);
    CHECK(count(check, "runs") == 1);  // The first, non-duplicate run was rolled back too.
  }

  const std::string text = (dir / "notes.txt").string(), empty = (dir / "empty.db").string();
  std::ofstream(text)
      << "not a database, but long enough to have a header of its own..........................\n";
  { fer::Database create(empty); }
  const std::string fresh = (dir / "fresh.db").string();
  struct Bad {
    std::vector<std::string> inputs;
    std::string message;
  };
  for (const Bad& bad : {Bad{{a, (dir / "missing.db").string()}, "missing.db: file not found"},
                         Bad{{text}, "notes.txt"}, Bad{{empty}, "not a result store"},
                         Bad{{a, fresh + "x"}, "file not found"}}) {
    INFO(bad.message);
    REQUIRE_THROWS_WITH(rp::merge_stores({fresh, bad.inputs, false}, log),
                        Catch::Matchers::Contains(bad.message));
    CHECK_FALSE(fs::exists(fresh));  // A failed merge leaves no new output behind.
  }
  REQUIRE_THROWS_WITH(rp::merge_stores({out, {a, out}, false}, log),
                      Catch::Matchers::Contains("is the output"));
  {
    rp::ResultStore newer((dir / "newer.db").string());
    newer.db().exec("PRAGMA user_version = 99");
  }
  REQUIRE_THROWS_WITH(rp::merge_stores({fresh, {(dir / "newer.db").string()}, false}, log),
                      Catch::Matchers::Contains("newer than this program"));
}

TEST_CASE("an input with an older schema merges through a migrated copy and stays as it was",
          "[reports]") {
  const fs::path dir = fer::testing::temp_dir("merge_old_schema");
  const std::string old = (dir / "old.db").string(), out = (dir / "all.db").string();
  {
    rp::ResultStore store(old);
    add_run(store, "densenet", 0, "finished");
    store.db().exec("ALTER TABLE datasets DROP COLUMN label_correlation; PRAGMA user_version = 3");
    store.db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  const std::string before = bytes_of(old);
  std::ostringstream log;
  CHECK(rp::merge_stores({out, {old}, false}, log).runs_added == 1);
  CHECK(bytes_of(old) == before);
  fer::Database check = fer::Database::open_read_only(old);
  CHECK(as_int(check.query("PRAGMA user_version")[0][0]) == 3);
  rp::ResultStore merged(out);
  CHECK(merged.db().query("SELECT label_correlation IS NULL FROM datasets")[0][0] ==
        fer::Value(int64_t{1}));
}
