#include "datasets/pil_resample.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define FER_HAVE_AVX2_KERNEL 1
#endif

namespace fer::datasets {
namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;
constexpr int kHalf = 1 << (kPrecisionBits - 1);

// Each output pixel's weights over the input, as fixed point (normalize_coeffs_8bpc), and the
// first input index and count (precompute_coeffs).
struct Coefficients {
  int ksize = 0;
  int max_count = 0;  // the largest count: the vector kernel's fixed tap count
  std::vector<int> first, count;
  std::vector<int> k;  // out_size x ksize, zero past count
};

Coefficients precompute(int in_size, int out_size) {
  const double scale = static_cast<double>(in_size) / out_size;
  const double filterscale = std::max(scale, 1.0);
  const double support = 1.0 * filterscale;  // The bilinear filter's support is 1.
  Coefficients c;
  c.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
  c.first.resize(out_size);
  c.count.resize(out_size);
  c.k.assign(static_cast<size_t>(out_size) * c.ksize, 0);
  std::vector<double> w(c.ksize);
  for (int xx = 0; xx < out_size; ++xx) {
    const double center = (xx + 0.5) * scale, ss = 1.0 / filterscale;
    int xmin = static_cast<int>(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = static_cast<int>(center + support + 0.5);
    if (xmax > in_size) xmax = in_size;
    xmax -= xmin;
    double ww = 0;
    for (int x = 0; x < xmax; ++x) {
      const double t = std::abs((x + xmin - center + 0.5) * ss);
      w[x] = t < 1.0 ? 1.0 - t : 0.0;
      ww += w[x];
    }
    for (int x = 0; x < xmax; ++x) {
      const double v = ww != 0.0 ? w[x] / ww : w[x];
      c.k[static_cast<size_t>(xx) * c.ksize + x] = static_cast<int>(
          v < 0 ? -0.5 + v * (1 << kPrecisionBits) : 0.5 + v * (1 << kPrecisionBits));
    }
    c.first[xx] = xmin;
    c.count[xx] = xmax;
    c.max_count = std::max(c.max_count, xmax);
  }
  return c;
}

inline uint8_t clip8(int v) {
  return static_cast<uint8_t>(std::clamp(v >> kPrecisionBits, 0, 255));
}

// Output pixel x of a horizontal pass over one row of 3-byte pixels.
inline void horizontal_pixel(const Coefficients& c, const uint8_t* row, int x, uint8_t* o) {
  const int* k = &c.k[static_cast<size_t>(x) * c.ksize];
  const uint8_t* src = row + static_cast<size_t>(c.first[x]) * 3;
  int s0 = kHalf, s1 = kHalf, s2 = kHalf;
  for (int t = 0; t < c.count[x]; ++t, src += 3) {
    s0 += src[0] * k[t];
    s1 += src[1] * k[t];
    s2 += src[2] * k[t];
  }
  o[0] = clip8(s0);
  o[1] = clip8(s1);
  o[2] = clip8(s2);
}

void horizontal_scalar(const cv::Mat& in, const Coefficients& c, cv::Mat& out) {
  for (int y = 0; y < out.rows; ++y)
    for (int x = 0; x < out.cols; ++x)
      horizontal_pixel(c, in.ptr<uint8_t>(y), x, out.ptr<uint8_t>(y) + 3 * x);
}

// Output row y of a vertical pass, values [from, to) of the row, a chunk at a time: each tap's
// input row is read along the chunk (not a column at a time across the rows).
inline void vertical_values(const cv::Mat& in, const Coefficients& c, int y, int from, int to,
                            uint8_t* o) {
  const int* k = &c.k[static_cast<size_t>(y) * c.ksize];
  constexpr int kChunk = 64;
  int sums[kChunk];
  for (int start = from; start < to; start += kChunk) {
    const int n = std::min(kChunk, to - start);
    std::fill(sums, sums + n, kHalf);
    for (int t = 0; t < c.count[y]; ++t) {
      const uint8_t* src = in.ptr<uint8_t>(c.first[y] + t) + start;
      for (int i = 0; i < n; ++i) sums[i] += src[i] * k[t];
    }
    for (int i = 0; i < n; ++i) o[start + i] = clip8(sums[i]);
  }
}

void vertical_scalar(const cv::Mat& in, const Coefficients& c, cv::Mat& out) {
  const int values = in.cols * 3;
  for (int y = 0; y < out.rows; ++y) vertical_values(in, c, y, 0, values, out.ptr<uint8_t>(y));
}

#ifdef FER_HAVE_AVX2_KERNEL
// Four 32-bit sums to four bytes, as clip8 does: >> 22, saturated to [0, 255].
__attribute__((target("avx2"))) inline uint32_t clip8x4(__m128i s) {
  s = _mm_srai_epi32(s, kPrecisionBits);
  return static_cast<uint32_t>(_mm_cvtsi128_si32(_mm_packus_epi16(_mm_packs_epi32(s, s), s)));
}

// Each output pixel's taps as 4-byte loads (a pixel and one byte of the next), widened to
// 32 bits and multiplied by the broadcast weight. Every pixel runs max_count taps (the weights
// past its own count are zero), so the loop's length does not change from pixel to pixel (a
// count alternating between 3 and 4 mispredicted). A window whose max_count taps reach the
// row's last input pixel is left to the scalar code (its 4-byte load would pass the row).
__attribute__((target("avx2"))) void horizontal_avx2(const cv::Mat& in, const Coefficients& c,
                                                     cv::Mat& out) {
  const __m128i half = _mm_set1_epi32(kHalf);
  const int taps = c.max_count;
  for (int y = 0; y < out.rows; ++y) {
    const uint8_t* row = in.ptr<uint8_t>(y);
    uint8_t* o = out.ptr<uint8_t>(y);
    for (int x = 0; x < out.cols; ++x) {
      if (c.first[x] + taps >= in.cols) {
        horizontal_pixel(c, row, x, o + 3 * x);
        continue;
      }
      const int* k = &c.k[static_cast<size_t>(x) * c.ksize];
      const uint8_t* src = row + static_cast<size_t>(c.first[x]) * 3;
      __m128i s = half;
      for (int t = 0; t < taps; ++t, src += 3) {
        int32_t v;
        std::memcpy(&v, src, 4);
        s = _mm_add_epi32(
            s, _mm_mullo_epi32(_mm_cvtepu8_epi32(_mm_cvtsi32_si128(v)), _mm_set1_epi32(k[t])));
      }
      const uint32_t px = clip8x4(s);
      std::memcpy(o + 3 * x, &px, 3);
    }
  }
}

// Eight values at a time down the taps' rows.
__attribute__((target("avx2"))) void vertical_avx2(const cv::Mat& in, const Coefficients& c,
                                                   cv::Mat& out) {
  const int values = in.cols * 3;
  const __m256i half = _mm256_set1_epi32(kHalf);
  for (int y = 0; y < out.rows; ++y) {
    const int* k = &c.k[static_cast<size_t>(y) * c.ksize];
    const int first = c.first[y], count = c.count[y];
    uint8_t* o = out.ptr<uint8_t>(y);
    int i = 0;
    for (; i + 8 <= values; i += 8) {
      __m256i s = half;
      for (int t = 0; t < count; ++t) {
        const __m128i v =
            _mm_loadl_epi64(reinterpret_cast<const __m128i*>(in.ptr<uint8_t>(first + t) + i));
        s = _mm256_add_epi32(s,
                             _mm256_mullo_epi32(_mm256_cvtepu8_epi32(v), _mm256_set1_epi32(k[t])));
      }
      s = _mm256_srai_epi32(s, kPrecisionBits);
      const __m128i p = _mm_packs_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
      _mm_storel_epi64(reinterpret_cast<__m128i*>(o + i), _mm_packus_epi16(p, p));
    }
    vertical_values(in, c, y, i, values, o);
  }
}
#endif

cv::Mat resample_pass(const cv::Mat& in, int out_size, bool horizontal, Isa isa) {
  const Coefficients c = precompute(horizontal ? in.cols : in.rows, out_size);
  cv::Mat out(horizontal ? in.rows : out_size, horizontal ? out_size : in.cols, in.type());
#ifdef FER_HAVE_AVX2_KERNEL
  if (isa == Isa::kAvx2) {
    horizontal ? horizontal_avx2(in, c, out) : vertical_avx2(in, c, out);
    return out;
  }
#endif
  horizontal ? horizontal_scalar(in, c, out) : vertical_scalar(in, c, out);
  return out;
}

}  // namespace

cv::Mat pil_resize_bilinear(const cv::Mat& rgb, int width, int height, Isa isa) {
  CV_Assert(rgb.type() == CV_8UC3 && width > 0 && height > 0 && !rgb.empty());
  cv::Mat out = rgb;
  if (width != rgb.cols) out = resample_pass(out, width, /*horizontal=*/true, isa);
  if (height != rgb.rows) out = resample_pass(out, height, /*horizontal=*/false, isa);
  return out.data == rgb.data ? rgb.clone() : out;
}

}  // namespace fer::datasets
