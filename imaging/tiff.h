// tiff: TIFF images (first page) decoded through libtiff's RGBA interface, the path
// cv2.imread(path, IMREAD_COLOR) takes for every TIFF it reads into 8 bits: grey, palette,
// YCbCr, 16-bit (libtiff's 16-to-8 conversion) and every compression libtiff reads give the
// same pixels as the reference; an alpha channel is dropped after libtiff's own handling of it
// (it premultiplies unassociated alpha, as in OpenCV).
#pragma once

#include <cstdint>
#include <opencv2/core/mat.hpp>
#include <string>
#include <vector>

namespace fer::imaging {

/// True when `bytes` start with a little- or big-endian TIFF (or BigTIFF) header.
bool is_tiff(const std::vector<uint8_t>& bytes);

struct TiffInfo {
  int width = 0, height = 0, channels = 0;
  int orientation = 1;  ///< The Orientation tag (1-8), not applied by decode_tiff.
};

/// The first page's size and samples per pixel; throws fer::Error naming `what` when libtiff
/// cannot read the header or the size is beyond imaging/image_limits.h.
TiffInfo tiff_info(const std::vector<uint8_t>& bytes, const std::string& what);

/// The first page as 8-bit BGR in stored order (the Orientation tag is left to the caller, as
/// for the EXIF tag of other formats); throws fer::Error naming `what` with libtiff's message.
cv::Mat decode_tiff(const std::vector<uint8_t>& bytes, const std::string& what);

}  // namespace fer::imaging
