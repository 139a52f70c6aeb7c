#include "stats/bootstrap.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "core/hash.h"

namespace fer::stats {
namespace {

// Uniform in [0, n) by the multiply-shift of the stream's next 64 bits (bias below 2^-32 for
// n < 2^32).
int32_t draw(uint64_t& state, uint64_t n) {
  return static_cast<int32_t>((static_cast<unsigned __int128>(splitmix64(state)) * n) >> 64);
}

void check_sides(const std::vector<SampleOutputs>& baseline,
                 const std::vector<SampleOutputs>& candidate, Metric metric) {
  if (baseline.empty() || candidate.empty()) {
    throw std::invalid_argument("paired bootstrap: a configuration without runs");
  }
  const SampleOutputs& first = baseline.front();
  for (const auto* side : {&baseline, &candidate}) {
    for (const SampleOutputs& o : *side) {
      check_outputs(o);
      if (o.size() != first.size() || o.num_classes != first.num_classes) {
        throw std::invalid_argument(
            "paired bootstrap: the runs were not evaluated on the same rows (" +
            std::to_string(o.size()) + " vs " + std::to_string(first.size()) + " samples)");
      }
      if (!has_metric(o, metric)) {
        throw std::invalid_argument("paired bootstrap: a run has no " + metric_name(metric));
      }
    }
  }
  if (first.size() == 0) throw std::invalid_argument("paired bootstrap: no samples");
}

double mean_metric(const std::vector<SampleOutputs>& runs, const std::vector<int>& which,
                   Metric metric, const std::vector<int32_t>* rows) {
  double sum = 0;
  for (int i : which) sum += metric_on(runs[i], metric, rows);
  return sum / which.size();
}

// Interval and p-value from the observed difference and the resampled ones.
Difference summarise(double delta, const std::vector<double>& diffs, double level) {
  Difference d;
  d.delta = delta;
  d.resamples = static_cast<int>(diffs.size());
  d.level = level;
  const double tail = 50.0 * (1.0 - level);
  d.low = percentile(diffs, tail);
  d.high = percentile(diffs, 100.0 - tail);
  double mean = 0;
  for (double x : diffs) mean += x;
  mean /= diffs.size();
  int64_t extreme = 0;
  for (double x : diffs) extreme += std::abs(x - mean) >= std::abs(delta);
  d.p_value = static_cast<double>(extreme + 1) / (diffs.size() + 1);
  return d;
}

}  // namespace

std::vector<std::vector<int32_t>> resample_rows(int64_t n, int resamples, uint64_t seed) {
  uint64_t state = seed;
  std::vector<std::vector<int32_t>> plan(resamples, std::vector<int32_t>(n));
  for (auto& rows : plan) {
    for (auto& r : rows) r = draw(state, static_cast<uint64_t>(n));
  }
  return plan;
}

Difference paired_bootstrap(const std::vector<SampleOutputs>& baseline,
                            const std::vector<SampleOutputs>& candidate, Metric metric,
                            const BootstrapOptions& o) {
  if (o.resamples < 100) throw std::invalid_argument("paired bootstrap: resamples below 100");
  if (!(o.level >= 0.5 && o.level < 1)) {
    throw std::invalid_argument("paired bootstrap: level outside [0.5, 1)");
  }
  check_sides(baseline, candidate, metric);
  const int64_t n = baseline.front().size();
  std::vector<int> all_a(baseline.size()), all_b(candidate.size());
  for (size_t i = 0; i < all_a.size(); ++i) all_a[i] = static_cast<int>(i);
  for (size_t i = 0; i < all_b.size(); ++i) all_b[i] = static_cast<int>(i);
  const double delta = mean_metric(candidate, all_b, metric, nullptr) -
                       mean_metric(baseline, all_a, metric, nullptr);
  uint64_t state = o.seed;
  std::vector<int> seeds_a(all_a.size()), seeds_b(all_b.size());
  std::vector<int32_t> rows(n);
  std::vector<double> diffs(o.resamples);
  for (int r = 0; r < o.resamples; ++r) {
    // A side with one run keeps it: the draw is then the identity, and single-seed comparisons
    // consume the stream as the plain paired bootstrap does.
    for (auto& s : seeds_a) s = all_a.size() == 1 ? 0 : draw(state, all_a.size());
    for (auto& s : seeds_b) s = all_b.size() == 1 ? 0 : draw(state, all_b.size());
    for (auto& row : rows) row = draw(state, static_cast<uint64_t>(n));
    diffs[r] = mean_metric(candidate, seeds_b, metric, &rows) -
               mean_metric(baseline, seeds_a, metric, &rows);
  }
  Difference d = summarise(delta, diffs, o.level);
  d.seed = o.seed;
  d.baseline_seeds = static_cast<int>(baseline.size());
  d.candidate_seeds = static_cast<int>(candidate.size());
  return d;
}

Difference paired_bootstrap_on(const SampleOutputs& baseline, const SampleOutputs& candidate,
                               Metric metric, const std::vector<std::vector<int32_t>>& plan,
                               double level) {
  check_sides({baseline}, {candidate}, metric);
  if (plan.empty()) throw std::invalid_argument("paired bootstrap: an empty plan");
  std::vector<double> diffs;
  diffs.reserve(plan.size());
  for (const auto& rows : plan) {
    for (int32_t r : rows) {
      if (r < 0 || r >= baseline.size()) throw std::invalid_argument("plan: row out of range");
    }
    diffs.push_back(metric_on(candidate, metric, &rows) - metric_on(baseline, metric, &rows));
  }
  Difference d =
      summarise(metric_on(candidate, metric) - metric_on(baseline, metric), diffs, level);
  d.baseline_seeds = d.candidate_seeds = 1;
  return d;
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) throw std::invalid_argument("percentile of nothing");
  std::sort(v.begin(), v.end());
  const double pos = q / 100.0 * (v.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, v.size() - 1);
  // numpy's _lerp: from the upper neighbour when the weight is at least one half.
  const double t = pos - lo, diff = v[hi] - v[lo];
  return t >= 0.5 ? v[hi] - diff * (1 - t) : v[lo] + diff * t;
}

}  // namespace fer::stats
