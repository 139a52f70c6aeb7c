#include "imaging/exif.h"

#include <cstring>
#include <opencv2/core.hpp>

namespace fer::imaging {
namespace {

// The orientation entry of a TIFF-structured EXIF block's first IFD; 1 when absent or damaged.
int tiff_block_orientation(const uint8_t* p, size_t n) {
  if (n < 8) return 1;
  const bool le = p[0] == 'I' && p[1] == 'I';
  if (!le && !(p[0] == 'M' && p[1] == 'M')) return 1;
  auto u16 = [&](size_t at) -> uint32_t {
    return le ? p[at] | (p[at + 1] << 8) : (p[at] << 8) | p[at + 1];
  };
  auto u32 = [&](size_t at) -> uint32_t {
    return le ? u16(at) | (u16(at + 2) << 16) : (u16(at) << 16) | u16(at + 2);
  };
  const size_t ifd = u32(4);
  if (ifd + 2 > n) return 1;
  const uint32_t entries = u16(ifd);
  for (uint32_t i = 0; i < entries; ++i) {
    const size_t e = ifd + 2 + 12 * static_cast<size_t>(i);
    if (e + 12 > n) return 1;
    if (u16(e) == 0x0112 && u16(e + 2) == 3) {  // Orientation, SHORT.
      const uint32_t v = u16(e + 8);
      return v >= 1 && v <= 8 ? static_cast<int>(v) : 1;
    }
  }
  return 1;
}

int jpeg_orientation(const std::vector<uint8_t>& b) {
  size_t i = 2;
  while (i + 4 <= b.size() && b[i] == 0xFF) {
    const uint8_t marker = b[i + 1];
    if (marker == 0xDA || marker == 0xD9) break;  // Start of scan / end of image.
    const size_t len = (b[i + 2] << 8) | b[i + 3];
    if (len < 2 || i + 2 + len > b.size()) break;
    if (marker == 0xE1 && len >= 8 && std::memcmp(&b[i + 4], "Exif\0\0", 6) == 0)
      return tiff_block_orientation(&b[i + 10], len - 8);
    i += 2 + len;
  }
  return 1;
}

int png_orientation(const std::vector<uint8_t>& b) {
  size_t i = 8;
  while (i + 12 <= b.size()) {
    const size_t len = (size_t{b[i]} << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3];
    if (len > b.size() - i - 12) break;
    if (std::memcmp(&b[i + 4], "eXIf", 4) == 0) return tiff_block_orientation(&b[i + 8], len);
    if (std::memcmp(&b[i + 4], "IDAT", 4) == 0) break;
    i += 12 + len;
  }
  return 1;
}

}  // namespace

int exif_orientation(const std::vector<uint8_t>& b) {
  if (b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return jpeg_orientation(b);
  static const uint8_t kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (b.size() >= 8 && std::memcmp(b.data(), kPng, 8) == 0) return png_orientation(b);
  return 1;
}

cv::Mat apply_orientation(const cv::Mat& image, int orientation) {
  if (orientation < 2 || orientation > 8) return image;
  cv::Mat src = image;
  if (transposes(orientation)) cv::transpose(image, src);
  if (orientation == 5) return src;
  // 2 and 6 flip horizontally, 3 and 7 both ways, 4 and 8 vertically.
  const int code = orientation == 2 || orientation == 6   ? 1
                   : orientation == 3 || orientation == 7 ? -1
                                                          : 0;
  cv::Mat out;
  cv::flip(src, out, code);
  return out;
}

}  // namespace fer::imaging
