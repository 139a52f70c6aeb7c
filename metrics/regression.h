// Valence/arousal metrics over a whole split (paper Sec. IV-B): CCC, PCC,
// RMSE and SAGR, plus the Aff-Wild2 challenge's mean CCC.
//
// CCC here is Lin's concordance correlation coefficient with population
// (1/N) moments, as the Aff-Wild2 challenge evaluates it:
//   CCC = 2 cov(x, y) / (var(x) + var(y) + (mean(x) - mean(y))^2).
// The training loss (metrics/ccc_loss.h) follows the reference code instead.
// No LibTorch dependency.
#pragma once

#include <vector>

namespace fer::metrics {

// All functions take predictions and targets of equal, non-zero length and
// throw std::invalid_argument otherwise. Accumulation is in double.

// Concordance correlation coefficient in [-1, 1]; 0 when both inputs are constant and
// their means differ, 1 when both are identical constants.
double ccc(const std::vector<double>& predicted, const std::vector<double>& truth);
// Pearson correlation; 0 when either input is constant.
double pcc(const std::vector<double>& predicted, const std::vector<double>& truth);
// Root mean squared error, in label units.
double rmse(const std::vector<double>& predicted, const std::vector<double>& truth);
// Sign agreement: fraction of samples whose signs agree (sign(0) = 0).
double sagr(const std::vector<double>& predicted, const std::vector<double>& truth);

// The four metrics for one dimension (valence or arousal).
struct RegressionScores {
  double ccc = 0.0;
  double pcc = 0.0;
  double rmse = 0.0;
  double sagr = 0.0;
};
RegressionScores regression_scores(const std::vector<double>& predicted,
                                   const std::vector<double>& truth);

// Aff-Wild2 challenge valence-arousal score: (CCC_valence + CCC_arousal) / 2.
double affwild2_va_score(double ccc_valence, double ccc_arousal);

}  // namespace fer::metrics
