#include "imaging/tiff.h"

#include <tiffio.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>

#include "core/error.h"
#include "imaging/image_limits.h"

namespace fer::imaging {
namespace {

// libtiff reads the bytes in memory through these callbacks.
struct Source {
  const std::vector<uint8_t>* bytes;
  uint64_t pos = 0;
  std::string error;  // libtiff's first error message.
};

tmsize_t read_proc(thandle_t h, void* buf, tmsize_t size) {
  auto* s = static_cast<Source*>(h);
  const uint64_t n = s->pos >= s->bytes->size() ? 0
                                                : std::min<uint64_t>(static_cast<uint64_t>(size),
                                                                     s->bytes->size() - s->pos);
  if (n) std::memcpy(buf, s->bytes->data() + s->pos, n);
  s->pos += n;
  return static_cast<tmsize_t>(n);
}
tmsize_t write_proc(thandle_t, void*, tmsize_t) { return 0; }
toff_t seek_proc(thandle_t h, toff_t off, int whence) {
  auto* s = static_cast<Source*>(h);
  const uint64_t base = whence == SEEK_CUR ? s->pos : whence == SEEK_END ? s->bytes->size() : 0;
  s->pos = base + off;
  return s->pos;
}
int close_proc(thandle_t) { return 0; }
toff_t size_proc(thandle_t h) { return static_cast<Source*>(h)->bytes->size(); }
int map_proc(thandle_t, void**, toff_t*) { return 0; }
void unmap_proc(thandle_t, void*, toff_t) {}

int on_error(TIFF*, void* user, const char* module, const char* fmt, va_list ap) {
  auto* s = static_cast<Source*>(user);
  if (s->error.empty()) {
    char buf[512];
    std::vsnprintf(buf, sizeof(buf), fmt, ap);
    s->error = std::string(module ? module : "libtiff") + ": " + buf;
  }
  return 1;  // Handled: nothing is printed.
}
int on_warning(TIFF*, void*, const char*, const char*, va_list) { return 1; }

struct TiffCloser {
  void operator()(TIFF* t) const { TIFFClose(t); }
};
using TiffHandle = std::unique_ptr<TIFF, TiffCloser>;

TiffHandle open(Source& s, const std::string& what) {
  std::unique_ptr<TIFFOpenOptions, void (*)(TIFFOpenOptions*)> options(TIFFOpenOptionsAlloc(),
                                                                       TIFFOpenOptionsFree);
  TIFFOpenOptionsSetErrorHandlerExtR(options.get(), on_error, &s);
  TIFFOpenOptionsSetWarningHandlerExtR(options.get(), on_warning, &s);
  TiffHandle t(TIFFClientOpenExt(what.c_str(), "rm", &s, read_proc, write_proc, seek_proc,
                                 close_proc, size_proc, map_proc, unmap_proc, options.get()));
  if (!t) throw Error("decode TIFF", what, 0, "", "corrupt header: " + s.error);
  return t;
}

TiffInfo info_of(TIFF* t, const std::string& what) {
  uint32_t w = 0, h = 0;
  uint16_t samples = 1, bits = 1;
  TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &w);
  TIFFGetField(t, TIFFTAG_IMAGELENGTH, &h);
  TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLESPERPIXEL, &samples);
  TIFFGetFieldDefaulted(t, TIFFTAG_BITSPERSAMPLE, &bits);
  // OpenCV's TIFF reader refuses other sample sizes (cv2.imread returns None).
  if (bits != 1 && bits != 8 && bits != 10 && bits != 12 && bits != 14 && bits != 16 &&
      bits != 32 && bits != 64) {
    throw Error(
        "decode TIFF", what, 0, "",
        "unsupported TIFF: " + std::to_string(bits) +
            "-bit samples (cv2.imread reads 1, 8, 10, 12, 14, 16, 32 or 64); convert it to PNG");
  }
  check_image_size(w, h, "TIFF", what);
  uint16_t orientation = ORIENTATION_TOPLEFT;
  TIFFGetFieldDefaulted(t, TIFFTAG_ORIENTATION, &orientation);
  if (orientation < 1 || orientation > 8) orientation = ORIENTATION_TOPLEFT;
  return {static_cast<int>(w), static_cast<int>(h), samples, orientation};
}

}  // namespace

bool is_tiff(const std::vector<uint8_t>& b) {
  if (b.size() < 4) return false;
  const bool le = b[0] == 'I' && b[1] == 'I' && (b[2] == 42 || b[2] == 43) && b[3] == 0;
  const bool be = b[0] == 'M' && b[1] == 'M' && b[2] == 0 && (b[3] == 42 || b[3] == 43);
  return le || be;
}

TiffInfo tiff_info(const std::vector<uint8_t>& bytes, const std::string& what) {
  Source s{&bytes};
  TiffHandle t = open(s, what);
  return info_of(t.get(), what);
}

cv::Mat decode_tiff(const std::vector<uint8_t>& bytes, const std::string& what) {
  Source s{&bytes};
  TiffHandle t = open(s, what);
  const TiffInfo info = info_of(t.get(), what);
  char message[1024] = "";
  if (!TIFFRGBAImageOK(t.get(), message)) {
    throw Error("decode TIFF", what, 0, "", std::string("unsupported TIFF: ") + message);
  }
  cv::Mat rgba(info.height, info.width, CV_8UC4);
  // ABGR words (little-endian bytes R, G, B, A), in stored order: libtiff is told the file is
  // top-left, so it flips nothing.
  TIFFRGBAImage img;
  bool ok = TIFFRGBAImageBegin(&img, t.get(), /*stop=*/1, message) != 0;
  if (ok) {
    img.orientation = ORIENTATION_TOPLEFT;
    img.req_orientation = ORIENTATION_TOPLEFT;
    ok = TIFFRGBAImageGet(&img, rgba.ptr<uint32_t>(), info.width, info.height) != 0;
    TIFFRGBAImageEnd(&img);
  }
  if (!ok || !s.error.empty()) {
    throw Error("decode TIFF", what, 0, "",
                "undecodable: " + (!s.error.empty() ? s.error
                                   : *message       ? std::string(message)
                                                    : std::string("libtiff failed")));
  }
  cv::Mat bgr(info.height, info.width, CV_8UC3);
  for (int y = 0; y < info.height; ++y) {
    const uint8_t* src = rgba.ptr<uint8_t>(y);
    uint8_t* dst = bgr.ptr<uint8_t>(y);
    for (int x = 0; x < info.width; ++x, src += 4, dst += 3) {
      dst[0] = src[2];
      dst[1] = src[1];
      dst[2] = src[0];
    }
  }
  return bgr;
}

}  // namespace fer::imaging
