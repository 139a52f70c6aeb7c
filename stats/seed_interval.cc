#include "stats/seed_interval.h"

#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <stdexcept>
#include <string>

namespace fer::stats {

double student_t_quantile(double p, int dof) {
  if (dof < 1 || !(p > 0 && p < 1))
    throw std::domain_error("student_t_quantile: needs dof >= 1 and 0 < p < 1");
  return boost::math::quantile(boost::math::students_t_distribution<double>(dof), p);
}

MeanDifference seed_mean_difference(const SeedSummary& b, const SeedSummary& c, double level) {
  if (b.n < 1 || c.n < 1 || b.n + c.n < 3) {
    throw std::invalid_argument(
        "seed_mean_difference: needs n >= 1 on each side and 3 in all, got " + std::to_string(b.n) +
        " and " + std::to_string(c.n));
  }
  MeanDifference d;
  d.dof = b.n + c.n - 2;
  const double pooled =
      ((b.n - 1) * b.std * b.std + (c.n - 1) * c.std * c.std) / static_cast<double>(d.dof);
  const double se = std::sqrt(pooled * (1.0 / b.n + 1.0 / c.n));
  d.delta = c.mean - b.mean;
  d.half_width = student_t_quantile(0.5 + level / 2, d.dof) * se;
  d.low = d.delta - d.half_width;
  d.high = d.delta + d.half_width;
  return d;
}

double smallest_detectable_drop(const SeedSummary& baseline, int candidate_seeds, double tolerance,
                                double level) {
  SeedSummary candidate{baseline.mean, baseline.std, candidate_seeds};
  return tolerance + seed_mean_difference(baseline, candidate, level).half_width;
}

}  // namespace fer::stats
