// webp: WebP images (lossy, lossless, with or without alpha; the first frame of an animation is
// refused, as cv2.imread refuses it) decoded by libwebp into BGR, as cv2.imread(IMREAD_COLOR)
// decodes them: alpha is dropped, not composited.
#pragma once

#include <cstdint>
#include <opencv2/core/mat.hpp>
#include <string>
#include <vector>

namespace fer::imaging {

/// True when `bytes` start with a RIFF ... WEBP header.
bool is_webp(const std::vector<uint8_t>& bytes);

struct WebpInfo {
  int width = 0, height = 0;
  bool alpha = false;
};

/// Size and alpha from the bitstream's header; throws fer::Error naming `what`.
WebpInfo webp_info(const std::vector<uint8_t>& bytes, const std::string& what);

/// The image as 8-bit BGR; throws fer::Error naming `what`.
cv::Mat decode_webp(const std::vector<uint8_t>& bytes, const std::string& what);

}  // namespace fer::imaging
