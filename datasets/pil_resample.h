// Pillow's Image.resize(..., BILINEAR) for 8-bit RGB, byte for byte (issue #15: torchvision's
// Resize on a PIL image is this). Pillow's Resample.c: a separable, antialiased triangle filter
// whose support grows with the downscale factor; each output pixel's weights are normalised and
// stored as fixed point with 22 fractional bits; the horizontal pass runs first and is rounded
// to 8 bits, then the vertical pass. Scalar and AVX2 kernels give the same bytes
// (tests/datasets/pil_resample_test.cc; Pillow's own outputs are compared in
// reference_transforms_test).
#pragma once

#include <opencv2/core.hpp>

#include "datasets/cpu_features.h"

namespace fer::datasets {

/// Pillow's Image.resize((width, height), BILINEAR) of an 8-bit, 3-channel image (channel order
/// does not matter). width, height > 0; throws cv::Exception for another type or an empty image.
/// isa: Isa::kScalar forces the scalar kernels.
cv::Mat pil_resize_bilinear(const cv::Mat& rgb, int width, int height, Isa isa = best_isa());

}  // namespace fer::datasets
