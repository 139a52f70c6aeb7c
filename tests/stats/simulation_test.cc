// stats/ against simulation with a known truth (issue #32): two classifiers whose population
// accuracies differ by a known amount, correlated sample by sample as two models on one
// validation set are. The paired bootstrap's 95% interval must cover the true difference in 93-97%
// of 1,000 simulated validation sets; with no true difference the verdict must be "not
// significant" in at least 93%; a clear gain must be found; and several seeds with their own
// spread must widen the interval.
#include <cmath>
#include <cstdint>
#include <vector>

#include "core/hash.h"
#include "stats/bootstrap.h"
#include "stats/outputs.h"
#include "stats/significance.h"
#include "tests/catch.h"

namespace st = fer::stats;

namespace {

constexpr int kClasses = 7;

struct Pair {
  st::SampleOutputs a, b;
};

// n samples; classifier A is right with probability p_a, B with p_b, and B's uniform draw is
// A's with probability rho (so they err on the same samples, as models do); wrong answers are a
// uniformly drawn wrong class.
Pair simulate(int n, double p_a, double p_b, double rho, uint64_t& state) {
  Pair s;
  s.a.num_classes = s.b.num_classes = kClasses;
  for (int i = 0; i < n; ++i) {
    const int truth = static_cast<int>(fer::uniform01(state) * kClasses);
    const double u = fer::uniform01(state);
    const double v = fer::uniform01(state) < rho ? u : fer::uniform01(state);
    const auto answer = [&](bool right) {
      if (right) return truth;
      const int shift = 1 + static_cast<int>(fer::uniform01(state) * (kClasses - 1));
      return (truth + shift) % kClasses;
    };
    s.a.truth.push_back(truth);
    s.b.truth.push_back(truth);
    s.a.predicted.push_back(answer(u < p_a));
    s.b.predicted.push_back(answer(v < p_b));
  }
  return s;
}

double fraction(int count, int total) { return static_cast<double>(count) / total; }

}  // namespace

TEST_CASE("the 95% interval covers the true accuracy difference in 93-97% of simulations",
          "[stats]") {
  uint64_t state = 20211215;
  const double truth = 0.65 - 0.60;
  const int sims = 1000;
  int covered = 0;
  st::BootstrapOptions o;
  for (int s = 0; s < sims; ++s) {
    const Pair p = simulate(300, 0.60, 0.65, 0.5, state);
    o.seed = 1000 + s;
    const st::Difference d = st::paired_bootstrap({p.a}, {p.b}, st::Metric::kAccuracy, o);
    covered += d.low <= truth && truth <= d.high;
  }
  INFO("coverage " << fraction(covered, sims));
  CHECK(fraction(covered, sims) >= 0.93);
  CHECK(fraction(covered, sims) <= 0.97);
}

TEST_CASE("with no true difference the verdict is 'not significant' in at least 93%", "[stats]") {
  uint64_t state = 7;
  const int sims = 1000;
  int not_significant = 0, mcnemar_not_significant = 0;
  st::BootstrapOptions o;
  for (int s = 0; s < sims; ++s) {
    const Pair p = simulate(300, 0.6, 0.6, 0.5, state);
    o.seed = 5000 + s;
    const st::Difference d = st::paired_bootstrap({p.a}, {p.b}, st::Metric::kAccuracy, o);
    not_significant += st::verdict_of(d.delta, d.p_value) == st::Verdict::kNotSignificant;
    mcnemar_not_significant += st::mcnemar_exact(p.a, p.b).p_value >= 0.05;
  }
  INFO("bootstrap " << fraction(not_significant, sims) << ", McNemar "
                    << fraction(mcnemar_not_significant, sims));
  CHECK(fraction(not_significant, sims) >= 0.93);
  CHECK(fraction(mcnemar_not_significant, sims) >= 0.93);
  // A test that never rejects would pass the checks above: it must reject about 5% of the time.
  CHECK(fraction(not_significant, sims) <= 0.985);
}

TEST_CASE("a clear gain is supported, and the same pair the other way round is reversed",
          "[stats]") {
  uint64_t state = 99;
  const int sims = 200;
  int supported = 0, reversed = 0;
  for (int s = 0; s < sims; ++s) {
    const Pair p = simulate(300, 0.55, 0.67, 0.5, state);
    const st::Difference up = st::paired_bootstrap({p.a}, {p.b}, st::Metric::kAccuracy);
    const st::Difference down = st::paired_bootstrap({p.b}, {p.a}, st::Metric::kAccuracy);
    supported += st::verdict_of(up.delta, up.p_value) == st::Verdict::kSupported;
    reversed += st::verdict_of(down.delta, down.p_value) == st::Verdict::kReversed;
    CHECK(up.delta == -down.delta);
  }
  INFO("supported " << fraction(supported, sims) << ", reversed " << fraction(reversed, sims));
  CHECK(fraction(supported, sims) >= 0.8);
  CHECK(supported == reversed);
}

TEST_CASE("a model at chance against a trained one: reversed, not significant, supported",
          "[stats]") {
  // As a run trained on shuffled labels would predict: right one time in seven.
  uint64_t state = 3;
  const Pair p = simulate(500, 1.0 / kClasses, 0.6, 0.0, state);
  for (const st::Metric m :
       {st::Metric::kAccuracy, st::Metric::kMacroF1, st::Metric::kMeanClassAccuracy}) {
    INFO(st::metric_name(m));
    const st::Difference gain = st::paired_bootstrap({p.a}, {p.b}, m);
    CHECK(st::verdict_of(gain.delta, gain.p_value) == st::Verdict::kSupported);
    const st::Difference loss = st::paired_bootstrap({p.b}, {p.a}, m);
    CHECK(st::verdict_of(loss.delta, loss.p_value) == st::Verdict::kReversed);
    CHECK(loss.high < 0);
    const st::Difference same = st::paired_bootstrap({p.b}, {p.b}, m);
    CHECK(st::verdict_of(same.delta, same.p_value) == st::Verdict::kNotSignificant);
  }
}

TEST_CASE("several seeds with their own spread widen the interval", "[stats]") {
  uint64_t state = 11;
  // Three seeds per configuration, each seed's accuracy off its configuration's by up to 4
  // points: the seeds' spread is part of the uncertainty.
  std::vector<st::SampleOutputs> a, b;
  for (int seed = 0; seed < 3; ++seed) {
    const double shift = 0.04 * (seed - 1);
    const Pair p = simulate(400, 0.60 + shift, 0.64 - shift, 0.5, state);
    a.push_back(p.a);
    b.push_back(p.b);
  }
  const st::Difference all = st::paired_bootstrap(a, b, st::Metric::kAccuracy);
  const st::Difference one = st::paired_bootstrap({a[1]}, {b[1]}, st::Metric::kAccuracy);
  CHECK(all.baseline_seeds == 3);
  CHECK(all.candidate_seeds == 3);
  INFO("3 seeds: [" << all.low << ", " << all.high << "]; 1 seed: [" << one.low << ", " << one.high
                    << "]");
  CHECK(all.high - all.low > 1.2 * (one.high - one.low));
}
