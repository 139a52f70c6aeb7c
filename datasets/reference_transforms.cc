#include "datasets/reference_transforms.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "datasets/cubic_warp.h"

namespace fer::datasets {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Python's a // b for ints.
int floor_div(int a, int b) { return static_cast<int>(std::floor(static_cast<double>(a) / b)); }

// Python's round(): half to even, as Pillow's crop rounds its box.
int round_half_even(double v) { return static_cast<int>(std::nearbyint(v)); }

// Python's round(x, 15) for |x| <= 1 (Pillow rounds its rotation matrix so).
double round15(double x) { return std::nearbyint(x * 1e15) / 1e15; }

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

namespace {

// aligner.py's rotation (about the eyes' integer midpoint) and dataloading.py's crop of the
// rotated box corner + box size, in the rotated canvas's pixels.
struct Alignment {
  cv::Mat m;
  cv::Rect crop;
};

Alignment reference_alignment(const Sample& s) {
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
  const cv::Point2f centre(static_cast<float>(floor_div(l.x + r.x, 2)),
                           static_cast<float>(floor_div(l.y + r.y, 2)));
  Alignment a;
  a.m = cv::getRotationMatrix2D(centre, angle, 1.0);
  // dataloading.py: point = (int(face_x), int(face_y)); rotated_point = M.dot(point + (1,));
  // image.crop((rx, ry, rx + int(face_width), ry + int(face_height))).
  const int x = static_cast<int>(s.box_x), y = static_cast<int>(s.box_y);
  const int w = static_cast<int>(s.box_w), h = static_cast<int>(s.box_h);
  const cv::Mat& m = a.m;
  const double rx = m.at<double>(0, 0) * x + m.at<double>(0, 1) * y + m.at<double>(0, 2);
  const double ry = m.at<double>(1, 0) * x + m.at<double>(1, 1) * y + m.at<double>(1, 2);
  const int x0 = round_half_even(rx), y0 = round_half_even(ry), x1 = round_half_even(rx + w),
            y1 = round_half_even(ry + h);
  a.crop = cv::Rect(x0, y0, std::max(0, x1 - x0), std::max(0, y1 - y0));
  return a;
}

}  // namespace

bool reference_canvas_cuts(const cv::Size& image, const Sample& s) {
  if (!s.has_geometry || image.width == image.height) return false;
  const cv::Rect crop = reference_alignment(s).crop;
  const cv::Rect canvas(0, 0, image.height, image.width);  // (rows, cols) as (width, height).
  const cv::Rect full(0, 0, image.width, image.height);
  // Cut: some of the crop lies inside the photo's own frame but outside the reference canvas.
  return (crop & full).area() != (crop & full & canvas).area();
}

cv::Mat reference_face(const cv::Mat& bgr, const Sample& s) {
  if (!s.has_geometry) {  // Aff-Wild2: the whole frame.
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);  // dataloading.py: cv2.imread(...)[..., ::-1]
    return rgb;
  }
  // With --image_check off nothing has compared the box with the image yet.
  if (!(s.box_w <= kMaxFaceBoxScale * bgr.cols && s.box_h <= kMaxFaceBoxScale * bgr.rows)) {
    throw std::invalid_argument(
        "the face box (" + std::to_string(s.box_w) + " x " + std::to_string(s.box_h) +
        ") is more than " + std::to_string(static_cast<int>(kMaxFaceBoxScale)) + " times the " +
        std::to_string(bgr.cols) + "x" + std::to_string(bgr.rows) + " image");
  }
  const Alignment a = reference_alignment(s);
  // aligner.py: cv2.warpAffine(image, M, (image.shape[0], image.shape[1]), flags=INTER_CUBIC):
  // (rows, cols) passed as (width, height), so a non-square image's canvas is cropped (or
  // padded). Only the part of that canvas the crop keeps is computed, by cubic_warp: the same
  // bytes as cv2's (each pixel is interpolated on its own), BGR in and RGB out (the [..., ::-1]).
  cv::Mat out = cv::Mat::zeros(a.crop.height, a.crop.width, CV_8UC3);
  const cv::Rect kept = a.crop & cv::Rect(0, 0, bgr.rows, bgr.cols);
  if (kept.empty()) return out;
  cv::Mat part = out(kept - a.crop.tl());
  warp_affine_cubic(bgr, cv::Matx23d(a.m.ptr<double>()), kept, /*swap_rb=*/true, part);
  return out;
}

cv::Size torchvision_resize_size(int width, int height, int size) {
  const int shorter = std::min(width, height), longer = std::max(width, height);
  if (shorter == size) return {width, height};
  const int new_long = static_cast<int>(static_cast<double>(size) * longer / shorter);
  return width <= height ? cv::Size(size, new_long) : cv::Size(new_long, size);
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
  double m[6] = {round15(std::cos(a)),  round15(std::sin(a)), 0.0,
                 round15(-std::sin(a)), round15(std::cos(a)), 0.0};
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
      const int xin = xx < 0.0 ? -1 : static_cast<int>(xx),
                yin = yy < 0.0 ? -1 : static_cast<int>(yy);
      if (xin >= 0 && xin < w && yin >= 0 && yin < h) {
        const uint8_t* from = rgb.ptr<uint8_t>(yin) + xin * pixel;
        if (pixel == 3) {
          std::memcpy(o + x * 3, from, 3);  // a fixed size: inlined, not a libc call per pixel
        } else {
          std::memcpy(o + x * pixel, from, pixel);
        }
      }
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
