#include "imaging/bmp.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "imaging/image_limits.h"

namespace fer::imaging {
namespace {

enum Compression { kRgb = 0, kRle8 = 1, kRle4 = 2, kBitfields = 3 };

struct Layout {
  BmpInfo info;
  bool top_down = false;
  int compression = kRgb;
  bool rgb555 = false;              // 16-bit: 5-5-5 (else 5-6-5).
  uint8_t palette[256][3] = {{0}};  // B, G, R.
  size_t offset = 0;                // Where the pixels start.
};

// A little-endian reader that throws on reading past the end.
class Reader {
 public:
  Reader(const std::vector<uint8_t>& b, const std::string& what) : b_(b), what_(what) {}
  void seek(size_t pos) { pos_ = pos; }
  size_t pos() const { return pos_; }
  const uint8_t* take(size_t n) {
    if (pos_ > b_.size() || b_.size() - pos_ < n)
      throw Error("decode BMP", what_, 0, "", "truncated file (data ends before the image does)");
    const uint8_t* p = b_.data() + pos_;
    pos_ += n;
    return p;
  }
  uint32_t u8() { return *take(1); }
  uint32_t u16() {
    const uint8_t* p = take(2);
    return p[0] | (p[1] << 8);
  }
  uint32_t u32() {
    const uint8_t* p = take(4);
    return p[0] | (p[1] << 8) | (p[2] << 16) | (uint32_t{p[3]} << 24);
  }

 private:
  const std::vector<uint8_t>& b_;
  const std::string& what_;
  size_t pos_ = 0;
};

[[noreturn]] void unsupported(const std::string& what, const std::string& why) {
  throw Error("decode BMP", what, 0, "", "unsupported bitmap (" + why + "); convert it to PNG");
}

Layout read_layout(const std::vector<uint8_t>& bytes, const std::string& what) {
  Reader r(bytes, what);
  Layout l;
  r.seek(10);
  l.offset = r.u32();
  const uint32_t size = r.u32();
  int64_t width = 0, height = 0;
  if (size >= 36 && size < (1u << 31)) {
    width = static_cast<int32_t>(r.u32());
    height = static_cast<int32_t>(r.u32());
    r.u16();  // Planes.
    l.info.bits = static_cast<int>(r.u16());
    l.compression = static_cast<int>(r.u32());
    r.take(12);
    const uint32_t used = r.u32();
    r.seek(14 + size);
    const int b = l.info.bits, c = l.compression;
    const bool ok = ((b == 1 || b == 4 || b == 8 || b == 24 || b == 32) && c == kRgb) ||
                    ((b == 16 || b == 32) && c == kBitfields) || (b == 16 && c == kRgb) ||
                    (b == 4 && c == kRle4) || (b == 8 && c == kRle8);
    if (!ok) {
      unsupported(what, std::to_string(b) + "-bit, compression " + std::to_string(c));
    }
    if (b <= 8) {
      if (used > 256) unsupported(what, std::to_string(used) + " palette colours");
      const uint32_t n = used == 0 ? (1u << b) : used;
      for (uint32_t i = 0; i < n; ++i) std::memcpy(l.palette[i], r.take(4), 3);
    } else if (b == 16 && c == kBitfields) {
      const uint32_t red = r.u32(), green = r.u32(), blue = r.u32();
      l.rgb555 = red == 0x7c00 && green == 0x3e0 && blue == 0x1f;
      if (!l.rgb555 && !(red == 0xf800 && green == 0x7e0 && blue == 0x1f))
        unsupported(what, "16-bit masks other than 5-5-5 and 5-6-5");
    } else if (b == 16) {
      l.rgb555 = true;
    }
  } else if (size == 12) {  // OS/2 1.x: 16-bit sizes, 3-byte palette entries, no compression.
    width = r.u16();
    height = r.u16();  // Unsigned: OS/2 1.x bitmaps are bottom-up.
    r.u16();
    l.info.bits = static_cast<int>(r.u16());
    const int b = l.info.bits;
    if (b != 1 && b != 4 && b != 8 && b != 24 && b != 32)
      unsupported(what, std::to_string(b) + "-bit OS/2 bitmap");
    if (b <= 8)
      for (int i = 0; i < (1 << b); ++i) std::memcpy(l.palette[i], r.take(3), 3);
  } else {
    unsupported(what, "a " + std::to_string(size) + "-byte information header");
  }
  if (width <= 0 || height == 0) {
    throw Error("decode BMP", what, 0, "",
                "corrupt header: no pixels (" + std::to_string(width) + " x " +
                    std::to_string(height) + ")");
  }
  l.top_down = height < 0;
  check_image_size(width, height < 0 ? -height : height, "BMP", what);
  l.info.width = static_cast<int>(width);
  l.info.height = static_cast<int>(height < 0 ? -height : height);
  return l;
}

// Uncompressed rows, padded to 4 bytes.
void read_rows(const Layout& l, Reader& r, cv::Mat& out) {
  const int w = l.info.width, bits = l.info.bits;
  const size_t pitch = ((static_cast<size_t>(w) * bits + 7) / 8 + 3) & ~size_t{3};
  for (int y = 0; y < l.info.height; ++y) {
    const uint8_t* src = r.take(pitch);
    uint8_t* dst = out.ptr<uint8_t>(l.top_down ? y : l.info.height - 1 - y);
    for (int x = 0; x < w; ++x, dst += 3) {
      if (bits <= 8) {
        const int per_byte = 8 / bits, shift = 8 - bits * (x % per_byte + 1);
        const int index = (src[x / per_byte] >> shift) & ((1 << bits) - 1);
        std::memcpy(dst, l.palette[index], 3);
      } else if (bits == 16) {
        const uint32_t t = src[2 * x] | (src[2 * x + 1] << 8);
        dst[0] = static_cast<uint8_t>(t << 3);
        dst[1] = static_cast<uint8_t>(l.rgb555 ? (t >> 2) & ~7u : (t >> 3) & ~3u);
        dst[2] = static_cast<uint8_t>(l.rgb555 ? (t >> 7) & ~7u : (t >> 8) & ~7u);
      } else {
        std::memcpy(dst, src + x * (bits / 8), 3);
      }
    }
  }
}

// RLE4 and RLE8 as OpenCV's BMP codec decodes them: runs may not cross a row's end; skipped
// pixels (end of line, delta, end of bitmap) take palette colour 0. RLE8 wraps to the next row
// when a run ends exactly at the row's end, and then ignores an end-of-line code; RLE4's
// end-of-bitmap and delta codes move within the current row only.
class RleCursor {
 public:
  RleCursor(const Layout& l, cv::Mat& out)
      : l_(l), out_(out), w_(l.info.width), h_(l.info.height) {}
  bool done() const { return y_ >= h_; }
  int room() const { return w_ - x_; }
  int x() const { return x_; }
  int y() const { return y_; }
  void put(int index) {
    std::memcpy(out_.ptr<uint8_t>(l_.top_down ? y_ : h_ - 1 - y_) + 3 * x_++, l_.palette[index], 3);
  }
  // Fills `count` pixels with palette colour `index`, wrapping at each row's end. Returns
  // whether the last pixel ended a row (so the cursor wrapped).
  bool fill(int64_t count, int index) {
    bool wrapped = false;
    do {
      const int64_t n = std::min<int64_t>(count, room());
      for (int64_t i = 0; i < n; ++i) put(index);
      count -= n;
      wrapped = false;
      if (x_ >= w_) {
        x_ = 0;
        wrapped = true;
        if (++y_ >= h_) break;
      }
    } while (count > 0);
    return wrapped;
  }

 private:
  const Layout& l_;
  cv::Mat& out_;
  const int w_, h_;
  int x_ = 0, y_ = 0;
};

[[noreturn]] void bad_rle(const std::string& what, const RleCursor& c) {
  throw Error("decode BMP", what, 0, "",
              "corrupt RLE data: a run crosses the end of row " + std::to_string(c.y()));
}

void decode_rle8(const Layout& l, Reader& r, cv::Mat& out, const std::string& what) {
  RleCursor c(l, out);
  bool wrapped = false;
  while (true) {
    const int len = static_cast<int>(r.u8()), code = static_cast<int>(r.u8());
    if (len != 0) {
      if (len > c.room()) bad_rle(what, c);
      wrapped = c.fill(len, code);
      if (c.done()) break;
    } else if (code > 2) {
      if (code > c.room()) bad_rle(what, c);
      const uint8_t* src = r.take(static_cast<size_t>((code + 1) & ~1));
      for (int i = 0; i < code; ++i) c.put(src[i]);
      wrapped = false;
    } else {
      if (code != 0 || !wrapped || c.room() < l.info.width) {
        int64_t skip = c.room();
        int64_t rows = l.info.height - c.y();
        if (code == 2) {
          skip = r.u8();
          rows = r.u8();
        }
        if (code != 0) skip += rows * l.info.width;
        if (c.done()) break;
        c.fill(skip, 0);
      }
      wrapped = false;
      if (c.done()) break;
    }
  }
}

void decode_rle4(const Layout& l, Reader& r, cv::Mat& out, const std::string& what) {
  RleCursor c(l, out);
  while (true) {
    const int len = static_cast<int>(r.u8()), code = static_cast<int>(r.u8());
    if (len != 0) {
      if (len > c.room()) bad_rle(what, c);
      for (int i = 0; i < len; ++i) c.put(i % 2 == 0 ? code >> 4 : code & 15);
    } else if (code > 2) {
      if (code > c.room()) bad_rle(what, c);
      const uint8_t* src = r.take(static_cast<size_t>((((code + 1) >> 1) + 1) & ~1));
      for (int i = 0; i < code; ++i) c.put(i % 2 == 0 ? src[i / 2] >> 4 : src[i / 2] & 15);
    } else {
      int64_t skip = c.room();
      if (code == 2) {
        skip = r.u8();
        r.u8();  // OpenCV's RLE4 ignores the delta's rows.
      }
      c.fill(skip, 0);
      if (c.done()) break;
    }
  }
}

}  // namespace

bool is_bmp(const std::vector<uint8_t>& bytes) {
  return bytes.size() >= 2 && bytes[0] == 'B' && bytes[1] == 'M';
}

BmpInfo bmp_info(const std::vector<uint8_t>& bytes, const std::string& what) {
  return read_layout(bytes, what).info;
}

cv::Mat decode_bmp(const std::vector<uint8_t>& bytes, const std::string& what) {
  const Layout l = read_layout(bytes, what);
  cv::Mat out(l.info.height, l.info.width, CV_8UC3, cv::Scalar::all(0));
  Reader r(bytes, what);
  r.seek(l.offset);
  if (l.compression == kRle8)
    decode_rle8(l, r, out, what);
  else if (l.compression == kRle4)
    decode_rle4(l, r, out, what);
  else
    read_rows(l, r, out);
  return out;
}

}  // namespace fer::imaging
