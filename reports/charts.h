// PNG charts drawn with OpenCV for the per-run report pages: per-epoch curves and the
// confusion matrix.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fer::reports {

struct Series {
  std::string label;
  std::vector<double> values;  // One per epoch; NaN values are skipped.
};

/// Round tick values covering [lo, hi]: a step of 1, 2 or 5 x 10^k giving at most `max_ticks`
/// ticks, from the largest multiple of the step <= lo to the smallest >= hi. lo == hi widens to
/// a unit around the value; non-finite bounds give {0, 1}. `integer`: a step of at least 1.
std::vector<double> nice_ticks(double lo, double hi, int max_ticks, bool integer = false);

/// A tick's label with just the decimals its step needs (step 0.05: "0.35"; step 20: "140").
std::string tick_label(double value, double step);

/// Line chart of series over epochs 1..N: y ticks at round values (nice_ticks), labelled axes
/// ("epoch" and `y_label`, with its unit), and a legend. Throws fer::Error when the file cannot
/// be written.
void write_curve_png(const std::string& path, const std::string& title, const std::string& y_label,
                     const std::vector<Series>& series);

/// Row-normalised confusion heatmap with counts, class names on both axes.
void write_confusion_png(const std::string& path, const std::vector<int64_t>& counts,
                         const std::vector<std::string>& class_names);

}  // namespace fer::reports
