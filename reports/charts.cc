#include "reports/charts.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/error.h"
#include "datasets/image_io.h"

namespace fer::reports {
namespace {

const cv::Scalar kColours[] = {{180, 119, 31}, {14, 127, 255}, {44, 160, 44}, {40, 39, 214}, {189, 103, 148}};

void save(const std::string& path, const cv::Mat& img) {
  datasets::write_png(path, img);
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), std::abs(v) >= 100 ? "%.0f" : "%.3g", v);
  return buf;
}

}  // namespace

void write_curve_png(const std::string& path, const std::string& title, const std::vector<Series>& series) {
  const int w = 640, h = 360, left = 60, right = 160, top = 36, bottom = 44;
  cv::Mat img(h, w, CV_8UC3, cv::Scalar(255, 255, 255));
  double lo = INFINITY, hi = -INFINITY;
  size_t n = 0;
  for (const auto& s : series) {
    n = std::max(n, s.values.size());
    for (double v : s.values) {
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    }
  }
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  if (hi - lo < 1e-9) hi = lo + 1;
  const double pad = 0.05 * (hi - lo);
  lo -= pad;
  hi += pad;
  const int pw = w - left - right, ph = h - top - bottom;
  auto px = [&](size_t i) { return left + (n <= 1 ? pw / 2 : static_cast<int>(i * pw / (n - 1))); };
  auto py = [&](double v) { return top + static_cast<int>((hi - v) / (hi - lo) * ph); };
  cv::putText(img, title, {left, 24}, cv::FONT_HERSHEY_SIMPLEX, 0.55, {0, 0, 0}, 1, cv::LINE_AA);
  cv::rectangle(img, {left, top}, {left + pw, top + ph}, {0, 0, 0});
  for (int t = 0; t <= 4; ++t) {
    const double v = lo + (hi - lo) * t / 4;
    cv::line(img, {left, py(v)}, {left + pw, py(v)}, {225, 225, 225});
    cv::putText(img, fmt(v), {4, py(v) + 4}, cv::FONT_HERSHEY_PLAIN, 0.9, {60, 60, 60}, 1, cv::LINE_AA);
  }
  for (size_t i = 0; i < n; ++i) {
    cv::putText(img, std::to_string(i + 1), {px(i) - 4, top + ph + 16}, cv::FONT_HERSHEY_PLAIN, 0.9, {60, 60, 60});
  }
  cv::putText(img, "epoch", {left + pw / 2 - 20, h - 8}, cv::FONT_HERSHEY_PLAIN, 1.0, {0, 0, 0});
  for (size_t k = 0; k < series.size(); ++k) {
    const cv::Scalar colour = kColours[k % 5];
    const auto& v = series[k].values;
    for (size_t i = 0; i < v.size(); ++i) {
      if (!std::isfinite(v[i])) continue;
      cv::circle(img, {px(i), py(v[i])}, 3, colour, -1, cv::LINE_AA);
      if (i > 0 && std::isfinite(v[i - 1])) cv::line(img, {px(i - 1), py(v[i - 1])}, {px(i), py(v[i])}, colour, 2, cv::LINE_AA);
    }
    const int y = top + 14 + static_cast<int>(k) * 20;
    cv::line(img, {w - right + 12, y - 4}, {w - right + 32, y - 4}, colour, 2);
    cv::putText(img, series[k].label, {w - right + 38, y}, cv::FONT_HERSHEY_PLAIN, 1.0, {0, 0, 0}, 1, cv::LINE_AA);
  }
  save(path, img);
}

void write_confusion_png(const std::string& path, const std::vector<int64_t>& counts,
                         const std::vector<std::string>& names) {
  const int k = static_cast<int>(names.size());
  if (k == 0 || counts.size() != static_cast<size_t>(k) * k) {
    throw Error("write chart", path, 0, "confusion", "expected " + std::to_string(k * k) + " counts");
  }
  const int cell = 56, left = 96, top = 40;
  cv::Mat img(top + k * cell + 70, left + k * cell + 20, CV_8UC3, cv::Scalar(255, 255, 255));
  cv::putText(img, "true (rows) vs predicted (columns), row-normalised", {8, 22}, cv::FONT_HERSHEY_PLAIN, 1.0, {0, 0, 0});
  for (int i = 0; i < k; ++i) {
    int64_t row = 0;
    for (int j = 0; j < k; ++j) row += counts[i * k + j];
    for (int j = 0; j < k; ++j) {
      const double share = row ? static_cast<double>(counts[i * k + j]) / row : 0;
      const cv::Scalar colour(255 - 200 * share, 255 - 150 * share, 255 - 60 * share);
      const cv::Rect r(left + j * cell, top + i * cell, cell, cell);
      cv::rectangle(img, r, colour, -1);
      cv::rectangle(img, r, {200, 200, 200});
      cv::putText(img, std::to_string(counts[i * k + j]), {r.x + 8, r.y + cell / 2 + 5}, cv::FONT_HERSHEY_PLAIN, 1.0,
                  share > 0.5 ? cv::Scalar(255, 255, 255) : cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
    }
    cv::putText(img, names[i].substr(0, 9), {4, top + i * cell + cell / 2 + 5}, cv::FONT_HERSHEY_PLAIN, 1.0, {0, 0, 0});
    cv::putText(img, names[i].substr(0, 4), {left + i * cell + 8, top + k * cell + 18}, cv::FONT_HERSHEY_PLAIN, 1.0, {0, 0, 0});
  }
  save(path, img);
}

}  // namespace fer::reports
