#include "datasets/synthetic_face.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "core/hash.h"

namespace fer::datasets {
namespace {

constexpr double kPi = 3.14159265358979323846;
enum { kNeutral, kHappy, kSad, kSurprise, kFear, kDisgust, kAnger };

// Face-local coordinates (units of the radius, y down) to pixels.
struct Frame {
  double cx, cy, r, c, s;
  cv::Point2d operator()(double u, double v) const {
    return {cx + r * (u * c - v * s), cy + r * (u * s + v * c)};
  }
};

struct Shape {
  double eye_open;     // Half height of the eye opening (face units).
  double brow_raise;   // Upward shift of both brows.
  double brow_tilt;    // Inner-end drop (anger > 0, sadness < 0).
  double mouth_curve;  // Corner lift (smile > 0, frown < 0).
  double mouth_open;   // Lip separation.
  double mouth_width;  // Half width.
  double sneer;        // Asymmetric upper-lip raise (disgust).
};

// Each expression has a gross, distinct configuration (readable at a 32-px input, so that the
// smoke schedule visibly learns), and valence and arousal modulate it continuously within the
// class: valence bends the mouth, arousal opens the eyes and raises the brows.
Shape shape_for(const FaceParams& f) {
  Shape s{0.05 + 0.04 * f.arousal, 0.04 * f.arousal, 0.0, 0.08 * f.valence, 0.0, 0.46, 0.0};
  switch (f.expression) {
    case kHappy:
      s.mouth_curve += 0.20;
      s.mouth_width += 0.10;
      s.mouth_open = 0.14;
      s.eye_open -= 0.03;
      break;
    case kSad:
      s.mouth_curve -= 0.20;
      s.brow_tilt = -0.22;
      s.eye_open -= 0.03;
      break;
    case kSurprise:
      s.mouth_open = 0.36 + 0.08 * f.arousal;
      s.mouth_width -= 0.17;
      s.brow_raise += 0.20;
      s.eye_open += 0.06;
      break;
    case kFear:
      s.mouth_open = 0.16;
      s.mouth_width += 0.12;
      s.brow_raise += 0.12;
      s.brow_tilt = -0.14;
      s.eye_open += 0.05;
      break;
    case kDisgust:
      s.sneer = 0.18;
      s.mouth_curve -= 0.08;
      s.brow_tilt = 0.10;
      s.eye_open -= 0.035;
      break;
    case kAnger:
      s.brow_tilt = 0.26;
      s.mouth_width -= 0.10;
      s.mouth_open = 0.05;
      s.eye_open -= 0.01;
      break;
    default:
      break;
  }
  s.eye_open = std::clamp(s.eye_open, 0.012, 0.14);
  return s;
}

std::vector<cv::Point> to_int(const std::vector<cv::Point2d>& pts) {
  std::vector<cv::Point> out;
  for (const auto& p : pts)
    out.emplace_back(cvRound(p.x * 4), cvRound(p.y * 4));  // 2 fractional bits.
  return out;
}

void fill_poly(cv::Mat& img, const std::vector<cv::Point2d>& pts, const cv::Scalar& colour) {
  std::vector<std::vector<cv::Point>> polys = {to_int(pts)};
  cv::fillPoly(img, polys, colour, cv::LINE_AA, 2);
}

void polyline(cv::Mat& img, const std::vector<cv::Point2d>& pts, const cv::Scalar& colour,
              int thickness) {
  std::vector<std::vector<cv::Point>> polys = {to_int(pts)};
  cv::polylines(img, polys, false, colour, thickness, cv::LINE_AA, 2);
}

// Eye landmarks (6) around centre (u, v): corner, two top, corner, two bottom, iBUG order.
void eye_points(const Frame& F, double u, double v, double half_w, double half_h, bool left,
                cv::Point2d* out) {
  const double sign =
      left ? -1 : 1;  // Outer corner first for the left eye, inner first for the right.
  out[0] = F(u + sign * half_w, v);
  out[1] = F(u + sign * half_w / 3, v - half_h);
  out[2] = F(u - sign * half_w / 3, v - half_h);
  out[3] = F(u - sign * half_w, v);
  out[4] = F(u - sign * half_w / 3, v + half_h);
  out[5] = F(u + sign * half_w / 3, v + half_h);
}

}  // namespace

uint64_t Rng::next() { return splitmix64(state_); }
double Rng::uniform() { return uniform01(state_); }
double Rng::uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
double Rng::normal() {
  const double u1 = uniform() + 0x1.0p-54, u2 = uniform();
  return std::sqrt(-2 * std::log(u1)) * std::cos(2 * kPi * u2);
}
int Rng::below(int n) { return static_cast<int>(next() % static_cast<uint64_t>(n)); }

cv::Point2d expression_va_centre(int expression) {
  // Chosen (by a small search over centres, then kept) so that, with the synthetic class shares
  // and a spread of 0.15, the Spearman correlations of each expression with valence and arousal
  // have AffectNet's signs and the same label-graph edges (|r| >= 0.1) as the reference's released
  // matrix (data/spearman_affectnet.pkl): e.g. Happy-valence +0.79 (AffectNet +0.86),
  // Happy-arousal and Surprise-valence below 0.1, valence-arousal +0.06 (+0.04). Checked on the
  // generated files by tests/datasets/datasets_test.cc.
  static const double kCentres[7][2] = {{-0.50, -0.20}, {0.70, 0.20},  {-0.75, -0.40},
                                        {-0.42, 0.62},  {-0.55, 0.55}, {-0.60, 0.42},
                                        {-0.65, 0.65}};
  return {kCentres[expression][0], kCentres[expression][1]};
}

Landmarks draw_face(cv::Mat& img, const FaceParams& f) {
  const double roll = f.roll_deg * kPi / 180;
  const Frame F{f.cx, f.cy, f.radius, std::cos(roll), std::sin(roll)};
  const Shape s = shape_for(f);
  Landmarks lm;

  // Hair cap behind the face, then the face oval (jaw landmarks 0-16 on its lower half).
  std::vector<cv::Point2d> oval, hair;
  for (int k = 0; k < 48; ++k) {
    const double t = 2 * kPi * k / 48;
    oval.push_back(F(std::cos(t), 0.1 + 1.3 * std::sin(t)));
    hair.push_back(F(1.12 * std::cos(t), -0.25 + 1.05 * std::sin(t)));
  }
  if (f.hair) fill_poly(img, hair, cv::Scalar(30, 40, 60) * (0.6 + 0.4 * (f.skin[0] / 255)));
  fill_poly(img, oval, f.skin);
  for (int k = 0; k <= 16; ++k) {
    const double t = kPi - k * kPi / 16;
    lm[k] = F(std::cos(t), 0.1 + 1.3 * std::sin(t));
  }

  // Brows 17-21 (left, outer -> inner) and 22-26 (right, inner -> outer).
  const cv::Scalar dark(35, 35, 45);
  for (int side = 0; side < 2; ++side) {
    std::vector<cv::Point2d> brow;
    for (int k = 0; k < 5; ++k) {
      const double a = k / 4.0;  // 0 outer .. 1 inner.
      const double u = (side == 0 ? -1 : 1) * (0.68 - 0.5 * a);
      const double v = -0.40 - s.brow_raise + s.brow_tilt * a - 0.05 * std::sin(kPi * a);
      brow.push_back(F(u, v));
    }
    if (side == 1) std::reverse(brow.begin(), brow.end());
    for (int k = 0; k < 5; ++k) lm[17 + 5 * side + k] = brow[k];
    polyline(img, brow, dark, std::max(1, cvRound(f.radius * 0.2)));
  }

  // Eyes 36-41, 42-47: sclera, iris, outline.
  for (int side = 0; side < 2; ++side) {
    cv::Point2d* pts = &lm[36 + 6 * side];
    eye_points(F, side == 0 ? -0.38 : 0.38, -0.12, 0.17, s.eye_open, side == 0, pts);
    std::vector<cv::Point2d> outline(pts, pts + 6);
    fill_poly(img, outline, cv::Scalar(235, 235, 235));
    const cv::Point2d centre = F(side == 0 ? -0.38 : 0.38, -0.12);
    const double iris = std::min(0.075, s.eye_open * 1.1) * f.radius;
    cv::circle(img, cv::Point(cvRound(centre.x * 4), cvRound(centre.y * 4)), cvRound(iris * 4),
               cv::Scalar(60, 50, 40), -1, cv::LINE_AA, 2);
    outline.push_back(pts[0]);
    polyline(img, outline, dark, 1);
  }

  // Nose 27-30 (bridge) and 31-35 (base).
  for (int k = 0; k < 4; ++k) lm[27 + k] = F(0, -0.15 + 0.13 * k);
  for (int k = 0; k < 5; ++k) lm[31 + k] = F(-0.13 + 0.065 * k, 0.32 - 0.03 * (k == 2));
  polyline(img, {lm[27], lm[30], lm[31], lm[35], lm[30]}, cv::Scalar(0, 0, 0) + f.skin * 0.6, 1);
  const int crease = std::max(1, cvRound(f.radius * 0.09));
  if (f.expression == kDisgust) {  // nose wrinkles
    for (const double u : {-0.12, 0.12}) polyline(img, {F(u, 0.0), F(1.6 * u, 0.12)}, dark, crease);
  } else if (f.expression == kAnger) {  // vertical furrows between the brows
    for (const double u : {-0.07, 0.07}) polyline(img, {F(u, -0.52), F(u, -0.30)}, dark, crease);
  }

  // Mouth: outer lip 48-59, inner lip 60-67.
  const double mw = s.mouth_width, base = 0.72, open = s.mouth_open;
  auto upper = [&](double u, double inner) {
    const double x = u / mw;
    return base - open / 2 - s.mouth_curve * x * x - (inner ? 0 : 0.05 * (1 - x * x)) -
           s.sneer * std::max(0.0, x);
  };
  auto lower = [&](double u, double inner) {
    const double x = u / mw;
    return base + open / 2 * (1 - x * x) * 2 - s.mouth_curve * x * x +
           (inner ? 0 : 0.06 * (1 - x * x));
  };
  const double outer_u[6] = {-1, -0.6, -0.25, 0, 0.25, 0.6};
  lm[48] = F(-mw, upper(-mw, false));
  for (int k = 1; k <= 5; ++k)
    lm[48 + k] = F(mw * outer_u[k] * (k < 3 ? 1 : 1), upper(mw * outer_u[k], false));
  lm[54] = F(mw, upper(mw, false));
  for (int k = 0; k < 5; ++k)
    lm[55 + k] = F(mw * (0.6 - 0.3 * k), lower(mw * (0.6 - 0.3 * k), false));
  lm[60] = F(-mw * 0.9, upper(-mw * 0.9, true));
  for (int k = 0; k < 3; ++k)
    lm[61 + k] = F(mw * (-0.4 + 0.4 * k), upper(mw * (-0.4 + 0.4 * k), true));
  lm[64] = F(mw * 0.9, upper(mw * 0.9, true));
  for (int k = 0; k < 3; ++k)
    lm[65 + k] = F(mw * (0.4 - 0.4 * k), lower(mw * (0.4 - 0.4 * k), true));
  std::vector<cv::Point2d> outer(lm.begin() + 48, lm.begin() + 60),
      inner(lm.begin() + 60, lm.end());
  fill_poly(img, outer, cv::Scalar(50, 50, 160));
  if (open > 0.015) {
    fill_poly(img, inner, cv::Scalar(25, 15, 35));
    if (f.expression == kHappy) {
      std::vector<cv::Point2d> teeth = {lm[60],
                                        lm[61],
                                        lm[62],
                                        lm[63],
                                        lm[64],
                                        F(0.5 * mw, upper(0.5 * mw, true) + open * 0.45),
                                        F(-0.5 * mw, upper(-0.5 * mw, true) + open * 0.45)};
      fill_poly(img, teeth, cv::Scalar(230, 230, 230));
    }
  } else {
    polyline(img, inner, cv::Scalar(25, 15, 50), std::max(1, cvRound(f.radius * 0.05)));
  }
  return lm;
}

void eye_centres(const Landmarks& lm, Point* left, Point* right) {
  *left = Point();
  *right = Point();
  for (int k = 0; k < 6; ++k) {
    left->x += static_cast<float>(lm[36 + k].x / 6);
    left->y += static_cast<float>(lm[36 + k].y / 6);
    right->x += static_cast<float>(lm[42 + k].x / 6);
    right->y += static_cast<float>(lm[42 + k].y / 6);
  }
}

void draw_background(cv::Mat& img, Rng& rng) {
  const cv::Scalar a(rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255));
  const cv::Scalar b(rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255));
  for (int y = 0; y < img.rows; ++y) {
    const double t = static_cast<double>(y) / std::max(1, img.rows - 1);
    img.row(y).setTo(a * (1 - t) + b * t);
  }
  const int shapes = 3 + rng.below(5);
  for (int i = 0; i < shapes; ++i) {
    const cv::Scalar c(rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255));
    const cv::Point p(rng.below(img.cols), rng.below(img.rows));
    const int size = 4 + rng.below(std::max(5, img.cols / 4));
    switch (rng.below(3)) {
      case 0:
        cv::circle(img, p, size, c, -1, cv::LINE_AA);
        break;
      case 1:
        cv::rectangle(img, p, p + cv::Point(size, size / 2 + 2), c, -1);
        break;
      default:
        cv::line(img, p, cv::Point(rng.below(img.cols), rng.below(img.rows)), c, 1 + rng.below(3),
                 cv::LINE_AA);
    }
  }
}

void add_noise(cv::Mat& img, Rng& rng, double sigma) {
  for (int y = 0; y < img.rows; ++y) {
    uint8_t* row = img.ptr<uint8_t>(y);
    for (int x = 0; x < img.cols * img.channels(); ++x) {
      row[x] = cv::saturate_cast<uint8_t>(row[x] + sigma * rng.normal());
    }
  }
}

}  // namespace fer::datasets
