// Tests and decisions beside the paired bootstrap (issue #32): McNemar's exact test on two
// classifiers' correctness over the same samples, Holm's step-down correction over a family of
// claims, and the verdict a claim gets.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stats/outputs.h"

namespace fer::stats {

struct McNemar {
  int64_t baseline_only = 0;   ///< b: the baseline right, the candidate wrong.
  int64_t candidate_only = 0;  ///< c: the candidate right, the baseline wrong.
  double p_value = 1;          ///< Exact two-sided: scipy.stats.binomtest(b, b + c, 0.5).
};

/// McNemar's exact test on the samples each classifier gets right. Throws
/// std::invalid_argument when the outputs are not over the same rows (sizes or truths differ).
McNemar mcnemar_exact(const SampleOutputs& baseline, const SampleOutputs& candidate);

/// The exact two-sided binomial p-value of k successes in n trials at p = 1/2:
/// min(1, 2 * P(X <= min(k, n - k))); 1 when n is 0. Precondition: 0 <= k <= n.
double binomial_two_sided_half(int64_t k, int64_t n);

/// Holm's step-down adjusted p-values, in the input order: sorted ascending, p_(i) becomes
/// max over j <= i of min(1, (m - j + 1) p_(j)) (statsmodels' multipletests(method="holm")).
std::vector<double> holm_adjust(const std::vector<double>& p_values);

enum class Verdict { kSupported, kNotSignificant, kReversed };

/// A claim that the candidate beats the baseline: supported when the (adjusted) p-value is
/// below alpha and the difference is positive, reversed when below alpha and negative, else not
/// significant.
Verdict verdict_of(double delta, double adjusted_p, double alpha = 0.05);

/// "supported", "not significant", "reversed".
std::string verdict_name(Verdict verdict);

}  // namespace fer::stats
