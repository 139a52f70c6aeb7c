// stats/: the per-sample metrics, the resample plan and the paired bootstrap's contract: the same
// result for the same seed, identical runs differ by nothing, clear errors for runs that cannot be
// paired.
#include "stats/bootstrap.h"

#include <stdexcept>
#include <vector>

#include "stats/outputs.h"
#include "stats/significance.h"
#include "tests/catch.h"

namespace st = fer::stats;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;

namespace {

st::SampleOutputs six() {
  st::SampleOutputs o;
  o.num_classes = 3;
  o.truth = {0, 0, 1, 1, 2, 2};
  o.predicted = {0, 1, 1, 1, 2, 0};
  return o;
}

}  // namespace

TEST_CASE("metrics on all rows and on a resample of rows", "[stats]") {
  const st::SampleOutputs o = six();
  CHECK_THAT(st::metric_on(o, st::Metric::kAccuracy), WithinAbs(4.0 / 6, 1e-15));
  // Recalls 1/2, 1, 1/2.
  CHECK_THAT(st::metric_on(o, st::Metric::kMeanClassAccuracy), WithinAbs(2.0 / 3, 1e-15));
  const std::vector<int32_t> rows = {0, 0, 2, 5};  // Row 0 twice.
  CHECK_THAT(st::metric_on(o, st::Metric::kAccuracy, &rows), WithinAbs(0.75, 1e-15));
  // Truths 0, 0, 1, 2 -> recalls 1, 1, 0: mean over the three present classes.
  CHECK_THAT(st::metric_on(o, st::Metric::kMeanClassAccuracy, &rows), WithinAbs(2.0 / 3, 1e-15));
  const std::vector<int32_t> only_zero = {0, 1};
  CHECK_THAT(st::metric_on(o, st::Metric::kMeanClassAccuracy, &only_zero), WithinAbs(0.5, 1e-15));
  CHECK_FALSE(st::has_metric(o, st::Metric::kCccValence));
  CHECK(st::parse_metric("macro_f1") == st::Metric::kMacroF1);
  CHECK_THROWS_WITH(st::parse_metric("f1"), Contains("valid: accuracy, mean_class_accuracy"));
}

TEST_CASE("the resample plan is fixed by its seed and covers the rows", "[stats]") {
  const auto a = st::resample_rows(50, 200, 12345), b = st::resample_rows(50, 200, 12345);
  CHECK(a == b);
  CHECK(a != st::resample_rows(50, 200, 12346));
  std::vector<int> seen(50, 0);
  for (const auto& rows : a) {
    REQUIRE(rows.size() == 50);
    for (int32_t r : rows) {
      REQUIRE(r >= 0);
      REQUIRE(r < 50);
      ++seen[r];
    }
  }
  for (int count : seen) CHECK(count > 100);  // 200 expected per row.
}

TEST_CASE("the paired bootstrap: deterministic, zero for identical runs, states its recipe",
          "[stats]") {
  const st::SampleOutputs a = six();
  st::SampleOutputs b = six();
  b.predicted = {0, 0, 1, 1, 2, 2};
  const st::Difference d = st::paired_bootstrap({a}, {b}, st::Metric::kAccuracy);
  CHECK_THAT(d.delta, WithinAbs(2.0 / 6, 1e-15));
  CHECK(d.resamples == 1000);
  CHECK(d.seed == 12345);
  CHECK(d.level == 0.95);
  CHECK(d.low <= d.delta);
  CHECK(d.delta <= d.high);
  const st::Difference again = st::paired_bootstrap({a}, {b}, st::Metric::kAccuracy);
  CHECK(again.low == d.low);
  CHECK(again.high == d.high);
  CHECK(again.p_value == d.p_value);
  const st::Difference same = st::paired_bootstrap({a}, {a}, st::Metric::kMacroF1);
  CHECK(same.delta == 0);
  CHECK(same.low == 0);
  CHECK(same.high == 0);
  CHECK(same.p_value == 1);
}

TEST_CASE("runs that cannot be paired are refused with the reason", "[stats]") {
  const st::SampleOutputs a = six();
  st::SampleOutputs shorter = six();
  shorter.truth.pop_back();
  shorter.predicted.pop_back();
  CHECK_THROWS_WITH(st::paired_bootstrap({a}, {shorter}, st::Metric::kAccuracy),
                    Contains("not evaluated on the same rows"));
  CHECK_THROWS_WITH(st::paired_bootstrap({a}, {}, st::Metric::kAccuracy), Contains("without runs"));
  CHECK_THROWS_WITH(st::paired_bootstrap({a}, {a}, st::Metric::kCccArousal),
                    Contains("has no ccc_arousal"));
  st::BootstrapOptions few;
  few.resamples = 10;
  CHECK_THROWS_WITH(st::paired_bootstrap({a}, {a}, st::Metric::kAccuracy, few),
                    Contains("resamples below 100"));
  st::SampleOutputs bad = six();
  bad.predicted[3] = 3;
  CHECK_THROWS_WITH(st::paired_bootstrap({a}, {bad}, st::Metric::kAccuracy),
                    Contains("sample 3: class index outside [0, 3)"));
  st::SampleOutputs relabelled = six();
  relabelled.truth[0] = 1;
  CHECK_THROWS_WITH(st::mcnemar_exact(a, relabelled), Contains("same rows"));
}

TEST_CASE("numpy's percentile, Holm's order and the verdicts", "[stats]") {
  CHECK(st::percentile({3, 1, 2, 4}, 50) == 2.5);
  CHECK_THAT(st::percentile({1, 2, 3, 4, 5}, 2.5), WithinAbs(1.1, 1e-15));
  CHECK(st::percentile({7}, 97.5) == 7);
  CHECK(st::holm_adjust({}).empty());
  CHECK(st::holm_adjust({0.04, 0.01}) == std::vector<double>{0.04, 0.02});
  CHECK(st::verdict_of(0.02, 0.01) == st::Verdict::kSupported);
  CHECK(st::verdict_of(-0.02, 0.01) == st::Verdict::kReversed);
  CHECK(st::verdict_of(0.02, 0.05) == st::Verdict::kNotSignificant);
  CHECK(st::verdict_name(st::Verdict::kNotSignificant) == "not significant");
}
