// Reference-exact preprocessing (issue #15): the reference's own chain, step by step, as
// PanosAntoniadis/emotion-gcn runs it, quirks included, instead of transforms.h's single warp:
//   pickle_annotations_affectnet.py get_eyes   eye centres: landmark means truncated to int
//   aligner.py FaceAligner.align               rotation about the eyes' integer midpoint
//                                              ((x1 + x2) // 2), cv2.warpAffine INTER_CUBIC onto
//                                              a canvas of (rows, cols) passed as (width, height)
//   dataloading.py AffectNet_dataset           PIL crop of the rotated box corner + box size
//                                              (Pillow rounds the box half to even; zero outside)
//   main.py transforms                         Resize(size) (Pillow's antialiased bilinear),
//                                              RandomHorizontalFlip, ColorJitter() (a no-op),
//                                              RandomRotation(30) (Pillow's nearest neighbour about
//                                              (w / 2, h / 2), zero fill), ToTensor, Normalize
// Aff-Wild2 frames (no geometry) skip the alignment and crop, as the reference does. Equality
// with the Python reference is tested on committed fixtures
// (tools/reference/make_preprocess_fixtures.py).
#pragma once

#include <opencv2/core.hpp>

#include "datasets/pil_resample.h"  // pil_resize_bilinear, part of the chain
#include "datasets/sample.h"
#include "datasets/transforms.h"

namespace fer::datasets {

/// The reference's integer eye centre: numpy's astype("int") of the landmark mean (truncation).
cv::Point reference_eye(const Point& mean);

/// Aligner + crop: the 8-bit RGB image the reference hands to its transforms (the whole frame,
/// as RGB, for samples without geometry). bgr: 8-bit BGR as decoded. Throws
/// std::invalid_argument for a face box more than kMaxFaceBoxScale times the image (the loader
/// names the file).
cv::Mat reference_face(const cv::Mat& bgr, const Sample& sample);

/// Whether the reference's canvas quirk (aligner.py warps onto (rows, cols) passed as (width,
/// height)) cuts away part of this sample's face crop that lies inside the image: it does on
/// non-square images for faces beyond x = rows or y = cols after rotation. Never for square
/// images or samples without geometry.
bool reference_canvas_cuts(const cv::Size& image, const Sample& sample);

/// torchvision's Resize(size) output (width, height) for a width x height image: the shorter side
/// becomes `size`, the longer int(size * long / short).
cv::Size torchvision_resize_size(int width, int height, int size);

/// Pillow's Image.rotate(angle_deg, NEAREST) without expansion: counter-clockwise about
/// (width / 2, height / 2), zero fill.
cv::Mat pil_rotate_nearest(const cv::Mat& rgb, double angle_deg);

/// The chain up to ToTensor, as 8-bit RGB (size x size; a non-square crop, which the reference
/// cannot batch at all, is resized to size x size). aug.flip and aug.rotation_deg apply when
/// options.augment; colour jitter is not part of the reference (its ColorJitter() is a no-op).
cv::Mat reference_crop(const cv::Mat& bgr, const Sample& sample, const TransformOptions& options,
                       const Augmentation& aug);

/// reference_crop + ToTensor + Normalize: normalised RGB float CHW into out (3 * size^2 floats).
void render_reference(const cv::Mat& bgr, const Sample& sample, const TransformOptions& options,
                      const Augmentation& aug, float* out);

}  // namespace fer::datasets
