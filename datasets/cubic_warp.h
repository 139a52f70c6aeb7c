// OpenCV's cv::warpAffine(src, dst, M, dsize, INTER_CUBIC, BORDER_CONSTANT, 0) for 8-bit,
// 3-channel images, bit for bit, computed only over a chosen part of the output canvas and with
// an AVX2 kernel (issue #15: the reference's aligner, aligner.py, warps with it; OpenCV 4.6's
// 8-bit bicubic remap is scalar and was half of the reference chain's time).
//
// What "bit for bit" rests on, as OpenCV's imgwarp.cpp defines it:
//  - M is inverted in double (1 / det, cofactors) and source coordinates are fixed point:
//    per output column round(M'00 * x * 1024), per row round((M'01 * y + M'02) * 1024) + 16,
//    summed and shifted right by 5: 5 fractional bits, integer part saturated to 16 bits.
//  - The kernel is Keys' cubic with a = -0.75, tabulated in float for 32 fractions, multiplied
//    out to 32 x 32 4x4 tables, rounded to 15-bit fixed point, each table corrected to sum 32768
//    at its largest (or smallest) entry of the lower-right 2x2.
//  - A pixel is (sum over the taps inside the image of value * weight + 2^14) >> 15, saturated:
//    constant border 0.
// Tested against cv::warpAffine itself (tests/datasets/cubic_warp_test.cc), both kernels.
#pragma once

#include <opencv2/core.hpp>

#include "datasets/cpu_features.h"

namespace fer::datasets {

/// cv::warpAffine(src, dst, m, canvas, INTER_CUBIC, BORDER_CONSTANT, 0)(region) for any canvas
/// containing `region` (output pixel coordinates; only those pixels are computed), written into
/// out: kept when it is already CV_8UC3 of region's size (a view into a larger image works),
/// created otherwise. src: CV_8UC3 (throws cv::Exception otherwise); m: the forward 2x3 matrix,
/// as warpAffine takes it. swap_rb writes the channels in reverse order (BGR in, RGB out).
/// isa: Isa::kScalar forces the scalar kernel (the same bytes).
void warp_affine_cubic(const cv::Mat& src, const cv::Matx23d& m, const cv::Rect& region,
                       bool swap_rb, cv::Mat& out, Isa isa = best_isa());

/// The same, returning a new image.
cv::Mat warp_affine_cubic(const cv::Mat& src, const cv::Matx23d& m, const cv::Rect& region,
                          bool swap_rb, Isa isa = best_isa());

}  // namespace fer::datasets
