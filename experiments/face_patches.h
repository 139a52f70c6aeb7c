// face_patches: a square patch of a photo around each detected face, with the face's box and
// eye centres moved into it, so that the reference's alignment chain (datasets/
// reference_transforms.h) gives every face of a photo exactly what it would give on an
// unbounded canvas. The reference warps onto a canvas of (rows, cols) passed as (width,
// height): on a landscape photo, everything right of x = height is cut away, so faces there
// came out black. On a square patch that quirk is a no-op; the patch holds every pixel the
// rotated crop and its cubic interpolation read (zeros beyond the photo, as cv2's border). Only
// cv2's fixed-point sampling positions differ (the translation changes), by under 1/32 pixel;
// so patches are used only where the quirk would cut the face (reference_canvas_cuts).
#pragma once

#include <opencv2/core/mat.hpp>

#include "datasets/sample.h"
#include "faces/face_detector.h"

namespace fer::experiments {

struct FacePatch {
  cv::Mat bgr;              ///< Square, 8-bit BGR.
  datasets::Sample sample;  ///< Box and eye centres in the patch's pixels (image left empty).
};

/// The face as a sample of its photo: dlib's box and eye centres (image left empty).
datasets::Sample face_sample(const faces::Face& face);

/// The patch of `photo` (8-bit BGR) around `face`.
FacePatch face_patch(const cv::Mat& photo, const faces::Face& face);

}  // namespace fer::experiments
