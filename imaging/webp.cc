#include "imaging/webp.h"

#include <webp/decode.h>

#include <cstring>

#include "core/error.h"
#include "imaging/image_limits.h"

namespace fer::imaging {

bool is_webp(const std::vector<uint8_t>& b) {
  return b.size() >= 12 && std::memcmp(b.data(), "RIFF", 4) == 0 &&
         std::memcmp(b.data() + 8, "WEBP", 4) == 0;
}

WebpInfo webp_info(const std::vector<uint8_t>& bytes, const std::string& what) {
  WebPBitstreamFeatures f;
  const VP8StatusCode rc = WebPGetFeatures(bytes.data(), bytes.size(), &f);
  if (rc != VP8_STATUS_OK) {
    throw Error("decode WebP", what, 0, "",
                "corrupt header (libwebp status " + std::to_string(rc) + ")");
  }
  if (f.has_animation) {
    throw Error("decode WebP", what, 0, "",
                "an animated WebP (cv2.imread reads none); export a frame");
  }
  check_image_size(f.width, f.height, "WebP", what);
  return {f.width, f.height, f.has_alpha != 0};
}

cv::Mat decode_webp(const std::vector<uint8_t>& bytes, const std::string& what) {
  const WebpInfo info = webp_info(bytes, what);
  cv::Mat bgr(info.height, info.width, CV_8UC3);
  if (!WebPDecodeBGRInto(bytes.data(), bytes.size(), bgr.data, bgr.step * bgr.rows,
                         static_cast<int>(bgr.step))) {
    throw Error("decode WebP", what, 0, "", "undecodable: corrupt or truncated data");
  }
  return bgr;
}

}  // namespace fer::imaging
