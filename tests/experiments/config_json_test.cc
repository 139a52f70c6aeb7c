// Configuration JSON through nlohmann/json, and the result store's migration from schema 2
// (hand-written JSON, per_class_accuracy) to 3: old databases stay readable and their runs
// keep matching the same configurations written now.
#include <string>
#include <utility>
#include <vector>

#include "core/hash.h"
#include "core/json.h"
#include "experiments/config.h"
#include "reports/store.h"
#include "reports/summary.h"
#include "tests/catch.h"
#include "tests/temp_dir.h"
#include "tests/tiny_config.h"

namespace ex = fer::experiments;
namespace rp = fer::reports;

namespace {

ex::RunConfig resolved(std::vector<const char*> args) {
  return fer::testing::parse_resolved(std::move(args));
}

// The text the hand-written writer of schema 2 produced: ", " and ": " between items, and
// std::to_chars' shortest spelling of numbers (1e-04 rather than 0.0001).
std::string old_spelling(const std::string& compact) {
  std::string out;
  bool in_string = false;
  for (size_t i = 0; i < compact.size(); ++i) {
    const char ch = compact[i];
    out += ch;
    if (ch == '"' && (i == 0 || compact[i - 1] != '\\')) in_string = !in_string;
    if (!in_string && (ch == ',' || ch == ':')) out += ' ';
  }
  const std::string from = "0.0001", to = "1e-04";
  for (auto at = out.find(from); at != std::string::npos; at = out.find(from, at + to.size()))
    out.replace(at, from.size(), to);
  return out;
}

}  // namespace

TEST_CASE("config JSON is canonical: integral numbers as integers, round-trip doubles",
          "[runner]") {
  const ex::RunConfig c = resolved({"--lr", "0.005", "--lambda", "1", "--weight_decay", "0.0001"});
  const nlohmann::json j = nlohmann::json::parse(ex::to_json(c));
  CHECK(j.at("lr").get<double>() == 0.005);
  CHECK(j.at("lambda").is_number_integer());
  CHECK(ex::to_json(c).find("\"weight_decay\":0.0001") != std::string::npos);
  CHECK(fer::canonical_json(old_spelling(ex::to_json(c)), "test", "", "") == ex::to_json(c));
  CHECK(ex::config_hash(c) == rp::config_hash_of_json(old_spelling(ex::to_json(c))));
  REQUIRE_THROWS_WITH(rp::config_hash_of_json("{\"lr\": "),
                      Catch::Contains("config_json") && Catch::Contains("malformed JSON"));
}

TEST_CASE("a schema-2 result store migrates: per-class recall, config hashes, one configuration",
          "[runner]") {
  const auto dir = fer::testing::temp_dir("store_migration");
  const std::string path = (dir / "old.db").string();
  ex::RunConfig c = resolved({"--weight_decay", "0.0001", "--seed", "1"});
  c.db = path;
  {
    // A store as schema 2 left it: the old column name, no label correlation column (schema 4),
    // and an old run with old-spelled JSON.
    rp::ResultStore store(path);
    rp::RunRecord run{c.run_name,
                      old_spelling(ex::to_json(c)),
                      "0123456789abcdef",
                      "code-a",
                      1,
                      c.dataset,
                      c.backbone,
                      c.model,
                      c.schedule,
                      c.device,
                      c.precision};
    const int64_t id =
        store.begin_run(run, {{"host", "old"}}, {c.dataset, "/x", "d", "[\"a\",\"b\"]", "", 1, 1});
    store.db().exec(
        "ALTER TABLE final_metrics RENAME COLUMN per_class_recall TO per_class_accuracy; "
        "ALTER TABLE datasets DROP COLUMN label_correlation; PRAGMA user_version = 2");
    store.db().query(
        "INSERT INTO final_metrics (run_id, best_epoch, accuracy, macro_f1, per_class_accuracy, "
        "confusion) "
        "VALUES (?1, 0, 0.5, 0.4, '[0.75,0.25]', '[3,1,1,3]')",
        {id});
    store.db().query("UPDATE runs SET status = 'finished' WHERE id = ?1", {id});
  }
  rp::ResultStore store(path);
  CHECK(store.schema_version() == rp::kSchemaVersion);
  CHECK(fer::as_string(store.db().query("SELECT config_hash FROM runs")[0][0]) ==
        ex::config_hash(c));
  CHECK(fer::as_string(store.db().query("SELECT per_class_recall FROM final_metrics")[0][0]) ==
        "[0.75,0.25]");
  CHECK(store.find_finished(ex::config_hash(c), "code-a").has_value());
  CHECK(store.db().query("SELECT label_correlation IS NULL FROM datasets")[0][0] ==
        fer::Value(int64_t{1}));

  // A run of the same configuration written now (another seed) shares the old run's row.
  ex::RunConfig seed2 = c;
  seed2.seed = 2;
  rp::RunRecord run{"new",
                    ex::to_json(seed2),
                    ex::config_hash(seed2),
                    "code-b",
                    2,
                    c.dataset,
                    c.backbone,
                    c.model,
                    c.schedule,
                    c.device,
                    c.precision};
  const int64_t id =
      store.begin_run(run, {{"host", "new"}}, {c.dataset, "/x", "d", "[\"a\",\"b\"]", "", 1, 1});
  fer::metrics::FinalRecord f;
  f.val.accuracy = 0.7;
  f.per_class_recall = {1, 0.5};
  f.confusion = {4, 0, 2, 2};
  store.finish_run(id, f);
  const auto summaries = rp::summarize(store.db());
  REQUIRE(summaries.size() == 1);
  CHECK(summaries[0].run_ids.size() == 2);
  CHECK(summaries[0].config.at("weight_decay") == "0.0001");
}

TEST_CASE("the paper schedule preprocesses as the reference; the mode is part of the stored config",
          "[runner]") {
  ex::RunConfig c;
  c.dataset = "synth-affectnet";
  c.db = "unused.db";
  c.schedule = "paper";
  const ex::RunConfig paper = ex::resolve(c);
  CHECK(paper.preprocess == "reference");
  CHECK(ex::to_json(paper).find("\"preprocess\":\"reference\"") != std::string::npos);
  c.schedule = "smoke";
  CHECK(ex::resolve(c).preprocess == "fast");
  c.preprocess = "reference";
  CHECK(ex::resolve(c).preprocess == "reference");
  c.color_jitter = 0.2;  // Not part of the reference's chain.
  REQUIRE_THROWS_WITH(ex::resolve(c),
                      Catch::Contains("color_jitter") && Catch::Contains("--preprocess fast"));
  c.preprocess = "nearest";
  REQUIRE_THROWS_WITH(ex::resolve(c), Catch::Contains("preprocess"));
  // Which mode ran changes the results, so it changes the config hash.
  ex::RunConfig fast = ex::resolve([] {
    ex::RunConfig x;
    x.dataset = "synth-affectnet";
    x.db = "unused.db";
    return x;
  }());
  ex::RunConfig reference = fast;
  reference.preprocess = "reference";
  CHECK(ex::config_hash(fast) != ex::config_hash(reference));
}
