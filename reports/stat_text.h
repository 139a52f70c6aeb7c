// How the reports print statistics (issue #32): accuracies and F1 in percentage points, CCC as
// it is, differences signed with a true minus sign, p-values to three decimals.
#pragma once

#include <string>

#include "stats/bootstrap.h"

namespace fer::reports {

/// True for metrics printed in points (accuracy, macro F1, mean-class accuracy); false for CCC.
bool in_points(const std::string& metric);
/// "12.34" (points: 100 v, two decimals) or "0.123" (three decimals).
std::string number_text(double v, bool points);
/// "+1.23" or "−1.23" (U+2212), as number_text.
std::string signed_text(double v, bool points);
/// "<0.001" or "0.042".
std::string p_text(double p);
/// "+1.23 [−0.50, +2.90]": a difference with its interval, in the metric's unit; "–" for none.
std::string difference_text(const stats::Difference* d, const std::string& metric);

}  // namespace fer::reports
