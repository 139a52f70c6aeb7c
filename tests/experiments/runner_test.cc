// The runner's runs: skip-by-hash and --force, resume-equals-uninterrupted (fp32 and bf16), the
// one-sample last batch, the real dataset formats, and concurrent writers of one database.
#include "experiments/runner.h"

#include <ATen/ATen.h>

#include <boost/filesystem.hpp>
#include <cmath>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "experiments/config.h"
#include "metrics/records.h"
#include "reports/sample_blob.h"
#include "reports/store.h"
#include "stats/outputs.h"
#include "tests/catch.h"
#include "tests/temp_dir.h"
#include "tests/tiny_config.h"

namespace fs = boost::filesystem;
namespace ex = fer::experiments;

namespace {

using fer::testing::temp_dir;

using fer::testing::tiny_config;

// Bit-for-bit equality of two finite values: a NaN on both sides is a failure, not a match.
bool identical(double a, double b) { return std::isfinite(a) && std::isfinite(b) && a == b; }
using fer::testing::same_weights;

}  // namespace

TEST_CASE("a finished config is skipped, and --force runs it again", "[runner]") {
  const fs::path dir = temp_dir("runner_skip");
  ex::RunConfig c = tiny_config(dir, "single_task");
  c.epochs = 1;
  std::ostringstream log;
  const auto first = ex::run_experiment(c, log);
  REQUIRE(first.status == "finished");
  const auto second = ex::run_experiment(c, log);
  CHECK(second.status == "skipped");
  CHECK(second.run_id == first.run_id);
  CHECK(log.str().find("already finished as run #" + std::to_string(first.run_id)) !=
        std::string::npos);
  c.force = true;
  const auto third = ex::run_experiment(c, log);
  CHECK(third.status == "finished");
  CHECK(third.run_id != first.run_id);
  fer::reports::ResultStore store(c.db);
  auto rows = store.db().query("SELECT COUNT(*) FROM runs WHERE status = 'finished'");
  CHECK(fer::as_int(rows[0][0]) == 2);
  CHECK(fs::exists(first.final_record.checkpoint_path));
}

TEST_CASE("an interrupted run resumes to the same result as an uninterrupted one", "[runner]") {
  std::ostringstream log;
  const fs::path straight_dir = temp_dir("runner_straight"),
                 resumed_dir = temp_dir("runner_resumed");
  const auto straight = ex::run_experiment(tiny_config(straight_dir), log);
  REQUIRE(straight.status == "finished");

  ex::RunConfig c = tiny_config(resumed_dir);
  c.interrupt_after_steps = GENERATE(2, 5);  // Mid-epoch 1, and mid-epoch 2 (4 steps per epoch).
  const auto interrupted = ex::run_experiment(c, log);
  REQUIRE(interrupted.status == "interrupted");
  fer::reports::ResultStore store(c.db);
  auto status = store.db().query("SELECT status FROM runs WHERE id = ?1", {interrupted.run_id});
  CHECK(fer::as_string(status[0][0]) == "interrupted");

  c.interrupt_after_steps = 0;
  c.resume = true;
  const auto resumed = ex::run_experiment(c, log);
  REQUIRE(resumed.status == "finished");
  CHECK(resumed.run_id == interrupted.run_id);
  const auto& a = straight.final_record;
  const auto& b = resumed.final_record;
  CHECK(a.best_epoch == b.best_epoch);
  CHECK(a.val.accuracy == b.val.accuracy);
  CHECK(a.val.macro_f1 == b.val.macro_f1);
  CHECK(a.confusion == b.confusion);
  // The same weights, bit for bit. (The validation loss of a DenseNet after a few steps can
  // overflow in eval mode, its BatchNorm statistics barely updated, so it is not compared: a
  // NaN on both sides would prove nothing.)
  CHECK(same_weights(a.checkpoint_path, b.checkpoint_path));
  auto epochs = [](const std::string& db) {
    fer::reports::ResultStore s(db);
    std::vector<double> out;
    for (const auto& row :
         s.db().query("SELECT train_loss, val_accuracy FROM epochs ORDER BY epoch")) {
      out.push_back(fer::as_double(row[0]));
      out.push_back(fer::as_double(row[1]));
    }
    return out;
  };
  const auto expected = epochs(tiny_config(straight_dir).db), actual = epochs(c.db);
  REQUIRE(expected.size() == actual.size());
  for (size_t i = 0; i < expected.size(); ++i) CHECK(identical(expected[i], actual[i]));
  // The best epoch's per-sample outputs are stored, the same bit for bit, and give the stored
  // metrics again (issue #32).
  fer::reports::ResultStore straight_store(tiny_config(straight_dir).db);
  const auto kept = straight_store.samples_of(straight.run_id),
             resumed_kept = store.samples_of(resumed.run_id);
  REQUIRE(kept.has_value());
  REQUIRE(resumed_kept.has_value());
  CHECK(fer::reports::encode_samples(*kept) == fer::reports::encode_samples(*resumed_kept));
  const fer::stats::SampleOutputs outputs = fer::stats::from_record(*kept);
  CHECK(kept->size() == static_cast<size_t>(outputs.size()));
  CHECK(fer::stats::metric_on(outputs, fer::stats::Metric::kAccuracy) == a.val.accuracy);
  CHECK(fer::stats::metric_on(outputs, fer::stats::Metric::kMacroF1) == a.val.macro_f1);
  if (a.val.has_va) {
    CHECK(identical(fer::stats::metric_on(outputs, fer::stats::Metric::kCccValence),
                    a.val.ccc_valence));
  }
}

TEST_CASE("bf16 autocast trains on the CPU, and an interrupted bf16 run resumes to the same result",
          "[runner]") {
  // Small: bf16 is emulated (slow) on CPUs without AVX-512 BF16. Four steps per epoch, so step 5
  // is mid-epoch 2.
  auto config = [](const std::string& name) {
    ex::RunConfig c = tiny_config(temp_dir(name), "emotion_gcn");
    c.precision = "bf16";
    c.channels_last = true;
    c.input_size = 32;
    return c;
  };
  std::ostringstream log;
  const auto straight = ex::run_experiment(config("runner_bf16_straight"), log);
  REQUIRE(straight.status == "finished");
  CHECK(log.str().find("\"precision\":\"bf16\"") != std::string::npos);
  ex::RunConfig c = config("runner_bf16_resumed");
  c.interrupt_after_steps = 5;
  REQUIRE(ex::run_experiment(c, log).status == "interrupted");
  c.interrupt_after_steps = 0;
  c.resume = true;
  const auto resumed = ex::run_experiment(c, log);
  REQUIRE(resumed.status == "finished");
  const auto& a = straight.final_record.val;
  const auto& b = resumed.final_record.val;
  CHECK(straight.final_record.best_epoch == resumed.final_record.best_epoch);
  CHECK(a.accuracy == b.accuracy);
  CHECK(straight.final_record.confusion == resumed.final_record.confusion);
  CHECK(same_weights(straight.final_record.checkpoint_path, resumed.final_record.checkpoint_path));
}

TEST_CASE("a one-sample last training batch is left out", "[runner]") {
  // 21 training images in batches of 4 leave one image: BatchNorm and CCC cannot train on it.
  ex::RunConfig c = tiny_config(temp_dir("runner_last_batch"));
  c.epochs = 1;
  c.batch_size = 4;
  std::ostringstream log;
  const auto outcome = ex::run_experiment(c, log);
  CHECK(outcome.status == "finished");
  CHECK(log.str().find("batch 5/5") != std::string::npos);
  CHECK(std::isfinite(outcome.final_record.val.ccc_valence));
}

TEST_CASE("the real dataset formats train through the runner", "[runner]") {
  // The committed fixtures in AffectNet's and Aff-Wild2's layouts, as a user's --data_root.
  const fs::path dir = temp_dir("runner_real");
  ex::RunConfig c;
  c.dataset = GENERATE(std::string("affectnet"), std::string("affwild2"));
  c.data_root = "tests/testdata/" + c.dataset;
  c.backbone = "bregnext";
  c.model = "multi_task";
  c.epochs = 1;
  c.batch_size = 2;
  c.input_size = 32;
  c.threads = 1;
  c.db = (dir / (c.dataset + ".db")).string();
  c.cache_dir = (dir / "cache").string();
  std::ostringstream log;
  SECTION("a class absent from a split stops the run, naming it") {
    REQUIRE_THROWS_WITH(ex::run_experiment(c, log),
                        Catch::Contains("class absent from the split") &&
                            Catch::Contains("Surprise") && Catch::Contains("'train'"));
  }
  // The fixtures hold a few rows: absent classes are listed, and training goes on.
  c.skip_bad_rows = true;
  SECTION("class weights need every class in the training split") {
    if (c.dataset == "affectnet") {
      REQUIRE_THROWS_WITH(ex::run_experiment(c, log),
                          Catch::Contains("class 'Sad' has no training sample") &&
                              Catch::Contains("--class_weights off"));
    }
  }
  SECTION("and train unweighted otherwise") {
    c.class_weights = "off";
    const auto outcome = ex::run_experiment(c, log);
    CHECK(outcome.status == "finished");
    CHECK(log.str().find("schedule\":\"paper\"") != std::string::npos);
    fer::reports::ResultStore store(c.db);
    auto rows = store.db().query("SELECT train_size, val_size FROM datasets");
    CHECK(fer::as_int(rows[0][0]) == (c.dataset == "affectnet" ? 3 : 2));
    // The label graph's input is stored with the run: the 9x9 matrix of the training split.
    rows = store.db().query(
        "SELECT json_array_length(label_correlation), json_array_length(label_correlation, "
        "'$[8]'), "
        "json_extract(label_correlation, '$[7][7]') FROM datasets");
    CHECK(fer::as_int(rows[0][0]) == 9);
    CHECK(fer::as_int(rows[0][1]) == 9);
    CHECK(fer::as_double(rows[0][2]) == 1.0);
  }
}

TEST_CASE("concurrent writers to one database lose nothing", "[runner]") {
  const fs::path dir = temp_dir("runner_concurrent");
  const std::string db = (dir / "results.db").string();
  fer::reports::ResultStore init(db);
  constexpr int kWriters = 4, kEpochs = 15;
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      fer::reports::ResultStore store(db);  // Own connection, as a separate process would have.
      fer::reports::RunRecord run{"writer" + std::to_string(w),
                                  "{}",
                                  "hash" + std::to_string(w),
                                  "code",
                                  w,
                                  "synth-affectnet",
                                  "densenet",
                                  "single_task",
                                  "smoke",
                                  "cpu",
                                  "fp32"};
      const int64_t id =
          store.begin_run(run, {{"host", "test"}}, {"synth-affectnet", "/x", "d", "[]", "", 1, 1});
      for (int e = 0; e < kEpochs; ++e) {
        fer::metrics::EpochRecord rec;
        rec.epoch = e;
        rec.train_loss = w + e / 100.0;
        store.record_epoch(id, rec);
      }
      fer::metrics::FinalRecord f;
      f.val.accuracy = 0.1 * w;
      f.confusion = {1, 0, 0, 1};
      store.finish_run(id, f);
    });
  }
  for (auto& t : threads) t.join();
  auto count = [&](const std::string& sql) { return fer::as_int(init.db().query(sql)[0][0]); };
  CHECK(count("SELECT COUNT(*) FROM runs WHERE status = 'finished'") == kWriters);
  CHECK(count("SELECT COUNT(*) FROM epochs") == kWriters * kEpochs);
  CHECK(count("SELECT COUNT(*) FROM final_metrics") == kWriters);
  CHECK(count("SELECT COUNT(*) FROM provenance") == kWriters);
  CHECK(init.schema_version() == fer::reports::kSchemaVersion);
}
