// The runner: losses against the reference on fixed tensors, class weights, configuration
// errors, skip-by-hash, resume-equals-uninterrupted, and concurrent writers of one database.
#include "experiments/runner.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "experiments/code_version.h"
#include "experiments/config.h"
#include "experiments/config_ranges.h"
#include "metrics/losses.h"
#include "reports/store.h"
#include "tests/catch.h"
#include "tests/model_fixtures.h"
#include "tests/temp_dir.h"
#include "tests/tiny_config.h"

namespace fs = boost::filesystem;
namespace ex = fer::experiments;
using Catch::Matchers::WithinRel;

namespace {

using fer::testing::temp_dir;

using fer::testing::tiny_config;

// Bit-for-bit equality of two finite values: a NaN on both sides is a failure, not a match.
bool identical(double a, double b) { return std::isfinite(a) && std::isfinite(b) && a == b; }
using fer::testing::same_weights;

ex::RunConfig parse(std::vector<const char*> args) {
  args.insert(args.begin(), "runner");
  ex::RunConfig c;
  ex::parse_run_config(static_cast<int>(args.size()), args.data(), &c);
  return ex::resolve(c);
}

}  // namespace

TEST_CASE("losses match the reference on fixed tensors", "[runner]") {
  const auto fx = fer::testing::read_fixture("tests/testdata/models/losses.txt").at("losses");
  const at::Tensor pred =
      at::tensor({0.1, 0.2, 0.4, -0.1, -0.3, 0.5, 0.0, 0.05}, at::kDouble).view({4, 2});
  const at::Tensor target =
      at::tensor({0.0, 0.3, 0.5, -0.2, -0.1, 0.4, 0.2, -0.1}, at::kDouble).view({4, 2});
  CHECK_THAT(fer::metrics::ccc_loss(pred, target).item<double>(),
             WithinRel(fx.values("ccc_loss")[0], 1e-9));
  const at::Tensor logits =
      at::tensor({1.0f,  -0.5f, 0.2f, 0.0f,  0.3f,  -1.0f, 0.5f, 0.1f, 0.2f, 0.3f,
                  -0.4f, 0.0f,  0.9f, -0.2f, -1.0f, 0.0f,  2.0f, 0.5f, 0.1f, 0.0f,
                  0.3f,  0.0f,  0.0f, 0.0f,  0.0f,  0.0f,  0.0f, 1.5f})
          .view({4, 7});
  const at::Tensor labels = at::tensor({0, 5, 2, 6}, at::kLong);
  const at::Tensor weights =
      fer::metrics::class_weights({74874, 134415, 25459, 14090, 6378, 3803, 24882});
  const auto expected_weights = fx.values("class_weights");
  for (int k = 0; k < 7; ++k)
    CHECK_THAT(weights[k].item<double>(), WithinRel(expected_weights[k], 1e-6));
  auto weighted =
      fer::metrics::multitask_loss(logits, labels, weights, at::Tensor(), at::Tensor(), 1.0);
  CHECK_THAT(weighted.total.item<double>(), WithinRel(fx.values("weighted_ce")[0], 1e-6));
  CHECK_FALSE(weighted.valence_arousal.defined());
  auto plain = fer::metrics::multitask_loss(logits, labels, at::Tensor(), pred, target, 0.5);
  CHECK_THAT(plain.expression.item<double>(), WithinRel(fx.values("plain_ce")[0], 1e-6));
  CHECK_THAT(plain.total.item<double>(),
             WithinRel(fx.values("plain_ce")[0] + 0.5 * fx.values("ccc_loss")[0], 1e-6));
  REQUIRE_THROWS_WITH(fer::metrics::class_weights({3, 0, 2}),
                      Catch::Contains("class 1 has no training samples"));
}

TEST_CASE("schedules resolve to the reference's settings", "[runner]") {
  auto paper =
      parse({"--dataset", "affectnet", "--data_root", "/data/affectnet", "--backbone", "densenet"});
  CHECK(paper.schedule == "paper");
  CHECK(paper.lr == 0.001);
  CHECK(paper.momentum == 0.9);
  CHECK(paper.weight_decay == 0.001);
  CHECK(paper.batch_size == 35);
  CHECK(paper.epochs == 10);
  CHECK(paper.lr_step == 10);
  CHECK(paper.lr_gamma == 0.1);
  CHECK(paper.early_stop == 10);
  CHECK(paper.input_size == 227);
  CHECK(paper.class_weights == "on");
  CHECK(parse({"--dataset", "affwild2", "--data_root", "/d"}).input_size == 112);
  CHECK(parse({"--dataset", "affwild2", "--data_root", "/d"}).class_weights == "off");
  CHECK(
      parse({"--dataset", "affectnet", "--data_root", "/d", "--backbone", "bregnext"}).input_size ==
      112);
  auto smoke = parse({});
  CHECK(smoke.dataset == "synth-affectnet");
  CHECK(smoke.schedule == "smoke");
  // smoke: sized per backbone so that the synthetic twin visibly learns within minutes.
  CHECK(smoke.input_size == 32);
  CHECK(smoke.epochs == 5);
  CHECK(smoke.batch_size == 32);
  CHECK(smoke.lr == 0.01);
  CHECK(smoke.lr_step == 4);
  CHECK(smoke.augment == 0);
  CHECK(smoke.synth_train_per_class == 140);
  CHECK(smoke.synth_val_per_class == 30);
  auto smoke_breg = parse({"--backbone", "bregnext"});
  CHECK(smoke_breg.input_size == 16);
  CHECK(smoke_breg.epochs == 5);
  CHECK(smoke_breg.batch_size == 16);
  CHECK(smoke_breg.lr_step == 4);
  CHECK(paper.augment == 1);
  CHECK(parse({"--augment"}).augment == 1);
  CHECK(parse({"--dataset", "affectnet", "--data_root", "/d", "--no_augment"}).augment == 0);
  REQUIRE_THROWS_WITH(parse({"--augment", "--no_augment"}), Catch::Contains("contradict"));
  CHECK(parse({"--synth_label_noise", "0.3"}).synth_label_noise == 0.3);
  CHECK(parse({"--epochs", "7"}).epochs == 7);
}

TEST_CASE("bad flags give errors that name the flag and the valid values", "[runner]") {
  REQUIRE_THROWS_WITH(
      parse({"--model", "gcn"}),
      Catch::Contains("model") && Catch::Contains("valid: single_task, multi_task, emotion_gcn"));
  REQUIRE_THROWS_WITH(parse({"--backbone", "resnet"}),
                      Catch::Contains("valid: densenet, bregnext"));
  REQUIRE_THROWS_WITH(parse({"--dataset", "fer2013"}),
                      Catch::Contains("valid: affectnet, affwild2"));
  REQUIRE_THROWS_WITH(parse({"--schedule", "fast"}), Catch::Contains("valid: paper, smoke, auto"));
  REQUIRE_THROWS_WITH(parse({"--precision", "fp8"}), Catch::Contains("valid: fp32, fp16, bf16"));
  REQUIRE_THROWS_WITH(parse({"--device", "tpu"}), Catch::Contains("valid: cpu, cuda, cuda:N"));
  REQUIRE_THROWS_WITH(parse({"--precision", "fp16"}),
                      Catch::Contains("fp16 autocast needs a CUDA device"));
  REQUIRE_THROWS_WITH(parse({"--dataset", "affectnet"}), Catch::Contains("needs --data_root"));
  REQUIRE_THROWS_WITH(parse({"--epochs", "x"}), Catch::Contains("epochs"));
  REQUIRE_THROWS_WITH(parse({"--no_such_flag"}), Catch::Contains("no_such_flag"));
  REQUIRE_THROWS_WITH(parse({"--batch_size", "1"}), Catch::Contains("batch_size"));
}

TEST_CASE("every numeric flag is range-checked with a message naming it", "[runner]") {
  // Values each flag must refuse: zero where zero is meaningless, negative, NaN, infinite, huge.
  const std::vector<std::pair<std::string, std::vector<std::string>>> bad = {
      {"epochs", {"0", "-1", "nan", "1e3", "100001", "99999999999999999999"}},
      {"batch_size", {"0", "1", "-1", "nan", "65537", "99999999999999999999"}},
      {"lr", {"0", "-1", "-0.001", "nan", "inf", "1e300"}},
      {"momentum", {"-1", "-0.1", "1", "nan", "inf", "1e300"}},
      {"weight_decay", {"-1", "-0.001", "1", "nan", "inf"}},
      {"lambda", {"-1", "-0.5", "nan", "inf", "1e300"}},
      {"lr_step", {"0", "-1", "nan", "100001"}},
      {"lr_gamma", {"0", "-1", "-0.1", "1.5", "nan", "inf"}},
      {"early_stop", {"0", "-1", "nan", "100001"}},
      {"input_size", {"0", "-1", "16", "28", "nan", "1025", "99999999999"}},
      {"color_jitter", {"-1", "-0.1", "1.5", "nan", "inf"}},
      {"seed", {"-1", "nan", "1.5", "9007199254740993", "99999999999999999999", "x"}},
      {"threads", {"0", "-1", "nan", "1025"}},
      {"workers", {"-1", "nan", "257"}},
      {"synth_train_per_class", {"0", "-1", "nan", "100001"}},
      {"synth_val_per_class", {"0", "-1", "nan", "100001"}},
      {"synth_label_noise", {"-0.1", "1", "nan", "inf"}},
      {"interrupt_after_steps", {"-1", "nan", "1e16", "99999999999999999999"}},
      {"nproc", {"-1", "nan", "1025"}},
      {"dist_timeout", {"0", "-1", "nan", "inf", "86401"}},
      {"testing_die_rank", {"-2", "nan"}},
      {"testing_die_after_steps", {"-1", "nan", "1e16"}},
  };
  std::vector<std::string> covered;
  for (const auto& [flag, values] : bad) {
    covered.push_back(flag);
    for (const auto& v : values) {
      const std::string arg = "--" + flag;
      INFO(arg << " " << v);
      REQUIRE_THROWS_AS(parse({arg.c_str(), v.c_str()}), fer::Error);
      REQUIRE_THROWS_WITH(parse({arg.c_str(), v.c_str()}), Catch::Contains(flag));
    }
  }
  // Every flag in the range table is swept above.
  for (const auto& r : ex::flag_ranges()) {
    INFO(r.flag);
    CHECK(std::find(covered.begin(), covered.end(), r.flag) != covered.end());
  }
  // The message gives the allowed range and the value.
  REQUIRE_THROWS_WITH(parse({"--lr_step", "0"}),
                      Catch::Contains("--lr_step must be in [1, 100000], got 0"));
  REQUIRE_THROWS_WITH(parse({"--momentum", "1"}), Catch::Contains("[0, 1)"));
  REQUIRE_THROWS_WITH(parse({"--backbone", "bregnext", "--input_size", "50"}),
                      Catch::Contains("multiple of 4 for BReG-NeXt"));
  // Boundaries that are valid.
  CHECK(parse({"--momentum", "0"}).momentum == 0);
  CHECK(parse({"--lambda", "0"}).lambda == 0);
  CHECK(parse({"--workers", "0"}).workers == 0);
  CHECK(parse({"--lr_gamma", "1"}).lr_gamma == 1);
  CHECK(parse({"--input_size", "29"}).input_size == 29);
  CHECK(parse({"--backbone", "bregnext", "--input_size", "4"}).input_size == 4);
  CHECK(parse({"--seed", "9007199254740992"}).seed == 9007199254740992ull);
  // A programmatic config with an invalid value fails in resolve(), before any work.
  ex::RunConfig c;
  c.lr_step = 0;
  REQUIRE_THROWS_WITH(ex::resolve(c), Catch::Contains("--lr_step must be in [1, 100000], got 0"));
  c.lr_step = -1;
  c.lr = std::nan("");
  REQUIRE_THROWS_WITH(ex::resolve(c), Catch::Contains("--lr must be in (0, 10], got nan"));
  REQUIRE_THROWS_WITH(parse({"--device", "cuda:x"}), Catch::Contains("valid: cpu, cuda, cuda:N"));
}

TEST_CASE("the config hash covers what changes results and nothing else", "[runner]") {
  auto a = parse({});
  CHECK(ex::config_hash(a) ==
        ex::config_hash(parse({"--db", "/elsewhere.db", "--run_name", "x", "--workers", "5"})));
  CHECK(ex::config_hash(a) != ex::config_hash(parse({"--seed", "1"})));
  CHECK(ex::config_hash(a) != ex::config_hash(parse({"--lr", "0.02"})));
  CHECK(ex::config_hash(a) != ex::config_hash(parse({"--model", "multi_task"})));
  CHECK(ex::to_json(a).find("\"lr\":0.01") != std::string::npos);
  CHECK(ex::config_hash(a) != ex::config_hash(parse({"--synth_label_noise", "0.3"})));
  CHECK(ex::config_hash(a) != ex::config_hash(parse({"--augment"})));
}

TEST_CASE("results are reused only under a known code version", "[runner]") {
  CHECK_FALSE(ex::reusable_code_version("unknown"));
  CHECK_FALSE(ex::reusable_code_version(""));
  CHECK(ex::reusable_code_version("acf41f1465fa26720ef90c7e89950cafe544c3d9"));
  CHECK(
      ex::reusable_code_version("acf41f1465fa26720ef90c7e89950cafe544c3d9-dirty-48666fb0f8595f57"));
  const std::string stamped = ex::stamped_code_version();
  CHECK_FALSE(stamped.empty());
}

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
