#include "datasets/reference_transforms.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace fer::datasets {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Python's a // b for ints.
int floor_div(int a, int b) { return static_cast<int>(std::floor(static_cast<double>(a) / b)); }

// Python's round(): half to even, as Pillow's crop rounds its box.
int round_half_even(double v) { return static_cast<int>(std::nearbyint(v)); }

// Python's round(x, 15) for |x| <= 1 (Pillow rounds its rotation matrix so).
double round15(double x) { return std::nearbyint(x * 1e15) / 1e15; }

// Pillow's Resample.c: bilinear filter weights of each output pixel over the input, as fixed
// point with 22 fractional bits (normalize_coeffs_8bpc), and the first input index and count.
struct Coefficients {
  int ksize = 0;
  std::vector<int> first, count;
  std::vector<int> k;  // outSize x ksize.
};

Coefficients precompute(int in_size, int out_size) {
  constexpr int kPrecisionBits = 32 - 8 - 2;
  const double scale = static_cast<double>(in_size) / out_size;
  const double filterscale = std::max(scale, 1.0);
  const double support = 1.0 * filterscale;  // The bilinear filter's support is 1.
  Coefficients c;
  c.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
  c.first.resize(out_size);
  c.count.resize(out_size);
  c.k.assign(static_cast<size_t>(out_size) * c.ksize, 0);
  std::vector<double> w(c.ksize);
  for (int xx = 0; xx < out_size; ++xx) {
    const double center = (xx + 0.5) * scale, ss = 1.0 / filterscale;
    int xmin = static_cast<int>(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = static_cast<int>(center + support + 0.5);
    if (xmax > in_size) xmax = in_size;
    xmax -= xmin;
    double ww = 0;
    for (int x = 0; x < xmax; ++x) {
      const double t = std::abs((x + xmin - center + 0.5) * ss);
      w[x] = t < 1.0 ? 1.0 - t : 0.0;
      ww += w[x];
    }
    for (int x = 0; x < xmax; ++x) {
      const double v = ww != 0.0 ? w[x] / ww : w[x];
      c.k[static_cast<size_t>(xx) * c.ksize + x] =
          static_cast<int>(v < 0 ? -0.5 + v * (1 << kPrecisionBits) : 0.5 + v * (1 << kPrecisionBits));
    }
    c.first[xx] = xmin;
    c.count[xx] = xmax;
  }
  return c;
}

uint8_t clip8(int v) {
  constexpr int kPrecisionBits = 32 - 8 - 2;
  return static_cast<uint8_t>(std::clamp(v >> kPrecisionBits, 0, 255));
}

// One pass of Pillow's resampling along x (horizontal) or y, 8 bits per channel.
cv::Mat resample_pass(const cv::Mat& in, int out_size, bool horizontal) {
  const int in_size = horizontal ? in.cols : in.rows;
  const Coefficients c = precompute(in_size, out_size);
  cv::Mat out(horizontal ? in.rows : out_size, horizontal ? out_size : in.cols, in.type());
  const int cn = in.channels();
  constexpr int kHalf = 1 << (32 - 8 - 2 - 1);
  if (horizontal) {
    CV_Assert(cn == 3);
    for (int y = 0; y < out.rows; ++y) {
      const uint8_t* row = in.ptr<uint8_t>(y);
      uint8_t* o = out.ptr<uint8_t>(y);
      for (int x = 0; x < out_size; ++x) {
        const int* k = &c.k[static_cast<size_t>(x) * c.ksize];
        const uint8_t* src = row + static_cast<size_t>(c.first[x]) * 3;
        int s0 = kHalf, s1 = kHalf, s2 = kHalf;
        for (int t = 0; t < c.count[x]; ++t, src += 3) {
          s0 += src[0] * k[t];
          s1 += src[1] * k[t];
          s2 += src[2] * k[t];
        }
        o[3 * x] = clip8(s0);
        o[3 * x + 1] = clip8(s1);
        o[3 * x + 2] = clip8(s2);
      }
    }
    return out;
  }
  const int values = in.cols * cn;
  std::vector<int> ss(static_cast<size_t>(values));
  for (int y = 0; y < out_size; ++y) {
    const int* k = &c.k[static_cast<size_t>(y) * c.ksize];
    std::fill(ss.begin(), ss.end(), kHalf);
    for (int t = 0; t < c.count[y]; ++t) {
      const uint8_t* src = in.ptr<uint8_t>(c.first[y] + t);
      const int weight = k[t];
      for (int i = 0; i < values; ++i) ss[i] += src[i] * weight;
    }
    uint8_t* o = out.ptr<uint8_t>(y);
    for (int i = 0; i < values; ++i) o[i] = clip8(ss[i]);
  }
  return out;
}

// Python's a % 360.0 (the result takes the divisor's sign).
double python_mod360(double a) {
  double r = std::fmod(a, 360.0);
  if (r < 0) r += 360.0;
  return r;
}

}  // namespace

cv::Point reference_eye(const Point& mean) {
  return {static_cast<int>(mean.x), static_cast<int>(mean.y)};  // astype("int") truncates.
}

cv::Mat reference_face(const cv::Mat& bgr, const Sample& s) {
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);  // dataloading.py: cv2.imread(...)[..., ::-1]
  if (!s.has_geometry) return rgb;            // Aff-Wild2: the whole frame.
  const cv::Point l = reference_eye(s.left_eye), r = reference_eye(s.right_eye);
  // aligner.py angle(): np.degrees(np.arctan((y2 - y1) / (x2 - x1))) on integers, where a zero
  // denominator gives +-inf (+-90 degrees). Both eyes on one pixel would give NaN there (a black
  // image from cv2); here it is no rotation.
  const int dx = r.x - l.x, dy = r.y - l.y;
  double angle = 0;
  if (dx != 0) {
    angle = std::atan(static_cast<double>(dy) / dx) * 180 / kPi;
  } else if (dy != 0) {
    angle = dy > 0 ? 90.0 : -90.0;
  }
  // aligner.py align(): xc = (x1 + x2) // 2, yc = (y1 + y2) // 2 (integer floor division).
  const cv::Point2f centre(static_cast<float>(floor_div(l.x + r.x, 2)), static_cast<float>(floor_div(l.y + r.y, 2)));
  const cv::Mat m = cv::getRotationMatrix2D(centre, angle, 1.0);
  // dataloading.py: point = (int(face_x), int(face_y)); rotated_point = M.dot(point + (1,));
  // image.crop((rx, ry, rx + int(face_width), ry + int(face_height))).
  const int x = static_cast<int>(s.box_x), y = static_cast<int>(s.box_y);
  const int w = static_cast<int>(s.box_w), h = static_cast<int>(s.box_h);
  const double rx = m.at<double>(0, 0) * x + m.at<double>(0, 1) * y + m.at<double>(0, 2);
  const double ry = m.at<double>(1, 0) * x + m.at<double>(1, 1) * y + m.at<double>(1, 2);
  const int x0 = round_half_even(rx), y0 = round_half_even(ry), x1 = round_half_even(rx + w),
            y1 = round_half_even(ry + h);
  // aligner.py: cv2.warpAffine(image, M, (image.shape[0], image.shape[1]), flags=INTER_CUBIC):
  // (rows, cols) passed as (width, height), so a non-square image's canvas is cropped (or
  // padded). Only the part of that canvas the crop keeps is computed: the same pixels (each is
  // interpolated on its own), at a fraction of the cost of rotating the whole image.
  cv::Mat out = cv::Mat::zeros(std::max(0, y1 - y0), std::max(0, x1 - x0), CV_8UC3);
  const cv::Rect kept = cv::Rect(x0, y0, out.cols, out.rows) & cv::Rect(0, 0, rgb.rows, rgb.cols);
  if (kept.empty()) return out;
  cv::Mat shifted = m.clone();
  shifted.at<double>(0, 2) -= kept.x;
  shifted.at<double>(1, 2) -= kept.y;
  cv::Mat part = out(kept - cv::Point(x0, y0));
  cv::warpAffine(rgb, part, shifted, kept.size(), cv::INTER_CUBIC);
  return out;
}

cv::Size torchvision_resize_size(int width, int height, int size) {
  const int shorter = std::min(width, height), longer = std::max(width, height);
  if (shorter == size) return {width, height};
  const int new_long = static_cast<int>(static_cast<double>(size) * longer / shorter);
  return width <= height ? cv::Size(size, new_long) : cv::Size(new_long, size);
}

cv::Mat pil_resize_bilinear(const cv::Mat& rgb, int width, int height) {
  CV_Assert(rgb.depth() == CV_8U && width > 0 && height > 0 && !rgb.empty());
  cv::Mat out = rgb;
  if (width != rgb.cols) out = resample_pass(out, width, /*horizontal=*/true);
  if (height != rgb.rows) out = resample_pass(out, height, /*horizontal=*/false);
  return out.data == rgb.data ? rgb.clone() : out;
}

cv::Mat pil_rotate_nearest(const cv::Mat& rgb, double angle_deg) {
  const double angle = python_mod360(angle_deg);
  const int w = rgb.cols, h = rgb.rows;
  // Image.rotate's fast paths.
  if (angle == 0) return rgb.clone();
  if (angle == 180) {
    cv::Mat out;
    cv::rotate(rgb, out, cv::ROTATE_180);
    return out;
  }
  if ((angle == 90 || angle == 270) && w == h) {
    cv::Mat out;
    cv::rotate(rgb, out, angle == 90 ? cv::ROTATE_90_COUNTERCLOCKWISE : cv::ROTATE_90_CLOCKWISE);
    return out;
  }
  // The inverse (output -> input) matrix, as Image.rotate builds it.
  const double cx = w / 2.0, cy = h / 2.0, a = -(angle * kPi / 180);
  double m[6] = {round15(std::cos(a)), round15(std::sin(a)), 0.0, round15(-std::sin(a)), round15(std::cos(a)), 0.0};
  m[2] = m[0] * -cx + m[1] * -cy + cx;
  m[5] = m[3] * -cx + m[4] * -cy + cy;
  // Geometry.c ImagingTransformAffine, nearest neighbour: pixel centres, running sums,
  // COORD(v) = v < 0 ? -1 : (int)v.
  cv::Mat out = cv::Mat::zeros(h, w, rgb.type());
  const size_t pixel = rgb.elemSize();
  double xo = m[2] + m[1] * 0.5 + m[0] * 0.5, yo = m[5] + m[4] * 0.5 + m[3] * 0.5;
  for (int y = 0; y < h; ++y) {
    double xx = xo, yy = yo;
    uint8_t* o = out.ptr<uint8_t>(y);
    for (int x = 0; x < w; ++x) {
      const int xin = xx < 0.0 ? -1 : static_cast<int>(xx), yin = yy < 0.0 ? -1 : static_cast<int>(yy);
      if (xin >= 0 && xin < w && yin >= 0 && yin < h) std::memcpy(o + x * pixel, rgb.ptr<uint8_t>(yin) + xin * pixel, pixel);
      xx += m[0];
      yy += m[3];
    }
    xo += m[1];
    yo += m[4];
  }
  return out;
}

cv::Mat reference_crop(const cv::Mat& bgr, const Sample& sample, const TransformOptions& options,
                       const Augmentation& aug) {
  cv::Mat face = reference_face(bgr, sample);
  const int n = options.output_size;
  if (face.empty()) return cv::Mat::zeros(n, n, CV_8UC3);
  cv::Size size = torchvision_resize_size(face.cols, face.rows, n);
  if (size.width != size.height) size = cv::Size(n, n);  // The reference cannot batch these at all.
  cv::Mat out = size == face.size() ? face : pil_resize_bilinear(face, size.width, size.height);
  if (!options.augment) return out;
  if (aug.flip) cv::flip(out, out, /*flipCode=*/1);  // RandomHorizontalFlip.
  // ColorJitter() with no arguments changes nothing; RandomRotation(30) last.
  return pil_rotate_nearest(out, aug.rotation_deg);
}

void render_reference(const cv::Mat& bgr, const Sample& sample, const TransformOptions& options,
                      const Augmentation& aug, float* out) {
  normalise_to_chw(reference_crop(bgr, sample, options, aug), /*bgr=*/false, out);
}

}  // namespace fer::datasets
