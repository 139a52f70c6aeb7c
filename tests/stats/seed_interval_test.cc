// The regression gate's interval over seeds (issue #32, item 5): against scipy on fixed data, and
// against simulated seeds with a known drop (false alarms at no drop; about half caught at the
// stated smallest detectable drop; nearly all at twice its margin).
#include "stats/seed_interval.h"

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "tests/catch.h"

namespace st = fer::stats;
using Catch::Matchers::WithinAbs;

namespace {

st::SeedSummary summary_of(const std::vector<double>& v) {
  double mean = 0, sq = 0;
  for (double x : v) mean += x / v.size();
  for (double x : v) sq += (x - mean) * (x - mean);
  return {mean, v.size() > 1 ? std::sqrt(sq / (v.size() - 1)) : 0.0, static_cast<int>(v.size())};
}

}  // namespace

TEST_CASE("the seed interval equals scipy's pooled two-sample t interval", "[stats]") {
  // scipy 1.17: stats.ttest_ind(candidate, baseline, equal_var=True).confidence_interval(0.95)
  // and stats.t.ppf.
  const auto baseline = summary_of({0.9810, 0.9905, 0.9667, 1.0, 0.9857, 0.9714});
  const auto two = st::seed_mean_difference(baseline, summary_of({0.9524, 0.9619}));
  CHECK_THAT(two.delta, WithinAbs(-0.025399999999999978, 1e-12));
  CHECK_THAT(two.low, WithinAbs(-0.048479796961710606, 1e-12));
  CHECK_THAT(two.high, WithinAbs(-0.0023202030382893507, 1e-12));
  CHECK(two.dof == 6);
  const auto one = st::seed_mean_difference(baseline, summary_of({0.9429}));
  CHECK_THAT(one.low, WithinAbs(-0.07378175479285692, 1e-12));
  CHECK_THAT(one.high, WithinAbs(-0.005518245207142995, 1e-12));
  CHECK(one.dof == 5);
  CHECK_THAT(st::student_t_quantile(0.975, 5), WithinAbs(2.5705818356363146, 1e-12));
  CHECK_THAT(st::student_t_quantile(0.975, 2), WithinAbs(4.302652729749462, 1e-12));
  CHECK_THAT(st::student_t_quantile(0.9, 30), WithinAbs(1.3104150253913955, 1e-12));
  CHECK_THAT(st::student_t_quantile(0.01, 1), WithinAbs(-31.82051595377396, 1e-9));
  // The smallest detectable drop: tolerance + the half-width with the baseline's spread.
  CHECK_THAT(st::smallest_detectable_drop(summary_of({0.40, 0.44}), 2, 0.005),
             WithinAbs(0.1266973968918661, 1e-12));
  CHECK_THROWS_AS(st::seed_mean_difference({0.9, 0.01, 1}, {0.9, 0.0, 1}), std::invalid_argument);
  CHECK_THROWS_AS(st::student_t_quantile(1.0, 3), std::domain_error);
}

TEST_CASE("the gate's rule on simulated seeds with a known drop", "[stats]") {
  // Seeds of one configuration: accuracy ~ N(0.985, 0.0158) (the gate's measured spread); the
  // baseline measured over 6 seeds, a check over 1 or 3; a regression when the interval lies
  // below -0.005.
  std::mt19937_64 rng(20261206);
  const double sigma = 0.0158, tolerance = 0.005;
  auto flagged_share = [&](double drop, int runs) {
    std::normal_distribution<double> seed(0.985, sigma);
    int flagged = 0;
    for (int i = 0; i < 2000; ++i) {
      std::vector<double> b(6), c(runs);
      for (double& x : b) x = seed(rng);
      for (double& x : c) x = seed(rng) - drop;
      flagged += st::seed_mean_difference(summary_of(b), summary_of(c)).high < -tolerance;
    }
    return flagged / 2000.0;
  };
  for (int runs : {1, 3}) {
    INFO(runs << " run(s)");
    CHECK(flagged_share(0, runs) < 0.025);  // One-sided 2.5%, less beyond the tolerance.
    // At the stated drop (with the true spread) about half are caught; at twice its margin
    // beyond the tolerance, nearly all.
    const double stated = st::smallest_detectable_drop({0.985, sigma, 6}, runs, tolerance);
    const double half = flagged_share(stated, runs);
    CHECK(half > 0.35);
    CHECK(half < 0.65);
    CHECK(flagged_share(tolerance + 2 * (stated - tolerance), runs) > 0.9);
  }
}
