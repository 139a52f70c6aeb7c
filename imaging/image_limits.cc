#include "imaging/image_limits.h"

#include "core/error.h"

namespace fer::imaging {

void check_image_size(int64_t width, int64_t height, const std::string& format,
                      const std::string& what) {
  const std::string size = std::to_string(width) + " x " + std::to_string(height);
  if (width <= 0 || height <= 0)
    throw Error("decode " + format, what, 0, "", "image has no pixels (" + size + ")");
  if (width > kMaxImageSide || height > kMaxImageSide || width * height > kMaxImagePixels) {
    throw Error("decode " + format, what, 0, "",
                "image too large: the header says " + size +
                    " pixels, beyond OpenCV's limits (2^20 per side, 2^30 in all)");
  }
}

}  // namespace fer::imaging
