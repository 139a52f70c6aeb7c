#include "datasets/image_io.h"

#include <png.h>
#include <turbojpeg.h>

#include <opencv2/imgproc.hpp>

#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>

#include "core/error.h"

namespace fer::datasets {
namespace {

struct TjDeleter {
  void operator()(void* handle) const { tjDestroy(handle); }
};
using TjHandle = std::unique_ptr<void, TjDeleter>;

// libjpeg-turbo's defaults differ from OpenCV's codec: TurboJPEG compresses with the fast DCT
// below quality 96 unless asked for the accurate one. OpenCV uses the accurate one throughout.
constexpr int kTjFlags = TJFLAG_ACCURATEDCT;

bool is_jpeg(const std::vector<uint8_t>& b) { return b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF; }

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

cv::Mat decode_jpeg(const std::vector<uint8_t>& bytes, const std::string& what) {
  TjHandle tj(tjInitDecompress());
  if (!tj) throw Error("decode JPEG", what, 0, "", "tjInitDecompress failed");
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  if (tjDecompressHeader3(tj.get(), bytes.data(), bytes.size(), &width, &height, &subsampling, &colorspace) != 0) {
    throw Error("decode JPEG", what, 0, "", std::string("corrupt header: ") + tjGetErrorStr2(tj.get()));
  }
  if (width <= 0 || height <= 0) throw Error("decode JPEG", what, 0, "", "image has no pixels");
  cv::Mat bgr(height, width, CV_8UC3);
  // A warning (truncated data, corrupt marker) would still return an image with grey or garbage
  // rows: a dataset image must decode cleanly, so any warning is an error.
  const int rc = tjDecompress2(tj.get(), bytes.data(), bytes.size(), bgr.data, width, static_cast<int>(bgr.step),
                               height, TJPF_BGR, kTjFlags | TJFLAG_STOPONWARNING);
  if (rc != 0) {
    const bool warning = tjGetErrorCode(tj.get()) == TJERR_WARNING;
    throw Error("decode JPEG", what, 0, "",
                std::string(warning ? "damaged data: " : "undecodable: ") + tjGetErrorStr2(tj.get()));
  }
  return bgr;
}

cv::Mat decode_png(const std::vector<uint8_t>& bytes, const std::string& what) {
  png_image image;
  std::memset(&image, 0, sizeof(image));
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) {
    throw Error("decode PNG", what, 0, "", std::string("corrupt header: ") + image.message);
  }
  image.format = PNG_FORMAT_BGR;  // Grey, palette and alpha are converted (alpha over black).
  cv::Mat bgr(static_cast<int>(image.height), static_cast<int>(image.width), CV_8UC3);
  const png_color black{0, 0, 0};
  if (!png_image_finish_read(&image, &black, bgr.data, static_cast<png_int_32>(bgr.step), nullptr)) {
    const std::string message = image.message;
    png_image_free(&image);
    throw Error("decode PNG", what, 0, "", "undecodable: " + message);
  }
  return bgr;
}

}  // namespace

cv::Mat decode_image(const std::vector<uint8_t>& bytes, const std::string& what) {
  if (is_jpeg(bytes)) return decode_jpeg(bytes, what);
  if (is_png(bytes)) return decode_png(bytes, what);
  throw Error("decode image", what, 0, "",
              "not a JPEG or PNG file (first bytes: " + signature(bytes) + "); convert it to JPEG or PNG");
}

cv::Mat read_image(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("read image", path, 0, "", "missing or unreadable image file");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.empty()) throw Error("read image", path, 0, "", "empty image file");
  return decode_image(bytes, path);
}

std::vector<uint8_t> encode_jpeg(const cv::Mat& bgr, int quality) {
  if (bgr.type() != CV_8UC3 || bgr.empty()) throw Error("encode JPEG", "", 0, "", "expected a non-empty 8-bit BGR image");
  if (quality < 1 || quality > 100) throw Error("encode JPEG", "", 0, "quality", "must be in [1, 100]");
  TjHandle tj(tjInitCompress());
  if (!tj) throw Error("encode JPEG", "", 0, "", "tjInitCompress failed");
  cv::Mat src = bgr.isContinuous() ? bgr : bgr.clone();
  unsigned char* out = nullptr;
  unsigned long size = 0;
  if (tjCompress2(tj.get(), src.data, src.cols, static_cast<int>(src.step), src.rows, TJPF_BGR, &out, &size, TJSAMP_420,
                  quality, kTjFlags) != 0) {
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
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
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

}  // namespace fer::datasets
