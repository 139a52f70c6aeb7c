#include "metrics/regression.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace fer::metrics {
namespace {

struct Moments {
  double mean_x = 0, mean_y = 0, var_x = 0, var_y = 0, cov = 0;  // Population (1/N).
};

void check_sizes(const char* what, const std::vector<double>& a, const std::vector<double>& b) {
  if (a.empty() || a.size() != b.size()) {
    throw std::invalid_argument(std::string(what) + ": need equal, non-zero lengths, got " +
                                std::to_string(a.size()) + " predictions and " +
                                std::to_string(b.size()) + " targets");
  }
}

// Two passes (means, then centred sums) for accuracy on large splits.
Moments moments(const std::vector<double>& x, const std::vector<double>& y) {
  Moments m;
  const double n = static_cast<double>(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    m.mean_x += x[i];
    m.mean_y += y[i];
  }
  m.mean_x /= n;
  m.mean_y /= n;
  for (size_t i = 0; i < x.size(); ++i) {
    const double dx = x[i] - m.mean_x, dy = y[i] - m.mean_y;
    m.var_x += dx * dx;
    m.var_y += dy * dy;
    m.cov += dx * dy;
  }
  m.var_x /= n;
  m.var_y /= n;
  m.cov /= n;
  return m;
}

int sign(double v) { return (v > 0) - (v < 0); }

}  // namespace

double ccc(const std::vector<double>& predicted, const std::vector<double>& truth) {
  check_sizes("ccc", predicted, truth);
  Moments m = moments(predicted, truth);
  const double diff = m.mean_x - m.mean_y;
  const double denom = m.var_x + m.var_y + diff * diff;
  if (denom == 0.0) return 1.0;  // Identical constants agree perfectly.
  return 2.0 * m.cov / denom;
}

double pcc(const std::vector<double>& predicted, const std::vector<double>& truth) {
  check_sizes("pcc", predicted, truth);
  Moments m = moments(predicted, truth);
  if (m.var_x == 0.0 || m.var_y == 0.0) return 0.0;
  return m.cov / std::sqrt(m.var_x * m.var_y);
}

double rmse(const std::vector<double>& predicted, const std::vector<double>& truth) {
  check_sizes("rmse", predicted, truth);
  double sum = 0.0;
  for (size_t i = 0; i < predicted.size(); ++i) {
    const double d = predicted[i] - truth[i];
    sum += d * d;
  }
  return std::sqrt(sum / static_cast<double>(predicted.size()));
}

double sagr(const std::vector<double>& predicted, const std::vector<double>& truth) {
  check_sizes("sagr", predicted, truth);
  size_t agree = 0;
  for (size_t i = 0; i < predicted.size(); ++i) agree += sign(predicted[i]) == sign(truth[i]);
  return static_cast<double>(agree) / static_cast<double>(predicted.size());
}

RegressionScores regression_scores(const std::vector<double>& predicted,
                                   const std::vector<double>& truth) {
  return {ccc(predicted, truth), pcc(predicted, truth), rmse(predicted, truth),
          sagr(predicted, truth)};
}

double affwild2_va_score(double ccc_valence, double ccc_arousal) {
  return 0.5 * (ccc_valence + ccc_arousal);
}

}  // namespace fer::metrics
