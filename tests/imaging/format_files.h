// Test files in the formats OpenCV reads, built byte by byte or with libtiff, for the tests that
// compare imaging/image_io with cv::imread (formats_test, exif_test).
#pragma once

#include <boost/filesystem/path.hpp>
#include <cstdint>
#include <opencv2/core/mat.hpp>
#include <string>
#include <vector>

namespace fer::testing {

/// A w x h image of `type` (CV_8UC1/3/4, CV_16UC3) with seeded uniform noise.
cv::Mat pattern(int w, int h, int type);

/// Appends `v` as n little-endian bytes.
void put(std::vector<uint8_t>& b, uint32_t v, int n);

/// A BMP file: headers, optional bit-field masks and palette, then `pixels` as given.
struct Bmp {
  int width = 0, height = 0, bits = 24, compression = 0, header = 40;
  std::vector<uint32_t> palette, masks;  // Palette entries as 0x00RRGGBB.
  std::vector<uint8_t> pixels;           // As stored (rows padded, or RLE codes).
  std::vector<uint8_t> bytes() const;
};

/// n distinct palette colours.
std::vector<uint32_t> colours(int n);

/// Uncompressed rows of `bits` per pixel with arbitrary content (padded to 4 bytes).
std::vector<uint8_t> rows(int w, int h, int bits);

/// Writes `bytes` to dir/name and returns the path.
std::string write(const boost::filesystem::path& dir, const std::string& name,
                  const std::vector<uint8_t>& bytes);

/// Checks that imaging::read_image gives cv::imread(IMREAD_COLOR)'s pixels and the header its size.
void require_same_as_opencv(const std::string& path);

/// A TIFF written with libtiff directly (palettes, tiles, 16-bit grey, planar RGB, alpha, an
/// orientation tag: what cv::imwrite cannot write).
std::string write_tiff(const boost::filesystem::path& dir, const std::string& name, int w, int h,
                       int samples, int bits, int photometric, int compression, bool tiled,
                       bool planar, int orientation = 1);

/// The image as JPEG with an APP1 Exif segment, or as PNG with an eXIf chunk, saying orientation o.
std::vector<uint8_t> with_orientation(const cv::Mat& img, const std::string& ext, int o);

}  // namespace fer::testing
