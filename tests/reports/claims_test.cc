// The Claims section and compare_runs on stores filled by hand with per-sample outputs (issue
// #32): a clear gain is supported, identical outputs are not significant, a loss is reversed,
// Holm's correction is applied over the section, runs without outputs or on other samples are
// listed unjudged with the reason, and selections are checked.
#include "reports/claims.h"

#include <boost/filesystem.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/hash.h"
#include "reports/compare_runs.h"
#include "reports/store.h"
#include "reports/summary.h"
#include "tests/catch.h"
#include "tests/reports/run_fixture.h"
#include "tests/temp_dir.h"

namespace fs = boost::filesystem;
namespace rp = fer::reports;
using Catch::Matchers::Contains;
using fer::testing::add_run;
using fer::testing::temp_dir;

namespace {

constexpr int kSamples = 400;

// A model right with probability `accuracy` on each of the shared validation samples.
fer::metrics::SampleRecord outputs(double accuracy, uint64_t seed, bool va) {
  fer::metrics::SampleRecord r;
  r.num_classes = 7;
  uint64_t truth_state = 42, va_state = 77, state = seed;  // The truths are shared.
  for (int i = 0; i < kSamples; ++i) {
    const int truth = static_cast<int>(fer::uniform01(truth_state) * 7);
    const bool right = fer::uniform01(state) < accuracy;
    r.index.push_back(i);
    r.truth.push_back(truth);
    r.predicted.push_back(right ? truth : (truth + 1 + i % 6) % 7);
    for (int k = 0; k < 7; ++k) r.probabilities.push_back(k == r.predicted.back() ? 0.7f : 0.05f);
    if (va) {
      const float v = static_cast<float>(fer::uniform01(va_state) * 2 - 1);
      r.va_true.insert(r.va_true.end(), {v, -v});
      r.va_pred.insert(r.va_pred.end(), {v * 0.5f, -v * 0.5f});
    }
  }
  return r;
}

int64_t run_with(rp::ResultStore& store, const std::string& dataset, const std::string& model,
                 int seed, const fer::metrics::SampleRecord& samples) {
  // As the runner stores it, the model is part of the configuration (and of its id).
  const int64_t id =
      add_run(store, dataset, "densenet", model, seed, 0.5,
              "\"lr\": 0.005, \"model\": \"" + model + "\", \"shuffle_train_labels\": false");
  fer::metrics::FinalRecord f;
  f.val.accuracy = 0.5;
  f.samples = samples;
  store.finish_run(id, f);
  return id;
}

const rp::ClaimRow& claim(const std::vector<rp::ClaimRow>& rows, const std::string& candidate) {
  for (const auto& r : rows) {
    if (r.candidate_model == candidate) return r;
  }
  FAIL("no claim with candidate " << candidate);
  return rows.front();
}

}  // namespace

TEST_CASE("claims: a gain is supported, no difference is not significant, a loss is reversed",
          "[reports]") {
  rp::ResultStore store((temp_dir("claims_verdicts") / "r.db").string());
  run_with(store, "synth-affectnet", "single_task", 0, outputs(0.40, 1, false));
  const auto multi = outputs(0.60, 2, true);
  run_with(store, "synth-affectnet", "multi_task", 0, multi);
  run_with(store, "synth-affectnet", "emotion_gcn", 0, multi);  // The same outputs.
  auto rows = rp::judge_claims(store.db(), rp::summarize(store.db()), "synth-affectnet");
  REQUIRE(rows.size() == 2);
  const rp::ClaimRow& up = claim(rows, "multi_task");
  CHECK(up.claim() == "Multi-task vs single-task");
  CHECK(up.judged);
  CHECK(up.verdict == "supported");
  CHECK(up.samples == kSamples);
  CHECK(up.mcnemar.has_value());
  CHECK(up.difference("ccc_valence") == nullptr);  // Single-task has no valence/arousal.
  CHECK(up.holm_p >= up.difference("accuracy")->p_value);
  const rp::ClaimRow& same = claim(rows, "emotion_gcn");
  CHECK(same.verdict == "not significant");
  CHECK(same.difference("accuracy")->delta == 0);
  REQUIRE(same.difference("ccc_arousal") != nullptr);

  const std::string table = rp::render_claims_table(rows, /*synthetic=*/true);
  CHECK_THAT(table,
             Contains("| DenseNet-121 | smoke | Multi-task vs single-task | 1 vs 1 | 400 |"));
  CHECK_THAT(table, Contains("**supported**"));
  CHECK_THAT(table, Contains("**not significant**"));
  CHECK_THAT(table, Contains("1000 resamples, seed 12345"));
  CHECK_THAT(table, Contains("Holm-corrected over the 2 judged claim(s)"));
  CHECK_THAT(table, Contains("Synthetic data"));
  const std::string csv = rp::claims_csv(rows);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 1 + 3 + 5);  // Header, 3 + 5 metrics.

  // A worse Emotion-GCN is reversed.
  rp::ResultStore worse_store((temp_dir("claims_reversed") / "r.db").string());
  run_with(worse_store, "affectnet", "multi_task", 0, multi);
  run_with(worse_store, "affectnet", "emotion_gcn", 0, outputs(0.35, 3, true));
  rows = rp::judge_claims(worse_store.db(), rp::summarize(worse_store.db()), "affectnet");
  const rp::ClaimRow& down = claim(rows, "emotion_gcn");
  CHECK(down.verdict == "reversed");
  CHECK(down.difference("accuracy")->high < 0);
  CHECK(claim(rows, "multi_task").verdict == "not judged: no single-task configuration");
  CHECK_THAT(rp::render_claims_table(rows, false), !Contains("Synthetic data"));
}

TEST_CASE("claims without per-sample outputs or on other samples are listed, not judged",
          "[reports]") {
  rp::ResultStore store((temp_dir("claims_unjudged") / "r.db").string());
  const int64_t old =
      add_run(store, "affectnet", "densenet", "single_task", 0, 0.4);  // No outputs.
  run_with(store, "affectnet", "multi_task", 0, outputs(0.6, 2, true));
  auto other_rows = outputs(0.6, 5, true);
  other_rows.index.back() = 9999;
  run_with(store, "affectnet", "emotion_gcn", 0, other_rows);
  const auto rows = rp::judge_claims(store.db(), rp::summarize(store.db()), "affectnet");
  CHECK(claim(rows, "multi_task").verdict ==
        "not judged: run " + std::to_string(old) +
            " has no per-sample outputs (stored before schema 6)");
  CHECK(claim(rows, "emotion_gcn").verdict == "not judged: evaluated on other validation samples");
  CHECK_THAT(rp::render_claims_table(rows, false), Contains("0 judged claim(s)"));
}

TEST_CASE("compare_runs: selections by run and by configuration, and clear errors", "[reports]") {
  rp::ResultStore store((temp_dir("compare_runs") / "r.db").string());
  const int64_t worse = run_with(store, "affectnet", "multi_task", 0, outputs(0.3, 7, true));
  const int64_t better = run_with(store, "affectnet", "emotion_gcn", 0, outputs(0.6, 8, true));
  const auto result =
      rp::compare_runs(store.db(), "run:" + std::to_string(worse), "run:" + std::to_string(better));
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.markdown, Contains("| accuracy (%) |"));
  CHECK_THAT(result.markdown, Contains("| ccc_arousal |"));
  CHECK_THAT(result.markdown, Contains("McNemar's exact test on accuracy"));
  CHECK_THAT(result.markdown, Contains("**supported**"));
  const auto reversed =
      rp::compare_runs(store.db(), "run:" + std::to_string(better), "run:" + std::to_string(worse));
  CHECK_THAT(reversed.markdown, Contains("**reversed**"));
  std::string config;
  for (const auto& s : rp::summarize(store.db())) {
    if (s.model == "emotion_gcn") config = s.config_id();
  }
  CHECK(rp::select_runs(store.db(), "config:" + config, "candidate") ==
        std::vector<int64_t>{better});
  const auto error_of = [&](const std::string& selection) {
    try {
      rp::select_runs(store.db(), selection, "baseline");
    } catch (const fer::Error& e) {
      return e.field() + ": " + e.what();
    }
    return std::string("accepted");
  };
  CHECK_THAT(error_of("run:99"), Contains("baseline: ") && Contains("run 99 does not exist"));
  CHECK_THAT(error_of("run:x"), Contains("not a run id: 'x'"));
  CHECK_THAT(error_of("config:0123456789abcdef"), Contains("no finished configuration"));
  CHECK_THAT(error_of("best"), Contains("expected run:ID[,ID...] or config:ID"));
  // A run stored without per-sample outputs cannot be paired: said, exit code 2.
  const int64_t old = add_run(store, "affectnet", "densenet", "single_task", 0, 0.4);
  const auto unpaired =
      rp::compare_runs(store.db(), "run:" + std::to_string(old), "run:" + std::to_string(better));
  CHECK(unpaired.exit_code == 2);
  CHECK_THAT(unpaired.markdown,
             Contains("Not comparable: run " + std::to_string(old) + " has no per-sample outputs"));
}
