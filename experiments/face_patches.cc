#include "experiments/face_patches.h"

#include <algorithm>
#include <cmath>

#include "datasets/reference_transforms.h"

namespace fer::experiments {

datasets::Sample face_sample(const faces::Face& face) {
  datasets::Sample s;
  s.has_geometry = true;
  s.box_x = face.left, s.box_y = face.top, s.box_w = face.width(), s.box_h = face.height();
  s.left_eye = {static_cast<float>(face.left_eye.x), static_cast<float>(face.left_eye.y)};
  s.right_eye = {static_cast<float>(face.right_eye.x), static_cast<float>(face.right_eye.y)};
  return s;
}

FacePatch face_patch(const cv::Mat& photo, const faces::Face& face) {
  datasets::Sample s = face_sample(face);
  // The rotation centre (the eyes' integer midpoint) and the farthest box corner from it bound
  // every pixel the rotated crop reads; cubic interpolation reads 2 more on each side.
  const cv::Point l = datasets::reference_eye(s.left_eye), r = datasets::reference_eye(s.right_eye);
  const cv::Point c((l.x + r.x) >> 1, (l.y + r.y) >> 1);
  double reach = 0;
  for (double x : {s.box_x, s.box_x + s.box_w}) {
    for (double y : {s.box_y, s.box_y + s.box_h})
      reach = std::max(reach, std::hypot(x - c.x, y - c.y));
  }
  const int half = static_cast<int>(std::ceil(reach)) + 4;
  const cv::Point origin(c.x - half, c.y - half);
  const int side = 2 * half + 1;
  FacePatch out;
  out.bgr = cv::Mat::zeros(side, side, CV_8UC3);
  const cv::Rect inside =
      cv::Rect(origin, cv::Size(side, side)) & cv::Rect(0, 0, photo.cols, photo.rows);
  if (!inside.empty()) photo(inside).copyTo(out.bgr(inside - origin));
  // Integer shifts: the reference's truncations and roundings give the same pixels.
  s.box_x -= origin.x, s.box_y -= origin.y;
  s.left_eye.x -= origin.x, s.left_eye.y -= origin.y;
  s.right_eye.x -= origin.x, s.right_eye.y -= origin.y;
  out.sample = s;
  return out;
}

}  // namespace fer::experiments
