// image_io: reading and writing the images of the datasets, the synthetic twins and the reports,
// without OpenCV's image codecs (libopencv-imgcodecs pulls in GDAL and ~140 shared libraries,
// which no GPU bundle can carry; see tools/bundle.sh).
//
// JPEG goes through libjpeg-turbo's TurboJPEG API with the settings OpenCV's codec uses (accurate
// integer DCT, fancy upsampling, 4:2:0 chroma when writing), so pixels and bytes equal
// cv::imread / cv::imwrite's (tested). PNG goes through libpng's simplified API; BMP, TIFF and
// WebP (imaging/bmp.h, tiff.h, webp.h) as cv2.imread reads them. The format is detected from the
// file's first bytes, not its name. Other formats are an error naming the file, and so is a
// header claiming more pixels than OpenCV reads (imaging/image_limits.h).
//
// Decoding at the size needed: AffectNet images reach several thousand pixels while the model
// sees 227 or 112, so the loader asks for the smallest scale that still covers the face crop at
// the model's size, and TurboJPEG decodes at that scale in the DCT domain (1/8, 1/4 or 1/2),
// doing a fraction of the inverse-DCT and colour-conversion work (decode_image_scaled).
//
// Channels as the reference reads them (cv2.imread(..., IMREAD_COLOR) for AffectNet, PIL's
// convert("RGB") for Aff-Wild2): grey is replicated, a PNG alpha channel is dropped (not
// composited). A 4-channel CMYK/YCCK JPEG is an error ("unexpected channel count").
#pragma once

#include <cstdint>
#include <functional>
#include <opencv2/core/mat.hpp>
#include <string>
#include <vector>

#include "imaging/exif.h"  // transposes(), for ImageHeader::orientation

namespace fer::imaging {

/// What an image file's header says.
struct ImageHeader {
  int width = 0, height = 0;
  int channels = 0;    // Channels stored in the file: 1 (grey), 2 (grey + alpha), 3, 4.
  std::string format;  // "JPEG", "PNG", "BMP", "TIFF" or "WebP".
  bool cmyk = false;   // A CMYK/YCCK JPEG: decoding it is an "unexpected channel count" error.
  /// The EXIF (JPEG, PNG) or TIFF orientation tag, 1-8 (1: as stored). width and height are
  /// as stored; with apply_exif a decoder returns height x width for 5-8.
  int orientation = 1;
};

/// An image decoded at `scale` of its full size: full-resolution pixel p lies at
/// (p + 0.5) * scale - 0.5 in `bgr` (DCT scaling maps each 8-pixel block to 8 * scale pixels).
struct DecodedImage {
  cv::Mat bgr;
  int full_width = 0, full_height = 0;
  double scale = 1;
};

/// Whether a file name has an image extension this module reads (.jpg .jpeg .jpe .png .bmp
/// .dib .tif .tiff .webp, any case): how folders of photos are listed. Decoding itself goes by
/// content.
bool has_image_extension(const std::string& path);

/// The whole file; throws fer::Error naming `path` when it is missing, unreadable or empty.
std::vector<uint8_t> read_file_bytes(const std::string& path);

/// Parses the header only. Throws fer::Error naming `what` for an unknown format or a corrupt
/// header.
ImageHeader read_image_header(const std::vector<uint8_t>& bytes, const std::string& what);

/// Decodes at the smallest TurboJPEG scale of 1/8, 1/4, 1/2 and 1 not below min_scale(full width,
/// full height) (libjpeg-turbo's fast reduced inverse DCTs; its other factors are slower than a
/// full decode); the other formats decode at full size. Errors as decode_image.
/// apply_exif: as decode_image; full_width and full_height, and min_scale's arguments, are then
/// the shown image's.
DecodedImage decode_image_scaled(const std::vector<uint8_t>& bytes, const std::string& what,
                                 const std::function<double(int width, int height)>& min_scale,
                                 bool apply_exif = false);

/// Decodes a JPEG, PNG, BMP, TIFF or WebP file into an 8-bit, 3-channel BGR image (grey,
/// palette and alpha images are converted as cv2.imread(IMREAD_COLOR) converts them). Throws
/// fer::Error naming `path` when the file is missing, empty, truncated or corrupt (libjpeg's
/// recoverable warnings, such as "premature end of data", count as errors), or in another format.
/// apply_exif: turn the image as its orientation tag says, as cv2.imread does for JPEG, PNG and
/// TIFF (imaging/exif.h); off, pixels are as stored, as PIL's Image.open + convert("RGB") reads
/// them (the reference's Aff-Wild2 loader).
cv::Mat read_image(const std::string& path, bool apply_exif = false);

/// As read_image, from bytes already in memory; `what` names them in errors.
cv::Mat decode_image(const std::vector<uint8_t>& bytes, const std::string& what,
                     bool apply_exif = false);

/// Encodes an 8-bit BGR image as baseline JPEG (quality 1-100, 4:2:0), as cv::imencode does.
std::vector<uint8_t> encode_jpeg(const cv::Mat& bgr, int quality);

/// Writes an 8-bit BGR image as a JPEG file (creating no directories); throws fer::Error.
void write_jpeg(const std::string& path, const cv::Mat& bgr, int quality);

/// Writes an 8-bit BGR (or grey) image as a PNG file; throws fer::Error.
void write_png(const std::string& path, const cv::Mat& image);

}  // namespace fer::imaging
