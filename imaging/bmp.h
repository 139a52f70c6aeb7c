// bmp: Windows bitmaps decoded as cv2.imread(path, IMREAD_COLOR) decodes them (OpenCV's own BMP
// codec, which the reference's cv2 uses), pixel for pixel: 1-, 4- and 8-bit palettes (RLE4 and
// RLE8 too, skipped pixels in palette colour 0), 16-bit 5-5-5 and 5-6-5 (each channel shifted
// left, low bits zero), 24-bit, and 32-bit with the fourth byte dropped. OS/2 1.x headers too.
// Bottom-up and top-down row orders. Anything else (other bit-field masks, JPEG/PNG-in-BMP) is
// an error, as cv2.imread returns None for it.
#pragma once

#include <cstdint>
#include <opencv2/core/mat.hpp>
#include <string>
#include <vector>

namespace fer::imaging {

/// True when `bytes` start with a BMP file header ("BM").
bool is_bmp(const std::vector<uint8_t>& bytes);

/// Width, height and bits per pixel; throws fer::Error naming `what` for a header OpenCV would
/// not read.
struct BmpInfo {
  int width = 0, height = 0, bits = 0;
};
BmpInfo bmp_info(const std::vector<uint8_t>& bytes, const std::string& what);

/// The image as 8-bit BGR. Throws fer::Error naming `what` when the file is truncated or its RLE
/// data runs past a row.
cv::Mat decode_bmp(const std::vector<uint8_t>& bytes, const std::string& what);

}  // namespace fer::imaging
