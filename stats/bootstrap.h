// The paired bootstrap over validation samples (Koehn 2004, as sacreBLEU's --paired-bs runs it:
// one fixed seed, 1,000 resamples, the same resampled rows for both systems), extended to runs
// with several seeds (issue #32): each resample first draws each configuration's seeds with
// replacement, then one set of rows shared by all of them, and compares the means over the drawn
// seeds. The interval is the percentile interval of the resampled differences (numpy's
// percentile, linear interpolation); the p-value is two-sided, from the resampled differences
// shifted to mean zero (the null), with sacreBLEU's +1 correction: (#{|d* - mean d*| >= |d|} +
// 1) / (R + 1).
#pragma once

#include <cstdint>
#include <vector>

#include "stats/outputs.h"

namespace fer::stats {

struct BootstrapOptions {
  int resamples = 1000;   ///< R; sacreBLEU's default.
  uint64_t seed = 12345;  ///< sacreBLEU's default seed (SACREBLEU_SEED).
  double level = 0.95;    ///< Two-sided interval level.
};

/// Rows of each resample: R vectors of n indices drawn uniformly from [0, n) with replacement
/// (splitmix64 from `seed`; the same plan for the same arguments on every platform).
std::vector<std::vector<int32_t>> resample_rows(int64_t n, int resamples, uint64_t seed);

struct Difference {
  double delta = 0;          ///< candidate - baseline on all rows (means over seeds).
  double low = 0, high = 0;  ///< The percentile interval of the resampled differences.
  double p_value = 1;        ///< Two-sided, as above.
  int resamples = 0;         ///< R.
  uint64_t seed = 0;         ///< The bootstrap's seed.
  double level = 0.95;       ///< The interval's level.
  int baseline_seeds = 0, candidate_seeds = 0;
};

/// The paired bootstrap of `metric`, candidate minus baseline. Each side holds one
/// SampleOutputs per training seed, all over the same rows. Throws std::invalid_argument when a
/// side is empty, the row counts or class counts differ, a side lacks the metric, or options
/// are out of range (resamples >= 100, 0.5 <= level < 1).
Difference paired_bootstrap(const std::vector<SampleOutputs>& baseline,
                            const std::vector<SampleOutputs>& candidate, Metric metric,
                            const BootstrapOptions& options = {});

/// The single-seed paired bootstrap over a given plan of rows (e.g. numpy's, to compare with a
/// reference implementation). options.resamples and options.seed are not used.
Difference paired_bootstrap_on(const SampleOutputs& baseline, const SampleOutputs& candidate,
                               Metric metric, const std::vector<std::vector<int32_t>>& plan,
                               double level = 0.95);

/// numpy.percentile(values, q) (linear interpolation between closest ranks); q in [0, 100].
double percentile(std::vector<double> values, double q);

}  // namespace fer::stats
