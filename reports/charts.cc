#include "reports/charts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <opencv2/imgproc.hpp>

#include "core/error.h"
#include "imaging/image_io.h"

namespace fer::reports {
namespace {

const cv::Scalar kColours[] = {
    {180, 119, 31}, {14, 127, 255}, {44, 160, 44}, {40, 39, 214}, {189, 103, 148}};

void save(const std::string& path, const cv::Mat& img) { imaging::write_png(path, img); }

void text(cv::Mat& img, const std::string& s, cv::Point at, double scale,
          const cv::Scalar& colour = {0, 0, 0}) {
  cv::putText(img, s, at, cv::FONT_HERSHEY_SIMPLEX, scale, colour, 1, cv::LINE_AA);
}

int text_width(const std::string& s, double scale) {
  int baseline = 0;
  return cv::getTextSize(s, cv::FONT_HERSHEY_SIMPLEX, scale, 1, &baseline).width;
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int max_ticks, bool integer) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) return {0, 1};
  if (lo > hi) std::swap(lo, hi);
  if (hi - lo < 1e-12 * std::max(1.0, std::abs(hi))) lo -= 0.5, hi += 0.5;
  max_ticks = std::max(max_ticks, 2);
  const double raw = (hi - lo) / (max_ticks - 1);
  auto count = [&](double step) {
    return std::ceil(hi / step - 1e-9) - std::floor(lo / step + 1e-9) + 1;
  };
  double step = 0;
  for (double magnitude = std::pow(10.0, std::floor(std::log10(raw))); step == 0; magnitude *= 10) {
    for (double m : {1.0, 2.0, 5.0}) {
      if ((!integer || m * magnitude >= 1) && count(m * magnitude) <= max_ticks) {
        step = m * magnitude;
        break;
      }
    }
  }
  std::vector<double> ticks;
  const double first = std::floor(lo / step + 1e-9), last = std::ceil(hi / step - 1e-9);
  for (double k = first; k <= last + 1e-9; ++k) ticks.push_back(k * step == 0 ? 0.0 : k * step);
  return ticks;
}

std::string tick_label(double value, double step) {
  const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, std::abs(value) < step * 1e-6 ? 0.0 : value);
  return buf;
}

void write_curve_png(const std::string& path, const std::string& title, const std::string& y_label,
                     const std::vector<Series>& series) {
  const int w = 800, h = 450, left = 84, right = 190, top = 44, bottom = 64;
  cv::Mat img(h, w, CV_8UC3, cv::Scalar(255, 255, 255));
  double lo = INFINITY, hi = -INFINITY;
  size_t n = 0;
  for (const auto& s : series) {
    n = std::max(n, s.values.size());
    for (double v : s.values) {
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    }
  }
  const std::vector<double> yt = nice_ticks(lo, hi, 6);
  const double ystep = yt.size() > 1 ? yt[1] - yt[0] : 1;
  lo = yt.front(), hi = yt.back();
  const int pw = w - left - right, ph = h - top - bottom;
  auto px = [&](size_t i) { return left + (n <= 1 ? pw / 2 : static_cast<int>(i * pw / (n - 1))); };
  auto py = [&](double v) {
    return top + static_cast<int>(std::lround((hi - v) / (hi - lo) * ph));
  };
  text(img, title, {left, 28}, 0.7);
  for (double v : yt) {
    cv::line(img, {left, py(v)}, {left + pw, py(v)}, {225, 225, 225});
    const std::string label = tick_label(v, ystep);
    text(img, label, {left - 8 - text_width(label, 0.5), py(v) + 6}, 0.5, {60, 60, 60});
  }
  // Epoch ticks at round epoch numbers (1-2-5 steps), so long runs stay legible.
  const std::vector<double> xt =
      nice_ticks(1, static_cast<double>(std::max<size_t>(n, 1)), 11, /*integer=*/true);
  for (double e : xt) {
    if (e < 1 || e > static_cast<double>(std::max<size_t>(n, 1))) continue;
    const int x = px(static_cast<size_t>(e) - 1);
    cv::line(img, {x, top + ph}, {x, top + ph + 5}, {0, 0, 0});
    const std::string label = tick_label(e, 1);
    text(img, label, {x - text_width(label, 0.5) / 2, top + ph + 24}, 0.5, {60, 60, 60});
  }
  cv::rectangle(img, {left, top}, {left + pw, top + ph}, {0, 0, 0});
  text(img, "epoch", {left + pw / 2 - text_width("epoch", 0.55) / 2, h - 14}, 0.55);
  // The y axis label, written horizontally then rotated to read bottom to top.
  cv::Mat label(28, std::max(text_width(y_label, 0.55) + 8, 1), CV_8UC3, cv::Scalar(255, 255, 255));
  text(label, y_label, {4, 20}, 0.55);
  cv::Mat rotated;
  cv::rotate(label, rotated, cv::ROTATE_90_COUNTERCLOCKWISE);
  const int ly = std::max(0, top + ph / 2 - rotated.rows / 2);
  if (rotated.rows <= h - ly) rotated.copyTo(img(cv::Rect(6, ly, rotated.cols, rotated.rows)));
  for (size_t k = 0; k < series.size(); ++k) {
    const cv::Scalar colour = kColours[k % 5];
    const auto& v = series[k].values;
    for (size_t i = 0; i < v.size(); ++i) {
      if (!std::isfinite(v[i])) continue;
      cv::circle(img, {px(i), py(v[i])}, 4, colour, -1, cv::LINE_AA);
      if (i > 0 && std::isfinite(v[i - 1]))
        cv::line(img, {px(i - 1), py(v[i - 1])}, {px(i), py(v[i])}, colour, 2, cv::LINE_AA);
    }
    const int y = top + 18 + static_cast<int>(k) * 26;
    cv::line(img, {w - right + 14, y - 6}, {w - right + 38, y - 6}, colour, 3);
    text(img, series[k].label, {w - right + 46, y}, 0.55);
  }
  save(path, img);
}

void write_confusion_png(const std::string& path, const std::vector<int64_t>& counts,
                         const std::vector<std::string>& names) {
  const int k = static_cast<int>(names.size());
  if (k == 0 || counts.size() != static_cast<size_t>(k) * k) {
    throw Error("write chart", path, 0, "confusion",
                "expected " + std::to_string(k * k) + " counts");
  }
  const int cell = 56, left = 96, top = 40;
  cv::Mat img(top + k * cell + 70, left + k * cell + 20, CV_8UC3, cv::Scalar(255, 255, 255));
  cv::putText(img, "true (rows) vs predicted (columns), row-normalised", {8, 22},
              cv::FONT_HERSHEY_PLAIN, 1.0, {0, 0, 0});
  for (int i = 0; i < k; ++i) {
    int64_t row = 0;
    for (int j = 0; j < k; ++j) row += counts[i * k + j];
    for (int j = 0; j < k; ++j) {
      const double share = row ? static_cast<double>(counts[i * k + j]) / row : 0;
      const cv::Scalar colour(255 - 200 * share, 255 - 150 * share, 255 - 60 * share);
      const cv::Rect r(left + j * cell, top + i * cell, cell, cell);
      cv::rectangle(img, r, colour, -1);
      cv::rectangle(img, r, {200, 200, 200});
      cv::putText(img, std::to_string(counts[i * k + j]), {r.x + 8, r.y + cell / 2 + 5},
                  cv::FONT_HERSHEY_PLAIN, 1.0,
                  share > 0.5 ? cv::Scalar(255, 255, 255) : cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
    }
    cv::putText(img, names[i].substr(0, 9), {4, top + i * cell + cell / 2 + 5},
                cv::FONT_HERSHEY_PLAIN, 1.0, {0, 0, 0});
    cv::putText(img, names[i].substr(0, 4), {left + i * cell + 8, top + k * cell + 18},
                cv::FONT_HERSHEY_PLAIN, 1.0, {0, 0, 0});
  }
  save(path, img);
}

}  // namespace fer::reports
