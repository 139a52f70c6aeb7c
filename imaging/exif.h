// exif: the orientation a photo asks to be shown in (EXIF tag 0x0112, 1-8), read from a JPEG's
// APP1 "Exif" segment or a PNG's eXIf chunk (TIFF files carry it as their own tag:
// imaging/tiff.h), and applied as cv2.imread applies it (OpenCV's ApplyExifOrientation:
// flips for 2-4, a transpose and then a flip for 5-8). Phones store most photos sideways with
// orientation 6 or 8.
#pragma once

#include <cstdint>
#include <opencv2/core/mat.hpp>
#include <vector>

namespace fer::imaging {

/// 1 (as stored) when the file has no readable orientation tag or a value outside 1-8.
int exif_orientation(const std::vector<uint8_t>& bytes);

/// The image as cv2.imread shows it for `orientation` (1-8; others leave it unchanged).
cv::Mat apply_orientation(const cv::Mat& image, int orientation);

/// Whether `orientation` swaps width and height (5-8).
inline bool transposes(int orientation) { return orientation >= 5 && orientation <= 8; }

}  // namespace fer::imaging
