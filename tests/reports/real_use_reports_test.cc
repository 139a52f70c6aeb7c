// Issue #28, what a user reads and what a user feeds in: a metric that was not finite is shown
// and fails the gate instead of vanishing from the mean; an Emotion-GCN row without GloVe gets
// no delta against the paper; render and check read a store without writing it; an absurd face
// box is a row error, not a huge allocation; Ctrl-C stops the image check.
#include <boost/filesystem.hpp>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include "core/error.h"
#include "datasets/affectnet.h"
#include "datasets/image_check.h"
#include "datasets/loader.h"
#include "reports/gate.h"
#include "reports/render.h"
#include "reports/store.h"
#include "reports/summary.h"
#include "tests/catch.h"
#include "tests/temp_dir.h"

namespace ds = fer::datasets;
namespace fs = boost::filesystem;
namespace rp = fer::reports;
using fer::testing::temp_dir;

namespace {

int64_t add_run(rp::ResultStore& store, const std::string& model, int seed, double ccc,
                const std::string& glove) {
  const std::string config = "{\"glove\": \"" + glove + "\", \"run_name\": \"r" +
                             std::to_string(seed) + "\", \"seed\": " + std::to_string(seed) + "}";
  rp::RunRecord run{"r",        config, model + config, "code", seed,  "affectnet",
                    "densenet", model,  "paper",        "cpu",  "fp32"};
  const int64_t id =
      store.begin_run(run, {{"host", "h"}}, {"affectnet", "/x", "d", "[\"A\", \"B\"]", "", 10, 4});
  fer::metrics::FinalRecord f;
  f.val.accuracy = 0.6;
  f.val.macro_f1 = 0.55;
  f.val.has_va = true;
  f.val.ccc_valence = ccc;
  f.val.ccc_arousal = 0.3;
  f.confusion = {3, 1, 0, 4};
  f.per_class_recall = {0.75, 1.0};
  store.finish_run(id, f);
  return id;
}

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("a metric that was not finite is shown and fails the gate, not dropped from the mean",
          "[real_use]") {
  rp::ResultStore store((temp_dir("real_use_nan") / "r.db").string());
  add_run(store, "multi_task", 0, 0.5, "/g.txt");
  add_run(store, "multi_task", 1, std::nan(""), "/g.txt");  // Stored as NULL by SQLite.
  const auto summaries = rp::summarize(store.db());
  REQUIRE(summaries.size() == 1);
  const rp::Stat& ccc = summaries[0].metrics.at("ccc_valence");
  CHECK(ccc.n == 2);
  CHECK(ccc.diverged == 1);
  CHECK(std::isnan(ccc.mean));
  CHECK(summaries[0].metrics.at("ccc_arousal").diverged == 0);
  const std::string table = rp::render_paper_table(summaries, {}, "affectnet");
  CHECK(table.find("NaN in 1 of 2 seeds") != std::string::npos);
  rp::BaselineEntry b;
  b.dataset = "affectnet";
  b.backbone = "densenet";
  b.model = "multi_task";
  b.schedule = "paper";
  b.metric = "ccc_valence";
  b.value = 0.5;
  b.tolerance = 0.1;
  b.seeds = 2;
  CHECK(rp::check_against_baseline(summaries, {b}, {}).exit_code == 1);
}

TEST_CASE("an Emotion-GCN row trained without GloVe gets no delta against the paper",
          "[real_use]") {
  rp::ResultStore store((temp_dir("real_use_glove") / "r.db").string());
  add_run(store, "emotion_gcn", 0, 0.5, "");
  rp::PaperValue published;
  published.dataset = "affectnet";
  published.backbone = "densenet";
  published.model = "emotion_gcn";
  published.metric = "accuracy";
  published.value = 0.6646;
  published.paper = "Antoniadis et al., FG 2021";
  published.source = "paper";
  const std::vector<rp::PaperValue> paper = {published};
  const std::string table = rp::render_paper_table(rp::summarize(store.db()), paper, "affectnet");
  CHECK(table.find("Emotion-GCN †") != std::string::npos);
  CHECK(table.find("Δ") == std::string::npos);
  CHECK(table.find("fallback vectors") != std::string::npos);
  add_run(store, "emotion_gcn", 0, 0.5, "/glove.840B.300d.txt");
  CHECK(rp::render_paper_table(rp::summarize(store.db()), paper, "affectnet").find("Δ") !=
        std::string::npos);
}

TEST_CASE("reading a store never writes it, an old schema included", "[real_use]") {
  const fs::path dir = temp_dir("real_use_read_only");
  const std::string db = (dir / "r.db").string();
  {
    rp::ResultStore store(db);
    add_run(store, "multi_task", 0, 0.5, "/g.txt");
    // As a store of schema 4 (before the store id) left it.
    store.db().exec(
        "DROP TABLE store_info; PRAGMA user_version = 4; PRAGMA wal_checkpoint(TRUNCATE);");
  }
  const std::string before = bytes_of(db);
  {
    rp::ResultStore store = rp::ResultStore::open_read_only(db);
    CHECK(rp::summarize(store.db()).size() == 1);
    CHECK(store.schema_version() == rp::kSchemaVersion);  // Migrated in memory.
  }
  CHECK(bytes_of(db) == before);
  CHECK(fer::as_int(fer::Database::open_read_only(db).query("PRAGMA user_version").at(0).at(0)) ==
        4);
  REQUIRE_THROWS_WITH(rp::ResultStore::open_read_only((dir / "none.db").string()),
                      Catch::Contains("none.db"));
}

TEST_CASE("face boxes and landmarks beyond any image's size are row errors naming the field",
          "[real_use]") {
  const fs::path dir = temp_dir("real_use_box");
  std::ifstream in("tests/testdata/affectnet/training.csv");
  std::string header, row;
  std::getline(in, header);
  std::getline(in, row);
  // Column 4 is face_width: a 20-digit value, as a held-out case has it.
  std::vector<std::string> fields;
  std::stringstream split(row);
  for (std::string f; std::getline(split, f, ',');) fields.push_back(f);
  fields[3] = "10000000000000000000";
  std::string changed;
  for (size_t i = 0; i < fields.size(); ++i) changed += (i ? "," : "") + fields[i];
  std::ofstream((dir / "t.csv").string()) << header << "\n" << changed << "\n";
  REQUIRE_THROWS_WITH(
      ds::read_affectnet_csv((dir / "t.csv").string(),
                             "tests/testdata/affectnet/Manually_Annotated_Images", "train",
                             ds::ReadOptions()),
      Catch::Contains("t.csv:2") && Catch::Contains("face_width") && Catch::Contains("outside"));
}

TEST_CASE("a face box many times its image is found by the image check", "[real_use]") {
  ds::DatasetIndex index;
  index.image_root = "tests/testdata/affectnet/Manually_Annotated_Images";
  index.train = ds::read_affectnet_csv("tests/testdata/affectnet/training.csv", index.image_root,
                                       "train", ds::ReadOptions());
  REQUIRE(!index.train.samples.empty());
  index.train.samples.resize(1);
  index.train.samples[0].box_w = 100000;  // Passes the CSV's bound only in this test.
  ds::check_images(index, ds::ImageCheckOptions(), ds::BadRowPolicy::kSkip);
  REQUIRE(index.train.report.errors.size() == 1);
  CHECK(index.train.report.errors[0].field == "face_width");
  CHECK(index.train.report.errors[0].message.find("more than 4 times") != std::string::npos);
}

TEST_CASE("the image check stops when asked (Ctrl-C, SIGTERM)", "[real_use]") {
  ds::DatasetIndex index;
  index.image_root = "tests/testdata/affectnet/Manually_Annotated_Images";
  index.train = ds::read_affectnet_csv("tests/testdata/affectnet/training.csv", index.image_root,
                                       "train", ds::ReadOptions());
  ds::ImageCheckOptions o;
  o.threads = 2;
  o.cancelled = [] { return true; };
  REQUIRE_THROWS_AS(ds::check_images(index, o, ds::BadRowPolicy::kError), fer::Interrupted);
}

TEST_CASE(
    "with the image check off, the reference chain refuses an absurd face box, naming the file",
    "[real_use]") {
  const std::string root = "tests/testdata/affectnet/Manually_Annotated_Images";
  ds::Split split = ds::read_affectnet_csv("tests/testdata/affectnet/training.csv", root, "train",
                                           ds::ReadOptions());
  REQUIRE(!split.samples.empty());
  split.samples.resize(1);
  split.samples[0].box_w = split.samples[0].box_h = 100000;  // 30 GB of padding if cropped.
  ds::LoaderOptions o;
  o.batch_size = 1;
  o.workers = 1;
  o.reference_preprocess = true;
  o.transform.output_size = 32;
  ds::BatchLoader loader(split.samples, root, o);
  loader.start_epoch(0);
  REQUIRE_THROWS_WITH(loader.next(), Catch::Contains(split.samples[0].image) &&
                                         Catch::Contains("more than 4 times"));
}
