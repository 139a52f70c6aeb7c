// image_io: reading and writing the images of the datasets, the synthetic twins and the reports,
// without OpenCV's image codecs (libopencv-imgcodecs pulls in GDAL and ~140 shared libraries,
// which no GPU bundle can carry; see tools/bundle.sh).
//
// JPEG goes through libjpeg-turbo's TurboJPEG API with the settings OpenCV's codec uses (accurate
// integer DCT, fancy upsampling, 4:2:0 chroma when writing), so pixels and bytes equal
// cv::imread / cv::imwrite's (tested). PNG goes through libpng's simplified API. The format is
// detected from the file's first bytes, not its name. Other formats are an error naming the file.
#pragma once

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace fer::datasets {

/// Decodes a JPEG or PNG file into an 8-bit, 3-channel BGR image (grey and alpha images are
/// converted). Throws fer::Error naming `path` when the file is missing, empty, truncated or
/// corrupt (libjpeg's recoverable warnings, such as "premature end of data", count as errors),
/// or in another format.
cv::Mat read_image(const std::string& path);

/// As read_image, from bytes already in memory; `what` names them in errors.
cv::Mat decode_image(const std::vector<uint8_t>& bytes, const std::string& what);

/// Encodes an 8-bit BGR image as baseline JPEG (quality 1-100, 4:2:0), as cv::imencode does.
std::vector<uint8_t> encode_jpeg(const cv::Mat& bgr, int quality);

/// Writes an 8-bit BGR image as a JPEG file (creating no directories); throws fer::Error.
void write_jpeg(const std::string& path, const cv::Mat& bgr, int quality);

/// Writes an 8-bit BGR (or grey) image as a PNG file; throws fer::Error.
void write_png(const std::string& path, const cv::Mat& image);

}  // namespace fer::datasets
