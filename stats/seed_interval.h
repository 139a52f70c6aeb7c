// The regression gate's interval (issue #32, item 5): the difference between a candidate's and
// a baseline's mean metric over training seeds, with its two-sided Student t interval (pooled
// variance: the baseline's measured seed spread, and the candidate's own where it has several
// seeds), and the smallest drop the gate detects with it.
#pragma once

namespace fer::stats {

/// A configuration's metric over its seeds: mean, sample standard deviation (n - 1), count.
struct SeedSummary {
  double mean = 0, std = 0;
  int n = 0;
};

struct MeanDifference {
  double delta = 0;  ///< candidate mean - baseline mean.
  double low = 0, high = 0;
  double half_width = 0;  ///< t quantile x standard error.
  int dof = 0;            ///< n_baseline + n_candidate - 2.
};

/// The quantile p of Student's t distribution with `dof` degrees of freedom (Boost.Math;
/// scipy.stats.t.ppf). Throws std::domain_error for dof < 1 or p outside (0, 1).
double student_t_quantile(double p, int dof);

/// Two-sample t interval of candidate - baseline at `level`, variances pooled
/// (scipy.stats.ttest_ind(..., equal_var=True).confidence_interval()): with one candidate run
/// its variance is the baseline's, so dof = n_baseline - 1. Throws std::invalid_argument when
/// n_baseline + n_candidate < 3 or a count is below 1.
MeanDifference seed_mean_difference(const SeedSummary& baseline, const SeedSummary& candidate,
                                    double level = 0.95);

/// The drop (in the metric's unit, positive) that the gate flags half the time when a check
/// runs `candidate_seeds` seeds: tolerance + the interval's half-width with the baseline's
/// spread, i.e. where the expected interval's far end reaches -tolerance.
double smallest_detectable_drop(const SeedSummary& baseline, int candidate_seeds, double tolerance,
                                double level = 0.95);

}  // namespace fer::stats
