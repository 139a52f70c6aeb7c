// BMP, TIFF and WebP (imaging/bmp.h, tiff.h, webp.h) against OpenCV's own codecs, which are what
// the reference's cv2.imread(path, IMREAD_COLOR) runs: every file is read pixel for pixel as
// cv::imread reads it, detected by content whatever its name; damaged files and headers that
// claim huge images are errors naming the file.
#include <tiffio.h>

#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "imaging/image_io.h"
#include "tests/catch.h"
#include "tests/temp_dir.h"

namespace imaging = fer::imaging;

namespace {

cv::Mat pattern(int w, int h, int type) {
  cv::Mat m(h, w, type);
  cv::RNG rng(static_cast<uint64_t>(w * 131 + h * 7 + type));
  rng.fill(m, cv::RNG::UNIFORM, 0, CV_MAT_DEPTH(type) == CV_16U ? 65536 : 256);
  return m;
}

void put(std::vector<uint8_t>& b, uint32_t v, int n) {
  for (int i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

struct Bmp {
  int width = 0, height = 0, bits = 24, compression = 0, header = 40;
  std::vector<uint32_t> palette, masks;  // Palette entries as 0x00RRGGBB.
  std::vector<uint8_t> pixels;           // As stored (rows padded, or RLE codes).

  std::vector<uint8_t> bytes() const {
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
};

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
                       bool planar, int orientation = 1) {
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

// The image as JPEG with an APP1 Exif segment, or as PNG with an eXIf chunk after IHDR.
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

}  // namespace

TEST_CASE("EXIF and TIFF orientation: applied as cv::imread applies it, or left as stored",
          "[image_io][formats]") {
  const auto dir = fer::testing::temp_dir("formats_exif");
  const cv::Mat img = pattern(29, 13, CV_8UC3);
  for (int o = 1; o <= 8; ++o) {
    std::vector<std::string> paths = {
        write(dir, "o" + std::to_string(o) + ".jpg", with_orientation(img, ".jpg", o)),
        write(dir, "o" + std::to_string(o) + ".png", with_orientation(img, ".png", o)),
        write_tiff(dir, "o" + std::to_string(o) + ".tif", 29, 13, 3, 8, PHOTOMETRIC_RGB,
                   COMPRESSION_NONE, false, false, o)};
    for (const std::string& path : paths) {
      INFO(path);
      const cv::Mat shown = cv::imread(path, cv::IMREAD_COLOR);
      // As stored: OpenCV's TIFF reader turns the image whatever the flag says, so a TIFF's
      // stored pixels are those of the same data tagged 1 (PIL ignores the tag, as we do).
      const bool tiff = path.substr(path.size() - 4) == ".tif";
      const cv::Mat stored =
          tiff ? cv::imread((dir / "o1.tif").string(), cv::IMREAD_COLOR)
               : cv::imread(path, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
      REQUIRE_FALSE(shown.empty());
      CHECK(shown.rows == (o >= 5 ? 29 : 13));
      const cv::Mat ours = imaging::read_image(path, /*apply_exif=*/true);
      REQUIRE(ours.size() == shown.size());
      CHECK(cv::norm(ours, shown, cv::NORM_INF) == 0);
      const cv::Mat raw = imaging::read_image(path);
      REQUIRE(raw.size() == stored.size());
      CHECK(cv::norm(raw, stored, cv::NORM_INF) == 0);
      const auto bytes = imaging::read_file_bytes(path);
      CHECK(imaging::read_image_header(bytes, path).orientation == o);
      // The scaled decode turns the image too and reports the shown full size.
      const imaging::DecodedImage scaled = imaging::decode_image_scaled(
          bytes, path, [](int, int) { return 1.0; }, true);
      CHECK(scaled.full_width == shown.cols);
      CHECK(cv::norm(scaled.bgr, shown, cv::NORM_INF) == 0);
    }
  }
}

TEST_CASE("BMP files read as cv::imread reads them", "[image_io][formats]") {
  const auto dir = fer::testing::temp_dir("formats_bmp");
  // OpenCV's own writer: 24-bit colour and 8-bit grey with a grey palette.
  REQUIRE(cv::imwrite((dir / "cv24.bmp").string(), pattern(37, 21, CV_8UC3)));
  REQUIRE(cv::imwrite((dir / "cvgrey.bmp").string(), pattern(30, 17, CV_8UC1)));
  require_same_as_opencv((dir / "cv24.bmp").string());
  require_same_as_opencv((dir / "cvgrey.bmp").string());

  struct Case {
    const char* name;
    int bits, compression, height, header;
    int palette;
    std::vector<uint32_t> masks;
  };
  const Case cases[] = {
      {"1bit", 1, 0, 13, 40, 2, {}},
      {"4bit", 4, 0, 13, 40, 16, {}},
      {"8bit", 8, 0, 13, 40, 256, {}},
      {"8bit_short", 8, 0, 13, 40, 20, {}},
      {"topdown", 8, 0, -13, 40, 256, {}},
      {"555", 16, 0, 13, 40, 0, {}},
      {"565", 16, 3, 13, 40, 0, {0xf800, 0x7e0, 0x1f}},
      {"555_fields", 16, 3, 13, 40, 0, {0x7c00, 0x3e0, 0x1f}},
      {"32bit", 32, 0, 13, 40, 0, {}},
      {"v5_24", 24, 0, 13, 124, 0, {}},
      {"os2_8", 8, 0, 13, 12, 256, {}},
      {"os2_24", 24, 0, 13, 12, 0, {}},
  };
  for (const Case& c : cases) {
    Bmp b;
    b.width = 23, b.height = c.height, b.bits = c.bits, b.compression = c.compression;
    b.header = c.header, b.palette = colours(c.palette), b.masks = c.masks;
    b.pixels = rows(b.width, b.height, b.bits);
    if (c.bits == 8 && c.palette < 256) {
      for (auto& p : b.pixels) p %= c.palette;  // Indices within the palette.
    }
    require_same_as_opencv(write(dir, std::string(c.name) + ".bmp", b.bytes()));
  }
}

TEST_CASE("RLE-compressed BMP files read as cv::imread reads them", "[image_io][formats]") {
  const auto dir = fer::testing::temp_dir("formats_rle");
  Bmp b;
  b.width = 10, b.height = 6, b.bits = 8, b.compression = 1, b.palette = colours(256);
  // Runs, an absolute stretch (odd length: padded), a run ending a row (then end-of-line is
  // ignored), end of line mid-row, a delta, and end of bitmap with rows left.
  b.pixels = {4, 7,   0, 3, 1, 2, 3, 0,   3, 9, 0, 0, 2,  5, 0, 0,
              5, 200, 0, 2, 2, 1, 3, 250, 0, 0, 0, 0, 10, 1, 0, 1};
  require_same_as_opencv(write(dir, "rle8.bmp", b.bytes()));
  b.height = -6;  // Top-down RLE.
  require_same_as_opencv(write(dir, "rle8_topdown.bmp", b.bytes()));

  Bmp r4;
  r4.width = 9, r4.height = 3, r4.bits = 4, r4.compression = 2, r4.palette = colours(16);
  r4.pixels = {5, 0x12, 0, 4, 0x34, 0x56, 0, 0, 9, 0xAB, 0, 0, 3, 0xCD, 0, 2, 2, 0, 4, 0xEF, 0, 0};
  require_same_as_opencv(write(dir, "rle4.bmp", r4.bytes()));

  b.height = 6;
  b.pixels = {20, 7, 0, 1};  // A run longer than the row: cv::imread gives nothing.
  const std::string bad = write(dir, "rle8_bad.bmp", b.bytes());
  CHECK(cv::imread(bad, cv::IMREAD_COLOR).empty());
  REQUIRE_THROWS_WITH(imaging::read_image(bad),
                      Catch::Contains("rle8_bad.bmp") && Catch::Contains("RLE"));
}

TEST_CASE("TIFF files read as cv::imread reads them", "[image_io][formats]") {
  const auto dir = fer::testing::temp_dir("formats_tiff");
  REQUIRE(cv::imwrite((dir / "bgr.tif").string(), pattern(41, 19, CV_8UC3)));
  REQUIRE(cv::imwrite((dir / "grey.tif").string(), pattern(41, 19, CV_8UC1)));
  REQUIRE(cv::imwrite((dir / "bgr16.tif").string(), pattern(41, 19, CV_16UC3)));
  REQUIRE(cv::imwrite((dir / "bgra.tiff").string(), pattern(41, 19, CV_8UC4)));
  for (const char* name : {"bgr.tif", "grey.tif", "bgr16.tif", "bgra.tiff"})
    require_same_as_opencv((dir / name).string());
  require_same_as_opencv(write_tiff(dir, "palette.tif", 33, 20, 1, 8, PHOTOMETRIC_PALETTE,
                                    COMPRESSION_NONE, false, false));
  // 4-bit samples: libtiff reads them, OpenCV refuses them, and so do we (naming the reason).
  const std::string palette4 = write_tiff(dir, "palette4.tif", 33, 20, 1, 4, PHOTOMETRIC_PALETTE,
                                          COMPRESSION_LZW, false, false);
  CHECK(cv::imread(palette4, cv::IMREAD_COLOR).empty());
  REQUIRE_THROWS_WITH(imaging::read_image(palette4), Catch::Contains("4-bit samples"));
  require_same_as_opencv(write_tiff(dir, "grey16.tif", 33, 20, 1, 16, PHOTOMETRIC_MINISBLACK,
                                    COMPRESSION_NONE, false, false));
  require_same_as_opencv(write_tiff(dir, "white1.tif", 33, 20, 1, 1, PHOTOMETRIC_MINISWHITE,
                                    COMPRESSION_PACKBITS, false, false));
  require_same_as_opencv(write_tiff(dir, "tiled.tif", 40, 35, 3, 8, PHOTOMETRIC_RGB,
                                    COMPRESSION_ADOBE_DEFLATE, true, false));
  require_same_as_opencv(
      write_tiff(dir, "planar.tif", 33, 20, 3, 8, PHOTOMETRIC_RGB, COMPRESSION_NONE, false, true));
  require_same_as_opencv(write_tiff(dir, "rgba_unassoc.tif", 33, 20, 4, 8, PHOTOMETRIC_RGB,
                                    COMPRESSION_LZW, false, false));
}

TEST_CASE("WebP files read as cv::imread reads them", "[image_io][formats]") {
  const auto dir = fer::testing::temp_dir("formats_webp");
  REQUIRE(cv::imwrite((dir / "lossy.webp").string(), pattern(45, 31, CV_8UC3),
                      {cv::IMWRITE_WEBP_QUALITY, 80}));
  REQUIRE(cv::imwrite((dir / "lossless.webp").string(), pattern(45, 31, CV_8UC3),
                      {cv::IMWRITE_WEBP_QUALITY, 101}));
  REQUIRE(cv::imwrite((dir / "alpha.webp").string(), pattern(45, 31, CV_8UC4),
                      {cv::IMWRITE_WEBP_QUALITY, 90}));
  REQUIRE(cv::imwrite((dir / "alpha_lossless.webp").string(), pattern(45, 31, CV_8UC4),
                      {cv::IMWRITE_WEBP_QUALITY, 101}));
  for (const char* name : {"lossy.webp", "lossless.webp", "alpha.webp", "alpha_lossless.webp"})
    require_same_as_opencv((dir / name).string());
}

TEST_CASE("Formats are detected by content, not by the file's name", "[image_io][formats]") {
  const auto dir = fer::testing::temp_dir("formats_names");
  std::vector<uchar> bmp, tif, webp;
  const cv::Mat img = pattern(20, 10, CV_8UC3);
  REQUIRE(cv::imencode(".bmp", img, bmp));
  REQUIRE(cv::imencode(".tif", img, tif));
  REQUIRE(cv::imencode(".webp", img, webp));
  const std::pair<const char*, std::vector<uchar>*> files[] = {
      {"a_bmp.jpg", &bmp}, {"a_tiff.png", &tif}, {"a_webp.jpeg", &webp}};
  for (const auto& [name, bytes] : files) {
    require_same_as_opencv(write(dir, name, std::vector<uint8_t>(bytes->begin(), bytes->end())));
  }
  const imaging::ImageHeader h =
      imaging::read_image_header(std::vector<uint8_t>(tif.begin(), tif.end()), "x");
  CHECK(h.format == "TIFF");
}

TEST_CASE("Damaged BMP, TIFF and WebP files and huge headers are errors naming the file",
          "[image_io][formats]") {
  using Catch::Contains;
  const auto dir = fer::testing::temp_dir("formats_bad");
  const cv::Mat img = pattern(64, 48, CV_8UC3);
  for (const char* ext : {".bmp", ".tif", ".webp"}) {
    std::vector<uchar> bytes;
    REQUIRE(cv::imencode(ext, img, bytes));
    bytes.resize(bytes.size() / 2);
    const std::string path = write(dir, std::string("half") + ext, {bytes.begin(), bytes.end()});
    INFO(path);
    CHECK(cv::imread(path, cv::IMREAD_COLOR).empty());
    REQUIRE_THROWS_WITH(imaging::read_image(path), Contains(path));
  }
  // Headers that claim 2^21 x 2^21 pixels (a few bytes each): refused before any allocation.
  Bmp huge;
  huge.width = 1 << 21, huge.height = 1 << 21, huge.bits = 24;
  const std::string bmp = write(dir, "huge.bmp", huge.bytes());
  REQUIRE_THROWS_WITH(imaging::read_image(bmp), Contains("too large") && Contains("huge.bmp"));
  std::vector<uchar> png;
  REQUIRE(cv::imencode(".png", img, png));
  for (int i = 16; i < 24; i += 4) {  // IHDR width and height: 200000 x 200000.
    png[i] = 0, png[i + 1] = 0x03, png[i + 2] = 0x0d, png[i + 3] = 0x40;
  }
  const std::string huge_png = write(dir, "huge.png", {png.begin(), png.end()});
  REQUIRE_THROWS_WITH(imaging::read_image(huge_png), Contains("huge.png"));
  const std::string text = write(dir, "notes.bmp", {'h', 'e', 'l', 'l', 'o', '\n'});
  REQUIRE_THROWS_WITH(imaging::read_image(text), Contains("not a JPEG, PNG, BMP"));
}
