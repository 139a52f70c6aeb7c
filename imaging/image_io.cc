#include "imaging/image_io.h"

#include <png.h>
#include <turbojpeg.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <opencv2/imgproc.hpp>

#include "core/error.h"
#include "imaging/bmp.h"
#include "imaging/exif.h"
#include "imaging/image_limits.h"
#include "imaging/tiff.h"
#include "imaging/webp.h"

namespace fer::imaging {
namespace {

struct TjDeleter {
  void operator()(void* handle) const { tjDestroy(handle); }
};
using TjHandle = std::unique_ptr<void, TjDeleter>;

// libjpeg-turbo's defaults differ from OpenCV's codec: TurboJPEG compresses with the fast DCT
// below quality 96 unless asked for the accurate one. OpenCV uses the accurate one throughout.
constexpr int kTjFlags = TJFLAG_ACCURATEDCT;

bool is_jpeg(const std::vector<uint8_t>& b) {
  return b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF;
}

bool is_png(const std::vector<uint8_t>& b) {
  static const uint8_t kMagic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  return b.size() >= 8 && std::memcmp(b.data(), kMagic, 8) == 0;
}

std::string signature(const std::vector<uint8_t>& b) {
  static const char* kHex = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < std::min<size_t>(b.size(), 4); ++i) {
    s += kHex[b[i] >> 4];
    s += kHex[b[i] & 15];
  }
  return s.empty() ? "empty" : s;
}

struct JpegHeader {
  int width = 0, height = 0, colorspace = 0;
};

bool is_cmyk(const JpegHeader& h) { return h.colorspace == TJCS_CMYK || h.colorspace == TJCS_YCCK; }

JpegHeader jpeg_header(void* tj, const std::vector<uint8_t>& bytes, const std::string& what,
                       bool allow_cmyk = false) {
  JpegHeader h;
  int subsampling = 0;
  if (tjDecompressHeader3(tj, bytes.data(), bytes.size(), &h.width, &h.height, &subsampling,
                          &h.colorspace) != 0) {
    throw Error("decode JPEG", what, 0, "", std::string("corrupt header: ") + tjGetErrorStr2(tj));
  }
  if (h.width <= 0 || h.height <= 0) throw Error("decode JPEG", what, 0, "", "image has no pixels");
  if (!allow_cmyk && is_cmyk(h)) {
    throw Error("decode JPEG", what, 0, "",
                "unexpected channel count: a 4-channel CMYK JPEG (expected colour or grey); "
                "convert it to RGB");
  }
  return h;
}

int jpeg_channels(const JpegHeader& h) {
  return h.colorspace == TJCS_GRAY ? 1 : is_cmyk(h) ? 4 : 3;
}

TjHandle decompressor(const std::string& what) {
  TjHandle tj(tjInitDecompress());
  if (!tj) throw Error("decode JPEG", what, 0, "", "tjInitDecompress failed");
  return tj;
}

// Decodes at num/8 of the full size (num 1..8); h is the header jpeg_header() read with tj.
DecodedImage decode_jpeg(void* tj, const JpegHeader& h, const std::vector<uint8_t>& bytes,
                         const std::string& what, int num) {
  const tjscalingfactor factor{num, 8};
  const int width = TJSCALED(h.width, factor), height = TJSCALED(h.height, factor);
  DecodedImage out{cv::Mat(height, width, CV_8UC3), h.width, h.height, num / 8.0};
  // A warning (truncated data, corrupt marker) would still return an image with grey or garbage
  // rows: a dataset image must decode cleanly, so any warning is an error. A scaled decode still
  // entropy-decodes every coefficient, so it finds the same damage as a full one.
  const int rc = tjDecompress2(tj, bytes.data(), bytes.size(), out.bgr.data, width,
                               static_cast<int>(out.bgr.step), height, TJPF_BGR,
                               kTjFlags | TJFLAG_STOPONWARNING);
  if (rc != 0) {
    const bool warning = tjGetErrorCode(tj) == TJERR_WARNING;
    throw Error("decode JPEG", what, 0, "",
                std::string(warning ? "damaged data: " : "undecodable: ") + tjGetErrorStr2(tj));
  }
  return out;
}

png_image png_header(const std::vector<uint8_t>& bytes, const std::string& what) {
  png_image image;
  std::memset(&image, 0, sizeof(image));
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) {
    throw Error("decode PNG", what, 0, "", std::string("corrupt header: ") + image.message);
  }
  try {
    check_image_size(image.width, image.height, "PNG", what);
  } catch (...) {
    png_image_free(&image);
    throw;
  }
  return image;
}

cv::Mat decode_png(const std::vector<uint8_t>& bytes, const std::string& what) {
  png_image image = png_header(bytes, what);
  // Grey and palette images are expanded to BGR; alpha is read and then dropped, as
  // cv2.imread(IMREAD_COLOR) and PIL's convert("RGB") drop it.
  const bool alpha = (image.format & PNG_FORMAT_FLAG_ALPHA) != 0;
  image.format = alpha ? PNG_FORMAT_BGRA : PNG_FORMAT_BGR;
  cv::Mat pixels(static_cast<int>(image.height), static_cast<int>(image.width),
                 alpha ? CV_8UC4 : CV_8UC3);
  if (!png_image_finish_read(&image, nullptr, pixels.data, static_cast<png_int_32>(pixels.step),
                             nullptr)) {
    const std::string message = image.message;
    png_image_free(&image);
    throw Error("decode PNG", what, 0, "", "undecodable: " + message);
  }
  if (!alpha) return pixels;
  cv::Mat bgr;
  cv::cvtColor(pixels, bgr, cv::COLOR_BGRA2BGR);
  return bgr;
}

[[noreturn]] void unknown_format(const std::vector<uint8_t>& bytes, const std::string& what) {
  throw Error("decode image", what, 0, "",
              "not a JPEG, PNG, BMP, TIFF or WebP file (first bytes: " + signature(bytes) +
                  "); convert it to JPEG or PNG");
}

}  // namespace

namespace {

cv::Mat decode_stored(const std::vector<uint8_t>& bytes, const std::string& what) {
  if (is_jpeg(bytes)) {
    TjHandle tj = decompressor(what);
    return decode_jpeg(tj.get(), jpeg_header(tj.get(), bytes, what), bytes, what, 8).bgr;
  }
  if (is_png(bytes)) return decode_png(bytes, what);
  if (is_bmp(bytes)) return decode_bmp(bytes, what);
  if (is_tiff(bytes)) return decode_tiff(bytes, what);
  if (is_webp(bytes)) return decode_webp(bytes, what);
  unknown_format(bytes, what);
}

// The orientation tag cv2.imread applies: EXIF in JPEG and PNG, the TIFF tag (not WebP's EXIF).
int orientation_of(const std::vector<uint8_t>& bytes, const std::string& what) {
  if (is_tiff(bytes)) return tiff_info(bytes, what).orientation;
  return exif_orientation(bytes);
}

}  // namespace

cv::Mat decode_image(const std::vector<uint8_t>& bytes, const std::string& what, bool apply_exif) {
  cv::Mat bgr = decode_stored(bytes, what);
  return apply_exif ? apply_orientation(bgr, orientation_of(bytes, what)) : bgr;
}

ImageHeader read_image_header(const std::vector<uint8_t>& bytes, const std::string& what) {
  if (is_jpeg(bytes)) {
    TjHandle tj = decompressor(what);
    const JpegHeader h = jpeg_header(tj.get(), bytes, what, /*allow_cmyk=*/true);
    return {h.width, h.height, jpeg_channels(h), "JPEG", is_cmyk(h), exif_orientation(bytes)};
  }
  if (is_bmp(bytes)) {
    const BmpInfo b = bmp_info(bytes, what);
    return {b.width, b.height, b.bits == 32 ? 4 : b.bits <= 8 ? 1 : 3, "BMP", false};
  }
  if (is_tiff(bytes)) {
    const TiffInfo t = tiff_info(bytes, what);
    return {t.width, t.height, t.channels, "TIFF", false, t.orientation};
  }
  if (is_webp(bytes)) {
    const WebpInfo w = webp_info(bytes, what);
    return {w.width, w.height, w.alpha ? 4 : 3, "WebP", false};
  }
  if (!is_png(bytes)) unknown_format(bytes, what);
  png_image image = png_header(bytes, what);
  const ImageHeader h{static_cast<int>(image.width),
                      static_cast<int>(image.height),
                      static_cast<int>(PNG_IMAGE_SAMPLE_CHANNELS(image.format)),
                      "PNG",
                      false,
                      exif_orientation(bytes)};
  png_image_free(&image);
  return h;
}

DecodedImage decode_image_scaled(const std::vector<uint8_t>& bytes, const std::string& what,
                                 const std::function<double(int width, int height)>& min_scale,
                                 bool apply_exif) {
  if (!is_jpeg(bytes)) {
    cv::Mat bgr = decode_image(bytes, what, apply_exif);
    return {bgr, bgr.cols, bgr.rows, 1.0};
  }
  TjHandle tj = decompressor(what);
  const JpegHeader h = jpeg_header(tj.get(), bytes, what);
  // The smallest of 1/8, 1/4, 1/2 and 1 not below the request: libjpeg-turbo's other factors
  // (3/8, 3/4, ...) use a generic inverse DCT that is slower than the full-size decode (measured
  // in datasets/pipeline_benchmark, BM_Decode: 3/4 takes 1.5x the time of 8/8, 1/2 takes 0.6x).
  const int orientation = apply_exif ? exif_orientation(bytes) : 1;
  const double wanted =
      transposes(orientation) ? min_scale(h.height, h.width) : min_scale(h.width, h.height);
  int num = 8;
  if (std::isfinite(wanted)) {
    while (num > 1 && (num / 2) / 8.0 >= wanted - 1e-9) num /= 2;
  }
  DecodedImage out = decode_jpeg(tj.get(), h, bytes, what, num);
  if (orientation != 1) {
    out.bgr = apply_orientation(out.bgr, orientation);
    if (transposes(orientation)) std::swap(out.full_width, out.full_height);
  }
  return out;
}

bool has_image_extension(const std::string& path) {
  const size_t dot = path.rfind('.');
  if (dot == std::string::npos || path.find('/', dot) != std::string::npos) return false;
  std::string ext = path.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* known : {"jpg", "jpeg", "jpe", "png", "bmp", "dib", "tif", "tiff", "webp"}) {
    if (ext == known) return true;
  }
  return false;
}

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("read image", path, 0, "", "missing or unreadable image file");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (bytes.empty()) throw Error("read image", path, 0, "", "empty image file");
  return bytes;
}

cv::Mat read_image(const std::string& path, bool apply_exif) {
  return decode_image(read_file_bytes(path), path, apply_exif);
}

std::vector<uint8_t> encode_jpeg(const cv::Mat& bgr, int quality) {
  if (bgr.type() != CV_8UC3 || bgr.empty())
    throw Error("encode JPEG", "", 0, "", "expected a non-empty 8-bit BGR image");
  if (quality < 1 || quality > 100)
    throw Error("encode JPEG", "", 0, "quality", "must be in [1, 100]");
  TjHandle tj(tjInitCompress());
  if (!tj) throw Error("encode JPEG", "", 0, "", "tjInitCompress failed");
  cv::Mat src = bgr.isContinuous() ? bgr : bgr.clone();
  unsigned char* out = nullptr;
  unsigned long size = 0;
  if (tjCompress2(tj.get(), src.data, src.cols, static_cast<int>(src.step), src.rows, TJPF_BGR,
                  &out, &size, TJSAMP_420, quality, kTjFlags) != 0) {
    if (out) tjFree(out);
    throw Error("encode JPEG", "", 0, "", tjGetErrorStr2(tj.get()));
  }
  std::vector<uint8_t> bytes(out, out + size);
  tjFree(out);
  return bytes;
}

void write_jpeg(const std::string& path, const cv::Mat& bgr, int quality) {
  const std::vector<uint8_t> bytes = encode_jpeg(bgr, quality);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) throw Error("write JPEG", path, 0, "", "cannot write file");
}

void write_png(const std::string& path, const cv::Mat& image) {
  if (image.empty() || (image.type() != CV_8UC3 && image.type() != CV_8UC1)) {
    throw Error("write PNG", path, 0, "", "expected a non-empty 8-bit BGR or grey image");
  }
  png_image png;
  std::memset(&png, 0, sizeof(png));
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(image.cols);
  png.height = static_cast<png_uint_32>(image.rows);
  png.format = image.channels() == 3 ? PNG_FORMAT_BGR : PNG_FORMAT_GRAY;
  if (!png_image_write_to_file(&png, path.c_str(), /*convert_to_8bit=*/0, image.data,
                               static_cast<png_int_32>(image.step), nullptr)) {
    throw Error("write PNG", path, 0, "", std::string("libpng: ") + png.message);
  }
}

}  // namespace fer::imaging
