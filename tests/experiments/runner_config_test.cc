// The runner's configuration: losses against the reference on fixed tensors, class weights,
// schedules, flag errors and ranges, the config hash, and which code versions may reuse results.
#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "experiments/code_version.h"
#include "experiments/config.h"
#include "experiments/config_ranges.h"
#include "metrics/losses.h"
#include "tests/catch.h"
#include "tests/model_fixtures.h"
#include "tests/tiny_config.h"

namespace ex = fer::experiments;
using Catch::Matchers::WithinRel;

namespace {

ex::RunConfig parse(std::vector<const char*> args) {
  return fer::testing::parse_resolved(std::move(args));
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
      {"graph_threshold", {"-0.1", "1.5", "nan", "inf"}},
      {"graph_reweight", {"-0.1", "1", "nan", "inf"}},
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
