#include "tests/imaging/format_files.h"

#include <tiffio.h>

#include <cstdlib>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "imaging/image_io.h"
#include "tests/catch.h"

namespace fer::testing {
namespace imaging = fer::imaging;

cv::Mat pattern(int w, int h, int type) {
  cv::Mat m(h, w, type);
  cv::RNG rng(static_cast<uint64_t>(w * 131 + h * 7 + type));
  rng.fill(m, cv::RNG::UNIFORM, 0, CV_MAT_DEPTH(type) == CV_16U ? 65536 : 256);
  return m;
}

void put(std::vector<uint8_t>& b, uint32_t v, int n) {
  for (int i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

std::vector<uint8_t> Bmp::bytes() const {
  const int entry = header == 12 ? 3 : 4;
  const uint32_t offset =
      static_cast<uint32_t>(14 + header + 4 * masks.size() + entry * palette.size());
  std::vector<uint8_t> b = {'B', 'M'};
  put(b, offset + static_cast<uint32_t>(pixels.size()), 4);
  put(b, 0, 4);
  put(b, offset, 4);
  put(b, header, 4);
  if (header == 12) {
    put(b, width, 2), put(b, height, 2), put(b, 1, 2), put(b, bits, 2);
  } else {
    put(b, width, 4), put(b, static_cast<uint32_t>(height), 4), put(b, 1, 2), put(b, bits, 2);
    put(b, compression, 4), put(b, static_cast<uint32_t>(pixels.size()), 4);
    put(b, 2835, 4), put(b, 2835, 4), put(b, static_cast<uint32_t>(palette.size()), 4);
    put(b, 0, 4);
    for (int i = 40; i < header; ++i) b.push_back(0);
  }
  for (uint32_t m : masks) put(b, m, 4);
  for (uint32_t c : palette) put(b, c, entry);
  b.insert(b.end(), pixels.begin(), pixels.end());
  return b;
}

std::vector<uint32_t> colours(int n) {
  std::vector<uint32_t> p;
  for (int i = 0; i < n; ++i) p.push_back((i * 2654435761u) & 0xFFFFFFu);
  return p;
}

// Uncompressed rows of `bits` per pixel with arbitrary content.
std::vector<uint8_t> rows(int w, int h, int bits) {
  const size_t pitch = ((static_cast<size_t>(w) * bits + 7) / 8 + 3) & ~size_t{3};
  std::vector<uint8_t> p(pitch * static_cast<size_t>(std::abs(h)));
  for (size_t i = 0; i < p.size(); ++i) p[i] = static_cast<uint8_t>(i * 37 + (i >> 5));
  return p;
}

std::string write(const boost::filesystem::path& dir, const std::string& name,
                  const std::vector<uint8_t>& bytes) {
  const std::string path = (dir / name).string();
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  return path;
}

void require_same_as_opencv(const std::string& path) {
  INFO(path);
  const cv::Mat reference = cv::imread(path, cv::IMREAD_COLOR);
  REQUIRE_FALSE(reference.empty());
  const cv::Mat ours = imaging::read_image(path);
  REQUIRE(ours.size() == reference.size());
  REQUIRE(ours.type() == CV_8UC3);
  CHECK(cv::norm(ours, reference, cv::NORM_INF) == 0);
  const imaging::ImageHeader h = imaging::read_image_header(imaging::read_file_bytes(path), path);
  CHECK(h.width == reference.cols);
  CHECK(h.height == reference.rows);
}

// A TIFF written with libtiff directly (what cv::imwrite cannot write: palettes, tiles, 16-bit
// grey, planar RGB, JPEG-in-TIFF).
std::string write_tiff(const boost::filesystem::path& dir, const std::string& name, int w, int h,
                       int samples, int bits, int photometric, int compression, bool tiled,
                       bool planar, int orientation) {
  const std::string path = (dir / name).string();
  TIFF* t = TIFFOpen(path.c_str(), "w");
  REQUIRE(t != nullptr);
  TIFFSetField(t, TIFFTAG_IMAGEWIDTH, w);
  TIFFSetField(t, TIFFTAG_IMAGELENGTH, h);
  TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, samples);
  TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, bits);
  TIFFSetField(t, TIFFTAG_PHOTOMETRIC, photometric);
  TIFFSetField(t, TIFFTAG_COMPRESSION, compression);
  TIFFSetField(t, TIFFTAG_PLANARCONFIG, planar ? PLANARCONFIG_SEPARATE : PLANARCONFIG_CONTIG);
  if (orientation != 1) TIFFSetField(t, TIFFTAG_ORIENTATION, orientation);
  if (samples == 4) {
    const uint16_t extra = EXTRASAMPLE_UNASSALPHA;
    TIFFSetField(t, TIFFTAG_EXTRASAMPLES, 1, &extra);
  }
  if (photometric == PHOTOMETRIC_PALETTE) {
    std::vector<uint16_t> r(1 << bits), g(1 << bits), b(1 << bits);
    for (size_t i = 0; i < r.size(); ++i) {
      r[i] = static_cast<uint16_t>(i * 4099), g[i] = static_cast<uint16_t>(65535 - i * 257);
      b[i] = static_cast<uint16_t>(i * 60013);
    }
    TIFFSetField(t, TIFFTAG_COLORMAP, r.data(), g.data(), b.data());
  }
  const int per_plane = planar ? 1 : samples;
  const tmsize_t row = (static_cast<tmsize_t>(w) * per_plane * bits + 7) / 8;
  const int planes = planar ? samples : 1;
  if (tiled) {
    TIFFSetField(t, TIFFTAG_TILEWIDTH, 16);
    TIFFSetField(t, TIFFTAG_TILELENGTH, 16);
    const tmsize_t size = TIFFTileSize(t);
    std::vector<uint8_t> tile(static_cast<size_t>(size));
    for (uint32_t i = 0; i < TIFFNumberOfTiles(t); ++i) {
      for (tmsize_t k = 0; k < size; ++k) tile[k] = static_cast<uint8_t>(k * 13 + i * 101);
      REQUIRE(TIFFWriteEncodedTile(t, i, tile.data(), size) >= 0);
    }
  } else {
    TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 7);
    std::vector<uint8_t> line(static_cast<size_t>(row));
    for (int p = 0; p < planes; ++p) {
      for (int y = 0; y < h; ++y) {
        for (tmsize_t k = 0; k < row; ++k) line[k] = static_cast<uint8_t>(k * 29 + y * 3 + p * 71);
        REQUIRE(TIFFWriteScanline(t, line.data(), y, p) == 1);
      }
    }
  }
  TIFFClose(t);
  return path;
}

// A little-endian EXIF block (TIFF structure) with one IFD entry: Orientation = o.
namespace {

std::vector<uint8_t> exif_block(int o) {
  std::vector<uint8_t> b = {'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0};
  put(b, 0x0112, 2), put(b, 3, 2), put(b, 1, 4), put(b, static_cast<uint32_t>(o), 4);
  put(b, 0, 4);
  return b;
}

uint32_t crc32(const uint8_t* p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
  }
  return ~c;
}

}  // namespace

std::vector<uint8_t> with_orientation(const cv::Mat& img, const std::string& ext, int o) {
  std::vector<uchar> enc;
  REQUIRE(cv::imencode(ext, img, enc));
  std::vector<uint8_t> bytes(enc.begin(), enc.end()), block = exif_block(o), seg;
  if (ext == ".jpg") {
    seg = {0xFF, 0xE1, 0, 0, 'E', 'x', 'i', 'f', 0, 0};
    seg.insert(seg.end(), block.begin(), block.end());
    seg[2] = static_cast<uint8_t>((seg.size() - 2) >> 8),
    seg[3] = static_cast<uint8_t>(seg.size() - 2);
    bytes.insert(bytes.begin() + 2, seg.begin(), seg.end());
  } else {
    for (int i = 3; i >= 0; --i) seg.push_back(static_cast<uint8_t>(block.size() >> (8 * i)));
    seg.insert(seg.end(), {'e', 'X', 'I', 'f'});
    seg.insert(seg.end(), block.begin(), block.end());
    const uint32_t crc = crc32(seg.data() + 4, seg.size() - 4);
    for (int i = 3; i >= 0; --i) seg.push_back(static_cast<uint8_t>(crc >> (8 * i)));
    bytes.insert(bytes.begin() + 33, seg.begin(), seg.end());  // After the signature and IHDR.
  }
  return bytes;
}

}  // namespace fer::testing
