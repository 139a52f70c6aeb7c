#include "stats/significance.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace fer::stats {

McNemar mcnemar_exact(const SampleOutputs& a, const SampleOutputs& b) {
  if (a.size() != b.size() || a.truth != b.truth || a.predicted.size() != b.predicted.size()) {
    throw std::invalid_argument("McNemar: the runs were not evaluated on the same rows");
  }
  McNemar m;
  for (int64_t i = 0; i < a.size(); ++i) {
    const bool right_a = a.predicted[i] == a.truth[i], right_b = b.predicted[i] == b.truth[i];
    m.baseline_only += right_a && !right_b;
    m.candidate_only += right_b && !right_a;
  }
  m.p_value = binomial_two_sided_half(m.candidate_only, m.baseline_only + m.candidate_only);
  return m;
}

double binomial_two_sided_half(int64_t k, int64_t n) {
  if (k < 0 || k > n) throw std::invalid_argument("binomial: k outside [0, n]");
  if (n == 0) return 1.0;
  const int64_t tail = std::min(k, n - k);
  if (2 * tail == n) return 1.0;  // The middle of a symmetric distribution.
  // P(X <= tail) summed in log space from the largest term down (the terms grow with i).
  const double log_half_n = -static_cast<double>(n) * std::log(2.0);
  const auto log_term = [&](int64_t i) {
    return std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) + log_half_n;
  };
  const double top = log_term(tail);
  double sum = 0;
  for (int64_t i = tail; i >= 0; --i) {
    const double term = std::exp(log_term(i) - top);
    sum += term;
    if (term < 1e-18 * sum) break;
  }
  return std::min(1.0, 2.0 * std::exp(top) * sum);
}

std::vector<double> holm_adjust(const std::vector<double>& p) {
  const size_t m = p.size();
  std::vector<size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
  std::vector<double> adjusted(m);
  double running = 0;
  for (size_t j = 0; j < m; ++j) {
    running = std::max(running, std::min(1.0, static_cast<double>(m - j) * p[order[j]]));
    adjusted[order[j]] = running;
  }
  return adjusted;
}

Verdict verdict_of(double delta, double adjusted_p, double alpha) {
  if (!(adjusted_p < alpha) || delta == 0) return Verdict::kNotSignificant;
  return delta > 0 ? Verdict::kSupported : Verdict::kReversed;
}

std::string verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kSupported:
      return "supported";
    case Verdict::kNotSignificant:
      return "not significant";
    case Verdict::kReversed:
      return "reversed";
  }
  return "?";
}

}  // namespace fer::stats
