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

/// Line chart of series over epochs 1..N with axes, ticks and a legend. Throws fer::Error when
/// the file cannot be written.
void write_curve_png(const std::string& path, const std::string& title, const std::vector<Series>& series);

/// Row-normalised confusion heatmap with counts, class names on both axes.
void write_confusion_png(const std::string& path, const std::vector<int64_t>& counts,
                         const std::vector<std::string>& class_names);

}  // namespace fer::reports
