// Procedurally drawn faces for the synthetic datasets: expression-dependent geometry (mouth
// curve and opening, brow angle, eye opening) modulated by valence/arousal, with head roll,
// scale, position, skin tone, background clutter and noise, plus 68 iBUG-ordered landmarks
// that match the drawing (so the real alignment path runs on them).
#pragma once

#include <array>
#include <cstdint>
#include <opencv2/core.hpp>

#include "datasets/sample.h"

namespace fer::datasets {

/// A small deterministic generator (splitmix64); identical streams on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next();
  double uniform();                      // [0, 1)
  double uniform(double lo, double hi);  // [lo, hi)
  double normal();                       // Standard normal (Box-Muller).
  int below(int n);                      // {0, ..., n-1}

 private:
  uint64_t state_;
};

struct FaceParams {
  double cx = 64, cy = 64;  // Face centre (pixels).
  double radius = 28;       // Half face width (pixels).
  double roll_deg = 0;      // Head roll, counter-clockwise on screen.
  int expression = 0;       // AffectNet order: Neutral, Happy, Sad, Surprise, Fear, Disgust, Anger.
  double valence = 0, arousal = 0;
  cv::Scalar skin{150, 180, 220};  // BGR.
  bool hair = true;
};

using Landmarks = std::array<cv::Point2d, 68>;

/// Draws the face onto `canvas` (BGR 8-bit) and returns its 68 landmarks in pixels.
Landmarks draw_face(cv::Mat& canvas, const FaceParams& face);

/// Eye centres as AffectNet's readers compute them: means of points 36-41 and 42-47.
void eye_centres(const Landmarks& landmarks, Point* left, Point* right);

/// Fills `canvas` with a random gradient, clutter shapes and lines.
void draw_background(cv::Mat& canvas, Rng& rng);

/// Adds Gaussian pixel noise of the given standard deviation (in 0-255 units).
void add_noise(cv::Mat& canvas, Rng& rng, double sigma);

/// Typical (valence, arousal) centre of an expression (AffectNet order).
cv::Point2d expression_va_centre(int expression);

}  // namespace fer::datasets
