#include "datasets/cubic_warp.h"

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

constexpr int kTabBits = 5, kTab = 1 << kTabBits;  // INTER_BITS, INTER_TAB_SIZE
constexpr int kCoefBits = 15;                      // INTER_REMAP_COEF_BITS
constexpr int kAbBits = 10;                        // warpAffine's AB_BITS

// Keys' cubic (a = -0.75) at fraction x, in float, in imgwarp.cpp's order of operations.
void cubic_coefficients(float x, float* c) {
  const float a = -0.75f;
  c[0] = ((a * (x + 1) - 5 * a) * (x + 1) + 8 * a) * (x + 1) - 4 * a;
  c[1] = ((a + 2) * x - (a + 3)) * x * x + 1;
  c[2] = ((a + 2) * (1 - x) - (a + 3)) * (1 - x) * (1 - x) + 1;
  c[3] = 1.f - c[0] - c[1] - c[2];
}

int16_t saturate_short(float v) {
  return static_cast<int16_t>(std::clamp<long>(std::lrintf(v), INT16_MIN, INT16_MAX));
}

struct Tables {
  alignas(32) int16_t w[kTab * kTab][16];  // [fy * 32 + fx][row * 4 + column]: 32 KiB, L1-sized
};

// One 4x4 table: the outer product rounded to 15 bits, its sum forced to 32768 by changing the
// largest (sum too small) or smallest (too large) entry of the lower-right 2x2, as OpenCV does.
void fill_table(const float* wy, const float* wx, int16_t* t) {
  int sum = 0;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j)
      sum += t[i * 4 + j] = saturate_short(wy[i] * wx[j] * (1 << kCoefBits));
  const int diff = sum - (1 << kCoefBits);
  if (diff == 0) return;
  int lo = 2 * 4 + 2, hi = lo;
  for (int i = 2; i < 4; ++i)
    for (int j = 2; j < 4; ++j) {
      if (t[i * 4 + j] < t[lo]) {
        lo = i * 4 + j;
      } else if (t[i * 4 + j] > t[hi]) {
        hi = i * 4 + j;
      }
    }
  const int at = diff < 0 ? hi : lo;
  t[at] = static_cast<int16_t>(t[at] - diff);
}

Tables build_tables() {
  Tables tab{};
  float one[kTab][4];
  for (int i = 0; i < kTab; ++i) cubic_coefficients(i * (1.f / kTab), one[i]);
  for (int fy = 0; fy < kTab; ++fy)
    for (int fx = 0; fx < kTab; ++fx) {
      const int a = fy * kTab + fx;
      fill_table(one[fy], one[fx], tab.w[a]);
    }
  return tab;
}

const Tables& tables() {
  static const Tables* t = new Tables(build_tables());
  return *t;
}

// What every row needs: the inverted matrix and the per-column fixed-point steps.
struct Job {
  const cv::Mat* src = nullptr;
  cv::Rect region;
  bool swap_rb = false;
  double inv[6] = {};
  std::vector<int> adelta, bdelta;
  int fast_cols = 0, fast_rows = 0;  // windows starting below these are read whole, unchecked
  cv::Mat out;                       // a header on the caller's image
};

struct Tap {
  int sx, sy, alpha;
};

void invert(const cv::Matx23d& m, double* inv) {
  double d = m(0, 0) * m(1, 1) - m(0, 1) * m(1, 0);
  d = d != 0 ? 1. / d : 0;
  inv[0] = m(1, 1) * d;
  inv[1] = m(0, 1) * -d;
  inv[3] = m(1, 0) * -d;
  inv[4] = m(0, 0) * d;
  inv[2] = -inv[0] * m(0, 2) - inv[1] * m(1, 2);
  inv[5] = -inv[3] * m(0, 2) - inv[4] * m(1, 2);
}

Job prepare(const cv::Mat& src, const cv::Matx23d& m, const cv::Rect& region, bool swap_rb,
            cv::Mat& out) {
  CV_Assert(src.type() == CV_8UC3);
  out.create(std::max(region.height, 0), std::max(region.width, 0), CV_8UC3);
  Job j;
  j.src = &src;
  j.region = region;
  j.swap_rb = swap_rb;
  j.out = out;
  if (j.out.empty()) return j;
  invert(m, j.inv);
  j.adelta.resize(region.width);
  j.bdelta.resize(region.width);
  for (int x = 0; x < region.width; ++x) {
    const int cx = region.x + x;
    j.adelta[x] = static_cast<int>(std::lrint(j.inv[0] * cx * (1 << kAbBits)));
    j.bdelta[x] = static_cast<int>(std::lrint(j.inv[3] * cx * (1 << kAbBits)));
  }
  // The vector kernel loads 16 bytes from a window's first pixel (12 used): two more pixels
  // must exist on the row. The scalar one reads only the 12.
  j.fast_cols = src.cols - 5;
  j.fast_rows = src.rows - 3;
  return j;
}

// The row's fixed-point start, rounded to the table's half step.
void row_start(const Job& j, int y, int* x0, int* y0) {
  const int cy = j.region.y + y, half = (1 << kAbBits) / kTab / 2;
  *x0 = static_cast<int>(std::lrint((j.inv[1] * cy + j.inv[2]) * (1 << kAbBits))) + half;
  *y0 = static_cast<int>(std::lrint((j.inv[4] * cy + j.inv[5]) * (1 << kAbBits))) + half;
}

inline Tap tap_at(const Job& j, int x0, int y0, int x) {
  const int fx = (x0 + j.adelta[x]) >> (kAbBits - kTabBits),
            fy = (y0 + j.bdelta[x]) >> (kAbBits - kTabBits);
  const int sx = std::clamp(fx >> kTabBits, INT16_MIN, INT16_MAX) - 1;
  const int sy = std::clamp(fy >> kTabBits, INT16_MIN, INT16_MAX) - 1;
  return {sx, sy, (fy & (kTab - 1)) * kTab + (fx & (kTab - 1))};
}

inline uint8_t cast8(int sum) {
  return static_cast<uint8_t>(std::clamp((sum + (1 << (kCoefBits - 1))) >> kCoefBits, 0, 255));
}

// A pixel whose window is not whole inside the image: the taps inside it count.
void edge_pixel(const Job& j, const Tap& t, uint8_t* d) {
  const cv::Mat& src = *j.src;
  d[0] = d[1] = d[2] = 0;  // the vector kernel's 4-byte store may have spilled into this pixel
  if (t.sx >= src.cols || t.sx + 4 <= 0 || t.sy >= src.rows || t.sy + 4 <= 0) return;
  const int16_t* w = tables().w[t.alpha];
  int sum[3] = {0, 0, 0};
  for (int r = 0; r < 4; ++r) {
    const int y = t.sy + r;
    if (y < 0 || y >= src.rows) continue;
    for (int c = 0; c < 4; ++c) {
      const int x = t.sx + c;
      if (x < 0 || x >= src.cols) continue;
      const uint8_t* p = src.ptr<uint8_t>(y) + 3 * x;
      for (int k = 0; k < 3; ++k) sum[k] += p[k] * w[r * 4 + c];
    }
  }
  for (int k = 0; k < 3; ++k) d[k] = cast8(sum[j.swap_rb ? 2 - k : k]);
}

// One output row's taps as three arrays (a struct per pixel made GCC copy it through the stack,
// a store-forwarding stall per pixel), with -1 in sx where a window may not be read whole (see
// Job::fast_cols) and the pixel is left to edge_pixel.
struct RowTaps {
  std::vector<int> sx, sy, alpha;
  explicit RowTaps(int n) : sx(n), sy(n), alpha(n) {}
};

void row_taps(const Job& j, int y, int from, int to, int fast_cols, RowTaps& r) {
  int x0, y0;
  row_start(j, y, &x0, &y0);
  for (int x = from; x < to; ++x) {
    const Tap t = tap_at(j, x0, y0, x);
    const bool fast = t.sx >= 0 && t.sx < fast_cols && t.sy >= 0 && t.sy < j.fast_rows;
    r.sx[x] = fast ? t.sx : -1;
    r.sy[x] = t.sy;
    r.alpha[x] = t.alpha;
  }
}

// The pixel's tap again, for edge_pixel (rare: only along the image's borders).
Tap edge_tap(const Job& j, int y, int x) {
  int x0, y0;
  row_start(j, y, &x0, &y0);
  return tap_at(j, x0, y0, x);
}

// One source row of the window times its 4 weights, per channel, written out (GCC kept a
// loop over the taps, with its counter on the stack).
inline void row_times_weights(const uint8_t* p, const int16_t* w, int& s0, int& s1, int& s2) {
  s0 += p[0] * w[0] + p[3] * w[1] + p[6] * w[2] + p[9] * w[3];
  s1 += p[1] * w[0] + p[4] * w[1] + p[7] * w[2] + p[10] * w[3];
  s2 += p[2] * w[0] + p[5] * w[1] + p[8] * w[2] + p[11] * w[3];
}

// Output pixels [from, to) of row y.
void segment_scalar(Job& j, int y, int from, int to, RowTaps& taps) {
  const Tables& tab = tables();
  const size_t step = j.src->step;
  const int c0 = j.swap_rb ? 2 : 0, c2 = 2 - c0;
  row_taps(j, y, from, to, j.src->cols - 3, taps);
  uint8_t* d = j.out.ptr<uint8_t>(y) + 3 * from;
  for (int x = from; x < to; ++x, d += 3) {
    if (taps.sx[x] < 0) {
      edge_pixel(j, edge_tap(j, y, x), d);
      continue;
    }
    const uint8_t* p = j.src->data + taps.sy[x] * step + 3 * taps.sx[x];
    const int16_t* w = tab.w[taps.alpha[x]];
    int s0 = 0, s1 = 0, s2 = 0;
    row_times_weights(p, w, s0, s1, s2);
    row_times_weights(p + step, w + 4, s0, s1, s2);
    row_times_weights(p + 2 * step, w + 8, s0, s1, s2);
    row_times_weights(p + 3 * step, w + 12, s0, s1, s2);
    d[c0] = cast8(s0);
    d[1] = cast8(s1);
    d[c2] = cast8(s2);
  }
}

// segment_scalar or segment_avx2. Each keeps its own pixel loop: the AVX2 body must be inlined
// into a function compiled for AVX2, which a loop shared with the scalar kernel could not be.
using Segment = void (*)(Job&, int y, int from, int to, RowTaps&);

// The output row by row. (16x64 tiles, to keep a rotated row's source footprint in cache,
// measured no faster on the 425-px benchmark, so the rows run whole.)
void warp_rows(Job& j, Segment segment) {
  RowTaps taps(j.out.cols);
  for (int y = 0; y < j.out.rows; ++y) segment(j, y, 0, j.out.cols, taps);
}

#ifdef FER_HAVE_AVX2_KERNEL
// row_taps, 8 pixels at a time.
__attribute__((target("avx2"))) void row_taps_avx2(const Job& j, int y, int from, int to,
                                                   RowTaps& r) {
  int x0, y0;
  row_start(j, y, &x0, &y0);
  const __m256i vx0 = _mm256_set1_epi32(x0), vy0 = _mm256_set1_epi32(y0),
                one = _mm256_set1_epi32(1);
  const __m256i lo = _mm256_set1_epi32(INT16_MIN), hi = _mm256_set1_epi32(INT16_MAX);
  const __m256i mask = _mm256_set1_epi32(kTab - 1), minus1 = _mm256_set1_epi32(-1);
  const __m256i cols = _mm256_set1_epi32(j.fast_cols), rows = _mm256_set1_epi32(j.fast_rows);
  int x = from;
  for (; x + 8 <= to; x += 8) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(&j.adelta[x]));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(&j.bdelta[x]));
    const __m256i fx = _mm256_srai_epi32(_mm256_add_epi32(vx0, a), kAbBits - kTabBits);
    const __m256i fy = _mm256_srai_epi32(_mm256_add_epi32(vy0, b), kAbBits - kTabBits);
    const __m256i sx = _mm256_sub_epi32(
        _mm256_min_epi32(_mm256_max_epi32(_mm256_srai_epi32(fx, kTabBits), lo), hi), one);
    const __m256i sy = _mm256_sub_epi32(
        _mm256_min_epi32(_mm256_max_epi32(_mm256_srai_epi32(fy, kTabBits), lo), hi), one);
    const __m256i alpha = _mm256_or_si256(_mm256_slli_epi32(_mm256_and_si256(fy, mask), kTabBits),
                                          _mm256_and_si256(fx, mask));
    // fast: 0 <= sx < cols and 0 <= sy < rows
    const __m256i fast = _mm256_andnot_si256(
        _mm256_or_si256(_mm256_cmpgt_epi32(_mm256_setzero_si256(), sx),
                        _mm256_cmpgt_epi32(_mm256_setzero_si256(), sy)),
        _mm256_and_si256(_mm256_cmpgt_epi32(cols, sx), _mm256_cmpgt_epi32(rows, sy)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(&r.sx[x]), _mm256_blendv_epi8(minus1, sx, fast));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(&r.sy[x]), sy);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(&r.alpha[x]), alpha);
  }
  for (; x < to; ++x) {
    const Tap t = tap_at(j, x0, y0, x);
    r.sx[x] = t.sx >= 0 && t.sx < j.fast_cols && t.sy >= 0 && t.sy < j.fast_rows ? t.sx : -1;
    r.sy[x] = t.sy;
    r.alpha[x] = t.alpha;
  }
}

// One source row of the window (4 pixels of 3 bytes, from a 16-byte load) times its 4 weights,
// added to lo ([c0 c0 c1 c1] partial sums) and hi ([c2 c2 0 0]).
__attribute__((target("avx2"))) inline void row_times_weights(const uint8_t* p, const int16_t* w,
                                                              __m128i planar, __m128i& lo,
                                                              __m128i& hi) {
  const __m128i v = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), planar);
  const __m128i weights = _mm_castpd_si128(_mm_loaddup_pd(reinterpret_cast<const double*>(w)));
  lo = _mm_add_epi32(lo, _mm_madd_epi16(_mm_cvtepu8_epi16(v), weights));
  hi = _mm_add_epi32(hi, _mm_madd_epi16(_mm_unpackhi_epi8(v, _mm_setzero_si128()), weights));
}

__attribute__((target("avx2"))) void segment_avx2(Job& j, int y, int from, int to, RowTaps& taps) {
  const Tables& tab = tables();
  const size_t step = j.src->step;
  const __m128i round = _mm_set1_epi32(1 << (kCoefBits - 1));
  // Output channel k comes from source byte k (or 2 - k when swapping); -1 gives zero.
  const __m128i planar = j.swap_rb
                             ? _mm_setr_epi8(2, 5, 8, 11, 1, 4, 7, 10, 0, 3, 6, 9, -1, -1, -1, -1)
                             : _mm_setr_epi8(0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11, -1, -1, -1, -1);
  row_taps_avx2(j, y, from, to, taps);
  uint8_t* d = j.out.ptr<uint8_t>(y) + 3 * from;
  for (int x = from; x < to; ++x, d += 3) {
    if (taps.sx[x] < 0) {
      edge_pixel(j, edge_tap(j, y, x), d);
      continue;
    }
    const uint8_t* p = j.src->data + taps.sy[x] * step + 3 * taps.sx[x];
    const int16_t* w = tab.w[taps.alpha[x]];
    __m128i lo = _mm_setzero_si128(), hi = _mm_setzero_si128();
    row_times_weights(p, w, planar, lo, hi);
    row_times_weights(p + step, w + 4, planar, lo, hi);
    row_times_weights(p + 2 * step, w + 8, planar, lo, hi);
    row_times_weights(p + 3 * step, w + 12, planar, lo, hi);
    __m128i v = _mm_hadd_epi32(lo, hi);  // [c0 c1 c2 0]
    v = _mm_srai_epi32(_mm_add_epi32(v, round), kCoefBits);
    v = _mm_packus_epi16(_mm_packs_epi32(v, v), v);
    const uint32_t px = static_cast<uint32_t>(_mm_cvtsi128_si32(v));
    if (x + 1 < j.out.cols) {
      std::memcpy(d, &px, 4);  // the 4th byte is the next pixel's, written after it
    } else {
      std::memcpy(d, &px, 3);
    }
  }
}
#endif

}  // namespace

void warp_affine_cubic(const cv::Mat& src, const cv::Matx23d& m, const cv::Rect& region,
                       bool swap_rb, cv::Mat& out, Isa isa) {
  CV_Assert(out.data != src.data);
  Job j = prepare(src, m, region, swap_rb, out);
  if (j.out.empty()) return;
#ifdef FER_HAVE_AVX2_KERNEL
  if (isa == Isa::kAvx2) {
    warp_rows(j, segment_avx2);
    return;
  }
#endif
  warp_rows(j, segment_scalar);
}

cv::Mat warp_affine_cubic(const cv::Mat& src, const cv::Matx23d& m, const cv::Rect& region,
                          bool swap_rb, Isa isa) {
  cv::Mat out;
  warp_affine_cubic(src, m, region, swap_rb, out, isa);
  return out;
}

}  // namespace fer::datasets
