// image_limits: the largest image any decoder here allocates, OpenCV's own limits
// (CV_IO_MAX_IMAGE_WIDTH/HEIGHT 2^20 and CV_IO_MAX_IMAGE_PIXELS 2^30, which cv2.imread applies
// before it decodes), so a header that claims a huge image is an error, not an allocation
// failure or an out-of-memory kill.
#pragma once

#include <cstdint>
#include <string>

namespace fer::imaging {

inline constexpr int64_t kMaxImageSide = int64_t{1} << 20;
inline constexpr int64_t kMaxImagePixels = int64_t{1} << 30;

/// Throws fer::Error naming `what` when width x height (from a `format` header) is empty or
/// beyond the limits above.
void check_image_size(int64_t width, int64_t height, const std::string& format,
                      const std::string& what);

}  // namespace fer::imaging
