#include "datasets/transforms.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "core/hash.h"

namespace fer::datasets {
namespace {

constexpr double kPi = 3.14159265358979323846;
const float kMean[3] = {0.485f, 0.456f, 0.406f};  // ImageNet, RGB.
const float kStd[3] = {0.229f, 0.224f, 0.225f};

cv::Matx33d to3(const cv::Matx23d& m) {
  return {m(0, 0), m(0, 1), m(0, 2), m(1, 0), m(1, 1), m(1, 2), 0, 0, 1};
}

// The warp t applied after m (both map pixel coordinates forward).
cv::Matx23d after(const cv::Matx23d& t, const cv::Matx33d& m) {
  const cv::Matx33d r = to3(t) * m;
  return {r(0, 0), r(0, 1), r(0, 2), r(1, 0), r(1, 1), r(1, 2)};
}

// cv::getRotationMatrix2D's matrix: rotation by `deg` (counter-clockwise on screen) about c.
cv::Matx33d rotation_about(double cx, double cy, double deg) {
  const double a = std::cos(deg * kPi / 180), b = std::sin(deg * kPi / 180);
  return {a, b, (1 - a) * cx - b * cy, -b, a, b * cx + (1 - a) * cy, 0, 0, 1};
}

// The part of an image (size `image`) that the n x n output of warp `t` (downscaling by
// `scale`) reads: its corners mapped back, widened by the area pre-shrink's and the bilinear
// kernel's reach, and clipped to the image. Empty when the output lies wholly outside.
cv::Rect source_region(const cv::Matx23d& t, int n, double scale, const cv::Size& image) {
  cv::Matx23d inv;
  cv::invertAffineTransform(t, inv);
  double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
  for (const double x : {-0.5, n - 0.5}) {
    for (const double y : {-0.5, n - 0.5}) {
      const double sx = inv(0, 0) * x + inv(0, 1) * y + inv(0, 2),
                   sy = inv(1, 0) * x + inv(1, 1) * y + inv(1, 2);
      x0 = std::min(x0, sx), x1 = std::max(x1, sx), y0 = std::min(y0, sy), y1 = std::max(y1, sy);
    }
  }
  const double margin = 2 * std::floor(1 / scale) + 2;  // Two shrunk pixels, and rounding.
  const cv::Rect wanted(
      cv::Point(static_cast<int>(std::floor(std::max(x0 - margin, -1.0))),
                static_cast<int>(std::floor(std::max(y0 - margin, -1.0)))),
      cv::Point(static_cast<int>(std::ceil(std::min(x1 + margin, image.width + 1.0))),
                static_cast<int>(std::ceil(std::min(y1 + margin, image.height + 1.0)))));
  return wanted & cv::Rect(0, 0, image.width, image.height);
}

}  // namespace

void normalise_to_chw(const cv::Mat& image, bool bgr, float* out) {
  // (v / 255 - mean) / std for every byte v, per RGB channel: ToTensor and Normalize's float
  // expression, looked up instead of computed per pixel.
  static const struct Table {
    float value[3][256];
    Table() {
      for (int c = 0; c < 3; ++c) {
        for (int v = 0; v < 256; ++v) value[c][v] = (v / 255.f - kMean[c]) / kStd[c];
      }
    }
  } table;
  CV_Assert(image.type() == CV_8UC3 && image.rows == image.cols);
  const int n = image.rows, red = bgr ? 2 : 0, blue = bgr ? 0 : 2;
  const size_t plane = static_cast<size_t>(n) * n;
  for (int y = 0; y < n; ++y) {
    const uint8_t* row = image.ptr<uint8_t>(y);
    float* r = out + static_cast<size_t>(y) * n;
    for (int x = 0; x < n; ++x) {
      r[x] = table.value[0][row[3 * x + red]];
      r[plane + x] = table.value[1][row[3 * x + 1]];
      r[2 * plane + x] = table.value[2][row[3 * x + blue]];
    }
  }
}

uint64_t sample_seed(uint64_t seed, int64_t epoch, int64_t index) {
  uint64_t state = seed;
  uint64_t h = splitmix64(state) ^ static_cast<uint64_t>(epoch) * 0xD1B54A32D192ED03ull;
  state = h;
  h = splitmix64(state) ^ static_cast<uint64_t>(index) * 0x9E3779B97F4A7C15ull;
  state = h;
  return splitmix64(state);
}

Augmentation draw_augmentation(const TransformOptions& options, uint64_t seed) {
  Augmentation aug;
  if (!options.augment) return aug;
  uint64_t state = seed;
  aug.flip = options.flip && uniform01(state) < 0.5;
  aug.rotation_deg = (2 * uniform01(state) - 1) * options.max_rotation_deg;
  const double j = options.color_jitter;
  aug.brightness = 1 + (2 * uniform01(state) - 1) * j;
  aug.contrast = 1 + (2 * uniform01(state) - 1) * j;
  aug.saturation = 1 + (2 * uniform01(state) - 1) * j;
  return aug;
}

cv::Matx23d sample_affine(const Sample& s, int source_width, int source_height,
                          const TransformOptions& options, const Augmentation& aug) {
  const double size = options.output_size;
  cv::Matx33d align = cv::Matx33d::eye();
  double x0 = 0, y0 = 0, w = source_width, h = source_height;
  if (s.has_geometry) {
    // Reference aligner: angle of the eye line, rotation about the eyes' midpoint.
    const double dx = s.right_eye.x - s.left_eye.x, dy = s.right_eye.y - s.left_eye.y;
    const double angle = dx == 0 ? (dy > 0 ? 90.0 : -90.0) : std::atan(dy / dx) * 180 / kPi;
    align = rotation_about((s.left_eye.x + s.right_eye.x) / 2, (s.left_eye.y + s.right_eye.y) / 2,
                           angle);
    // The box's top-left corner goes through the same rotation; its size stays.
    const cv::Vec3d corner = align * cv::Vec3d(s.box_x, s.box_y, 1);
    x0 = corner[0];
    y0 = corner[1];
    w = s.box_w;
    h = s.box_h;
  }
  // Crop + resize with pixel centres: q = (p - p0 + 0.5) * size / extent - 0.5.
  const double sx = size / w, sy = size / h;
  cv::Matx33d crop(sx, 0, (0.5 - x0) * sx - 0.5, 0, sy, (0.5 - y0) * sy - 0.5, 0, 0, 1);
  cv::Matx33d flip = cv::Matx33d::eye();
  if (aug.flip) flip = cv::Matx33d(-1, 0, size - 1, 0, 1, 0, 0, 0, 1);
  const double c = (size - 1) / 2;
  const cv::Matx33d t = rotation_about(c, c, aug.rotation_deg) * flip * crop * align;
  return {t(0, 0), t(0, 1), t(0, 2), t(1, 0), t(1, 1), t(1, 2)};
}

double required_decode_scale(const Sample& s, int width, int height,
                             const TransformOptions& options) {
  const double extent = s.has_geometry ? std::min(s.box_w, s.box_h) : std::min(width, height);
  // Twice the output size: the margin the full-size path keeps too (render_sample shrinks with area
  // averaging to twice the output before its bilinear warp), so both end in the same last step.
  return extent > 0 ? 2.0 * options.output_size / extent : 1.0;
}

void render_sample(const cv::Mat& bgr, const Sample& sample, const TransformOptions& options,
                   const Augmentation& aug, float* out) {
  render_sample(bgr, bgr.cols, bgr.rows, 1.0, sample, options, aug, out);
}

void render_sample(const cv::Mat& bgr, int full_width, int full_height, double decoded_scale,
                   const Sample& sample, const TransformOptions& options, const Augmentation& aug,
                   float* out) {
  CV_Assert(bgr.type() == CV_8UC3 && decoded_scale > 0);
  cv::Matx23d t = sample_affine(sample, full_width, full_height, options, aug);
  if (decoded_scale != 1) {
    // Decoded pixel q holds full-resolution p = (q + 0.5) / scale - 0.5.
    const double f = 1 / decoded_scale;
    t = after(t, cv::Matx33d(f, 0, 0.5 * f - 0.5, 0, f, 0.5 * f - 0.5, 0, 0, 1));
  }
  // Strong downscaling: shrink by an integer factor k with area averaging first (box filter, as
  // PIL's antialiased resize would low-pass), so that the warp's own scale, scale * k, lies in
  // [0.5, 1] and the bilinear warp does not alias. Only the region the crop reads is shrunk, and
  // an integer k takes OpenCV's fast area path (a fractional one took 3x longer).
  const double scale = std::sqrt(std::abs(t(0, 0) * t(1, 1) - t(0, 1) * t(1, 0)));
  const int n = options.output_size;
  cv::Mat source = bgr;
  if (scale < 0.5) {
    const int k = static_cast<int>(std::floor(1 / scale));
    cv::Rect roi = source_region(t, n, scale, bgr.size());
    // Whole multiples of k (from the region's corner; the margin covers what is cut).
    roi.width -= roi.width % k;
    roi.height -= roi.height % k;
    if (roi.empty()) {  // The crop lies wholly outside the image: all zero fill.
      source = cv::Mat::zeros(1, 1, CV_8UC3);
    } else {
      cv::resize(bgr(roi), source, cv::Size(roi.width / k, roi.height / k), 0, 0, cv::INTER_AREA);
      // Shrunk pixel q covers region pixels (q + 0.5) * k - 0.5, at roi's offset in the image.
      t = after(t, cv::Matx33d(k, 0, 0.5 * k - 0.5 + roi.x, 0, k, 0.5 * k - 0.5 + roi.y, 0, 0, 1));
    }
  }
  cv::Mat warped;
  cv::warpAffine(source, warped, t, cv::Size(n, n), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                 cv::Scalar(0, 0, 0));
  const bool jitter = aug.brightness != 1 || aug.contrast != 1 || aug.saturation != 1;
  if (!jitter) return normalise_to_chw(warped, /*bgr=*/true, out);
  const cv::Scalar mean = cv::mean(warped);
  const double mean_gray = mean[0] * 0.114 + mean[1] * 0.587 + mean[2] * 0.299;
  const size_t plane = static_cast<size_t>(n) * n;
  for (int y = 0; y < n; ++y) {
    const uint8_t* row = warped.ptr<uint8_t>(y);
    for (int x = 0; x < n; ++x) {
      float rgb[3] = {row[3 * x + 2] / 255.f, row[3 * x + 1] / 255.f, row[3 * x] / 255.f};
      const float gray = 0.299f * rgb[0] + 0.587f * rgb[1] + 0.114f * rgb[2];
      for (float& v : rgb) {
        v = static_cast<float>(v * aug.brightness);
        v = static_cast<float>((v - mean_gray / 255) * aug.contrast + mean_gray / 255);
        v = static_cast<float>(gray + (v - gray) * aug.saturation);
        v = std::clamp(v, 0.f, 1.f);
      }
      const size_t at = static_cast<size_t>(y) * n + x;
      for (int c = 0; c < 3; ++c) out[c * plane + at] = (rgb[c] - kMean[c]) / kStd[c];
    }
  }
}

}  // namespace fer::datasets
