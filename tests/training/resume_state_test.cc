// training/resume_state.h: what an interrupted run leaves behind reads back field for field,
// the older positional layout still reads, and a damaged file is refused naming the field.
#include "training/resume_state.h"

#include <ATen/ATen.h>
#include <ATen/core/Dict.h>
#include <ATen/core/ivalue.h>
#include <torch/csrc/jit/serialization/pickle.h>

#include <string>
#include <vector>

#include "tests/catch.h"

namespace tr = fer::training;

namespace {

tr::ResumeState sample_state() {
  tr::ResumeState r;
  r.epoch = 3;
  r.batch = 17;
  r.weights = {{"features.conv0.weight", at::arange(6, at::kFloat).view({2, 3})},
               {"gc1.weight", at::ones({2}, at::kDouble)}};
  r.momentum = {at::full({2, 3}, 0.25), at::Tensor()};
  r.books.best_accuracy = 0.625;
  r.books.best_epoch = 2;
  r.books.no_improve = 1;
  r.books.best.metrics.accuracy = 0.625;
  r.books.best.metrics.macro_f1 = 0.5;
  r.books.best.metrics.ccc_arousal = -0.125;
  r.books.best.metrics.has_va = true;
  r.books.best.per_class = {0.5, 0.75};
  r.books.best.confusion = {1, 2, 3, 4};
  r.books.best.samples.num_classes = 2;
  r.books.best.samples.index = {0, 1, 3};
  r.books.best.samples.truth = {1, 0, 1};
  r.books.best.samples.predicted = {1, 1, 0};
  r.books.best.samples.probabilities = {0.25f, 0.75f, 0.5f, 0.5f, 0.875f, 0.125f};
  r.books.best.samples.va_pred = {0.1f, -0.2f, 0.3f, 0.4f, -1.0f / 3, 0.5f};
  r.books.best.samples.va_true = {0.0f, 1.0f, -1.0f, 0.5f, 0.25f, -0.75f};
  r.books.train_ips_sum = 120.5;
  r.books.eval_ips_sum = 300.25;
  r.books.timed_epochs = 2;
  r.sums.loss = 4.5;
  r.sums.batches = 9;
  r.sums.correct = 40;
  r.sums.seen = 63;
  r.steps = 44;
  r.has_scaler = true;
  r.scaler_scale = 32768;
  r.scaler_growth_tracker = 11;
  return r;
}

std::vector<char> without(const std::vector<char>& bytes, const std::string& key) {
  auto state = torch::jit::pickle_load(bytes).toGenericDict();
  REQUIRE(state.erase(key) == 1);
  return torch::jit::pickle_save(state);
}

}  // namespace

TEST_CASE("a resume state reads back as it was written", "[training]") {
  const tr::ResumeState w = sample_state();
  const tr::ResumeState r = tr::decode_resume_state(tr::encode_resume_state(w), "state.pt");
  CHECK(r.epoch == 3);
  CHECK(r.batch == 17);
  REQUIRE(r.weights.size() == 2);
  CHECK(r.weights[0].first == "features.conv0.weight");
  CHECK(at::equal(r.weights[0].second, w.weights[0].second));
  CHECK(r.weights[1].second.scalar_type() == at::kDouble);
  REQUIRE(r.momentum.size() == 2);
  CHECK(at::equal(r.momentum[0], w.momentum[0]));
  CHECK_FALSE(r.momentum[1].defined());  // No buffer before a parameter's first step.
  CHECK(r.books.best_accuracy == 0.625);
  CHECK(r.books.best_epoch == 2);
  CHECK(r.books.no_improve == 1);
  CHECK(r.books.best.metrics.macro_f1 == 0.5);
  CHECK(r.books.best.metrics.ccc_arousal == -0.125);
  CHECK(r.books.best.metrics.has_va);
  CHECK(r.books.best.per_class == w.books.best.per_class);
  CHECK(r.books.best.confusion == w.books.best.confusion);
  // The best epoch's per-sample outputs, bit for bit: a resumed run stores what an
  // uninterrupted one stores.
  const auto& got = r.books.best.samples;
  const auto& put = w.books.best.samples;
  CHECK(got.num_classes == 2);
  CHECK(got.index == put.index);
  CHECK(got.truth == put.truth);
  CHECK(got.predicted == put.predicted);
  CHECK(got.probabilities == put.probabilities);
  CHECK(got.va_pred == put.va_pred);
  CHECK(got.va_true == put.va_true);
  CHECK(r.books.train_ips_sum == 120.5);
  CHECK(r.books.timed_epochs == 2);
  CHECK(r.sums.loss == 4.5);
  CHECK(r.sums.correct == 40);
  CHECK(r.sums.seen == 63);
  CHECK(r.steps == 44);
  CHECK(r.has_scaler);
  CHECK(r.scaler_scale == 32768);
  CHECK(r.scaler_growth_tracker == 11);
}

TEST_CASE("the best metrics are stored by name", "[training]") {
  const auto state =
      torch::jit::pickle_load(tr::encode_resume_state(sample_state())).toGenericDict();
  const auto metrics = state.at("best_metrics").toGenericDict();
  CHECK(metrics.at("macro_f1").toDouble() == 0.5);
  CHECK(metrics.at("has_va").toDouble() == 1.0);
  CHECK(metrics.size() == tr::metrics_by_name(fer::metrics::EvalMetrics()).size());
}

TEST_CASE("the older layout with 16 positional metrics still reads", "[training]") {
  auto state = torch::jit::pickle_load(tr::encode_resume_state(sample_state())).toGenericDict();
  std::vector<double> positional(16, 0.0);
  positional[3] = 0.75;  // accuracy
  positional[4] = 0.5;   // macro F1
  positional[15] = 1.0;  // has_va
  state.insert_or_assign("best_metrics", c10::List<double>(positional));
  const tr::ResumeState r = tr::decode_resume_state(torch::jit::pickle_save(state), "old.pt");
  CHECK(r.books.best.metrics.accuracy == 0.75);
  CHECK(r.books.best.metrics.macro_f1 == 0.5);
  CHECK(r.books.best.metrics.has_va);
  positional.pop_back();
  state.insert_or_assign("best_metrics", c10::List<double>(positional));
  REQUIRE_THROWS_WITH(tr::decode_resume_state(torch::jit::pickle_save(state), "old.pt"),
                      Catch::Contains("best_metrics") && Catch::Contains("expected 16"));
}

TEST_CASE("a damaged resume state is refused naming the file and the field", "[training]") {
  const std::vector<char> bytes = tr::encode_resume_state(sample_state());
  for (const char* key : {"epoch", "model", "momentum", "sums", "throughput", "steps"}) {
    INFO(key);
    REQUIRE_THROWS_WITH(
        tr::decode_resume_state(without(bytes, key), "/runs/x.resume.pt"),
        Catch::Contains("/runs/x.resume.pt") && Catch::Contains(key) && Catch::Contains("missing"));
  }
  auto state = torch::jit::pickle_load(bytes).toGenericDict();
  state.insert_or_assign("steps", std::string("many"));
  REQUIRE_THROWS_WITH(tr::decode_resume_state(torch::jit::pickle_save(state), "x.pt"),
                      Catch::Contains("steps") && Catch::Contains("wrong type"));
  REQUIRE_THROWS_WITH(tr::decode_resume_state(std::vector<char>{'n', 'o', 't'}, "junk.pt"),
                      Catch::Contains("junk.pt"));
  // Without a loss scale the state is an fp32/bf16 run's (the trainer refuses it for fp16).
  CHECK_FALSE(tr::decode_resume_state(without(bytes, "scaler_scale"), "x.pt").has_scaler);
  // A state written before per-sample outputs were kept resumes without them.
  CHECK(tr::decode_resume_state(without(bytes, "best_samples"), "x.pt").books.best.samples.empty());
  auto damaged = torch::jit::pickle_load(bytes).toGenericDict();
  auto samples = damaged.at("best_samples").toGenericDict();
  samples.insert_or_assign("truth", at::zeros({2}, at::kInt));
  REQUIRE_THROWS_WITH(tr::decode_resume_state(torch::jit::pickle_save(damaged), "x.pt"),
                      Catch::Contains("best_samples") && Catch::Contains("inconsistent sizes"));
}
