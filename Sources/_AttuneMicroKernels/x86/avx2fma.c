// AVX2 + FMA micro-kernels (16 ymm registers of 8 floats).
//
// Geometry, as BLIS's Haswell sgemm: scores 6 rows × 16 keys (12 accumulators, 2 panel loads, 1
// broadcast: 15 registers); products 6 rows × 16 columns (12 accumulators, 2 value loads, 1
// broadcast), then 8 columns at a time, or, decoding, V's rows in address order two keys at a
// time; decode 4 rows × 2 keys (8 accumulators, 2 key loads, 1 query load), and from 8-bit keys
// 4 rows × 16 keys along the lanes (8 accumulators, 2 key vectors, 1 broadcast).

#include "AttuneMicroKernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#include <math.h>

#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)

enum { SR = 6, PK = 16, PR = 6, PC = 16, L = 8, DR = 4, DK = 2, CHUNK = 64, KCHUNK_BYTES = 16384 };

// Keys ahead of the decode kernel that the driver asks for K's rows, into L2 (16 KiB at dk = 128):
// enough to turn its side-by-side key streams into one stream of requests in order (see
// `PrefetchStream`). Into L1, on a Zen 3, 16 had taken 0.92x [0.88, 1.00] the time of 8 at the
// decode shape of scripts/bench/model_shapes_benchmark.py, and 32 0.95x.
enum { DECODE_AHEAD = 32 };

// Products when V streams from memory (decoding): how many keys ahead of use V's rows are asked
// for, into L2 (8 KiB of float32 rows at dv = 128).
enum { STREAM_AHEAD = 16 };

// Lanes below `valid` (0...8) set: the mask of `_mm256_maskload_ps` and `_mm256_maskstore_ps`.
static inline __m256i tail_mask(ptrdiff_t valid) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)valid), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// The loops below are written for R rows, R a constant in each caller: the compiler keeps exactly
// R rows of accumulators, so a partial block of rows costs no work for the missing ones.
#define ALWAYS_INLINE inline __attribute__((always_inline))

// One feature `c` of the scores: 2 panel loads, R broadcasts, 2R multiply-adds. Row r's queries are
// read from `a0` (rows 0–2) or `a3` (rows 3–5) plus a multiple of `ldq`: two moving pointers and
// x86's scaled addressing reach all six rows, where six pointers would not fit the 16 registers
// beside the loop's own.
static ALWAYS_INLINE void scores_step(const int R, __m256 x[SR][2], const float *a0,
                                      const float *a3, ptrdiff_t ldq, const float *b) {
  __m256 k0 = _mm256_loadu_ps(b), k1 = _mm256_loadu_ps(b + 8);
  for (int r = 0; r < R; r++) {
    __m256 y = _mm256_broadcast_ss(r < 3 ? a0 + r * ldq : a3 + (r - 3) * ldq);
    x[r][0] = _mm256_fmadd_ps(y, k0, x[r][0]);
    x[r][1] = _mm256_fmadd_ps(y, k1, x[r][1]);
  }
}

static ALWAYS_INLINE void scores_rows(const int R, const float *q, ptrdiff_t ldq,
                                      const float *panel, ptrdiff_t dk, float *s, ptrdiff_t lds,
                                      float *row_max) {
  for (ptrdiff_t c0 = 0; c0 < dk; c0 += CHUNK) {
    ptrdiff_t n = (c0 + CHUNK < dk ? c0 + CHUNK : dk) - c0, c = 0;
    __m256 x[SR][2];
    for (int r = 0; r < R; r++) x[r][0] = x[r][1] = _mm256_setzero_ps();
    const float *b = panel + c0 * PK, *a0 = q + c0, *a3 = q + 3 * ldq + c0;
    // Four features per pass: a quarter of the loop's counting and branching.
    for (; c + 4 <= n; c += 4, a0 += 4, a3 += 4, b += 4 * PK)
      for (int u = 0; u < 4; u++) scores_step(R, x, a0 + u, a3 + u, ldq, b + u * PK);
    for (; c < n; c++, a0++, a3++, b += PK) scores_step(R, x, a0, a3, ldq, b);
    for (int r = 0; r < R; r++) {
      float *out = s + r * lds;
      if (c0 > 0) {
        x[r][0] = _mm256_add_ps(_mm256_loadu_ps(out), x[r][0]);
        x[r][1] = _mm256_add_ps(_mm256_loadu_ps(out + 8), x[r][1]);
      }
      _mm256_storeu_ps(out, x[r][0]);
      _mm256_storeu_ps(out + 8, x[r][1]);
      if (row_max && c0 + CHUNK >= dk) {
        // max(x, m) keeps m where x is NaN.
        __m256 m = _mm256_max_ps(x[r][0], _mm256_loadu_ps(row_max + r * L));
        _mm256_storeu_ps(row_max + r * L, _mm256_max_ps(x[r][1], m));
      }
    }
  }
}

static void f32_scores_6x16_avx2fma(const float *q, ptrdiff_t ldq, ptrdiff_t rows, const float *panel,
                                    ptrdiff_t dk, float *s, ptrdiff_t lds, float *row_max) {
  for (; rows >= SR; rows -= SR, q += SR * ldq, s += SR * lds, row_max = row_max ? row_max + SR * L : 0)
    scores_rows(SR, q, ldq, panel, dk, s, lds, row_max);
  switch (rows) {
  case 1: scores_rows(1, q, ldq, panel, dk, s, lds, row_max); break;
  case 2: scores_rows(2, q, ldq, panel, dk, s, lds, row_max); break;
  case 3: scores_rows(3, q, ldq, panel, dk, s, lds, row_max); break;
  case 4: scores_rows(4, q, ldq, panel, dk, s, lds, row_max); break;
  case 5: scores_rows(5, q, ldq, panel, dk, s, lds, row_max); break;
  default: break;
  }
}

// One key of the products: 2 value loads, R broadcasts of P, 2R multiply-adds; P's rows (`rs`
// floats apart) are reached from two moving pointers as the queries are in `scores_step`.
static ALWAYS_INLINE void products_step(const int R, __m256 x[PR][2], const float *a0,
                                        const float *a3, ptrdiff_t rs, const float *vj) {
  __m256 y0 = _mm256_loadu_ps(vj), y1 = _mm256_loadu_ps(vj + 8);
  for (int r = 0; r < R; r++) {
    __m256 a = _mm256_broadcast_ss(r < 3 ? a0 + r * rs : a3 + (r - 3) * rs);
    x[r][0] = _mm256_fmadd_ps(a, y0, x[r][0]);
    x[r][1] = _mm256_fmadd_ps(a, y1, x[r][1]);
  }
}

// One chunk of keys `j0 ..< j1` for R rows, every column block. P's element for row r and key j
// is at `p + r * rs + j * ks`: (ldp, 1) for `products`, (1, ldp) for `products_t`; the constant
// stride of each is folded in when it is inlined.
static ALWAYS_INLINE void products_rows(const int R, const float *p, ptrdiff_t rs, ptrdiff_t ks,
                                        const float *v, ptrdiff_t ldv, ptrdiff_t j0,
                                        ptrdiff_t j1, ptrdiff_t columns, float *acc,
                                        ptrdiff_t ldacc) {
  ptrdiff_t column = 0;
  for (; column + PC <= columns; column += PC) {
    __m256 x[PR][2];
    for (int r = 0; r < R; r++) {
      x[r][0] = _mm256_loadu_ps(acc + r * ldacc + column);
      x[r][1] = _mm256_loadu_ps(acc + r * ldacc + column + 8);
    }
    const float *vj = v + j0 * ldv + column, *a0 = p + j0 * ks, *a3 = p + 3 * rs + j0 * ks;
    ptrdiff_t n = j1 - j0, j = 0;
    // Two keys per pass: half of the loop's counting and branching.
    for (; j + 2 <= n; j += 2, vj += 2 * ldv, a0 += 2 * ks, a3 += 2 * ks)
      for (int u = 0; u < 2; u++) products_step(R, x, a0 + u * ks, a3 + u * ks, rs, vj + u * ldv);
    for (; j < n; j++, vj += ldv, a0 += ks, a3 += ks) products_step(R, x, a0, a3, rs, vj);
    for (int r = 0; r < R; r++) {
      _mm256_storeu_ps(acc + r * ldacc + column, x[r][0]);
      _mm256_storeu_ps(acc + r * ldacc + column + 8, x[r][1]);
    }
  }
  for (; column < columns; column += L) {
    __m256 x[PR];
    for (int r = 0; r < R; r++) x[r] = _mm256_loadu_ps(acc + r * ldacc + column);
    const float *vj = v + j0 * ldv + column;
    for (ptrdiff_t j = j0; j < j1; j++, vj += ldv) {
      __m256 y = _mm256_loadu_ps(vj);
      for (int r = 0; r < R; r++)
        x[r] = _mm256_fmadd_ps(_mm256_broadcast_ss(p + r * rs + j * ks), y, x[r]);
    }
    for (int r = 0; r < R; r++) _mm256_storeu_ps(acc + r * ldacc + column, x[r]);
  }
}

// Keys in chunks, each chunk's value rows (at most KCHUNK_BYTES) kept in L1 while every register
// tile of rows, then every column block, passes over them: V comes from L2 or memory once per
// call, not once per tile of rows. P's strides as in `products_rows`.
static ALWAYS_INLINE void products_chunks(const float *p, ptrdiff_t rs, ptrdiff_t ks,
                                          ptrdiff_t rows, const float *v, ptrdiff_t ldv,
                                          ptrdiff_t count, ptrdiff_t columns, float *acc,
                                          ptrdiff_t ldacc) {
  // As many keys as keep the chunk's value rows within KCHUNK_BYTES (half of a 32 KiB L1).
  ptrdiff_t chunk = KCHUNK_BYTES / (4 * (columns > 0 ? columns : 1));
  if (chunk < 16) chunk = 16;
  for (ptrdiff_t j0 = 0; j0 < count; j0 += chunk) {
    ptrdiff_t j1 = j0 + chunk < count ? j0 + chunk : count;
    ptrdiff_t r = 0;
    for (; r + PR <= rows; r += PR)
      products_rows(PR, p + r * rs, rs, ks, v, ldv, j0, j1, columns, acc + r * ldacc, ldacc);
    const float *pr = p + r * rs;
    float *ar = acc + r * ldacc;
    switch (rows - r) {
    case 1: products_rows(1, pr, rs, ks, v, ldv, j0, j1, columns, ar, ldacc); break;
    case 2: products_rows(2, pr, rs, ks, v, ldv, j0, j1, columns, ar, ldacc); break;
    case 3: products_rows(3, pr, rs, ks, v, ldv, j0, j1, columns, ar, ldacc); break;
    case 4: products_rows(4, pr, rs, ks, v, ldv, j0, j1, columns, ar, ldacc); break;
    case 5: products_rows(5, pr, rs, ks, v, ldv, j0, j1, columns, ar, ldacc); break;
    default: break;
    }
  }
}

// Decoding (at most DR rows; V read once, from memory): V walked row after row in address order,
// asking for the rows STREAM_AHEAD keys later into L2, two keys at a time, the accumulators in L1
// (each of their vectors loaded and stored once per two keys), P's weights for the two keys in
// registers (2R + 2 value loads + 1 accumulator: ≤ 11). On a Zen 4 this took 0.787x [0.706, 0.843]
// the time of 8-key chunks walked in 64-byte column strips, and the prefetch into L1 0.887x [0.826,
// 0.931] of none (scripts/bench/serve_ab.py --decode --isa avx2, 16 rounds each). Into L2 instead
// of L1: see `PrefetchStream`.
static ALWAYS_INLINE void products_streaming(const int R, const float *p, ptrdiff_t ldp,
                                             const float *v, ptrdiff_t ldv, ptrdiff_t count,
                                             ptrdiff_t columns, float *acc, ptrdiff_t ldacc) {
  ptrdiff_t j = 0;
  for (; j + 2 <= count; j += 2) {
    const float *v0 = v + j * ldv, *v1 = v0 + ldv;
    if (j + STREAM_AHEAD + 2 <= count)
      for (ptrdiff_t c = 0; c < 2 * ldv; c += 16)
        _mm_prefetch((const char *)(v0 + STREAM_AHEAD * ldv + c), _MM_HINT_T1);
    __m256 w[DR][2];
    for (int r = 0; r < R; r++) {
      w[r][0] = _mm256_broadcast_ss(p + r * ldp + j);
      w[r][1] = _mm256_broadcast_ss(p + r * ldp + j + 1);
    }
    for (ptrdiff_t c = 0; c < columns; c += L) {
      __m256 y0 = _mm256_loadu_ps(v0 + c), y1 = _mm256_loadu_ps(v1 + c);
      for (int r = 0; r < R; r++) {
        float *o = acc + r * ldacc + c;
        __m256 x = _mm256_fmadd_ps(w[r][0], y0, _mm256_loadu_ps(o));
        _mm256_storeu_ps(o, _mm256_fmadd_ps(w[r][1], y1, x));
      }
    }
  }
  for (; j < count; j++) {
    const float *v0 = v + j * ldv;
    for (int r = 0; r < R; r++) {
      __m256 w0 = _mm256_broadcast_ss(p + r * ldp + j);
      for (ptrdiff_t c = 0; c < columns; c += L) {
        float *o = acc + r * ldacc + c;
        _mm256_storeu_ps(o, _mm256_fmadd_ps(w0, _mm256_loadu_ps(v0 + c), _mm256_loadu_ps(o)));
      }
    }
  }
}

// `products_chunks`, or, when streaming with at most DR rows, `products_streaming`.
static void f32_products_6x16_avx2fma(const float *p, ptrdiff_t ldp, ptrdiff_t rows, const float *v,
                                      ptrdiff_t ldv, ptrdiff_t count, ptrdiff_t columns,
                                      float *acc, ptrdiff_t ldacc, int streaming) {
  if (streaming) {
    switch (rows) {
    case 1: products_streaming(1, p, ldp, v, ldv, count, columns, acc, ldacc); return;
    case 2: products_streaming(2, p, ldp, v, ldv, count, columns, acc, ldacc); return;
    case 3: products_streaming(3, p, ldp, v, ldv, count, columns, acc, ldacc); return;
    case 4: products_streaming(4, p, ldp, v, ldv, count, columns, acc, ldacc); return;
    default: break;  // more rows than decoding has: the chunks below
    }
  }
  products_chunks(p, ldp, 1, rows, v, ldv, count, columns, acc, ldacc);
}

// P transposed: row r's weights are P's column r, so the six rows of a register tile are six
// adjacent floats of one row of P.
static void f32_products_t_6x16_avx2fma(const float *p, ptrdiff_t ldp, ptrdiff_t rows,
                                        const float *v, ptrdiff_t ldv, ptrdiff_t count,
                                        ptrdiff_t columns, float *acc, ptrdiff_t ldacc) {
  products_chunks(p, 1, ldp, rows, v, ldv, count, columns, acc, ldacc);
}

// The first `keys` (1 or 2) lanes of `v` to `s`.
static inline void store_pair(float *s, __m128 v, int keys) {
  if (keys > 1) _mm_storel_pi((__m64 *)s, v);
  else _mm_store_ss(s, v);
}

// The sums of a 4 rows × 2 keys block of vector accumulators, stored: the first `rows` rows, the
// first `keys` keys of each. hadd(hadd(r0k0, r0k1), hadd(r1k0, r1k1)) holds, in each 128-bit half,
// partial sums of [r0k0, r0k1, r1k0, r1k1]; the two halves added give the sums, and each row's
// pair is stored straight from [r0k0 r0k1 r1k0 r1k1] and [r2k0 r2k1 r3k0 r3k1].
static ALWAYS_INLINE void store_sums_4x2(__m256 x[DR][DK], int rows, int keys, float *s,
                                         ptrdiff_t lds) {
  __m256 t01 = _mm256_hadd_ps(_mm256_hadd_ps(x[0][0], x[0][1]), _mm256_hadd_ps(x[1][0], x[1][1]));
  __m256 t23 = _mm256_hadd_ps(_mm256_hadd_ps(x[2][0], x[2][1]), _mm256_hadd_ps(x[3][0], x[3][1]));
  __m128 s01 = _mm_add_ps(_mm256_castps256_ps128(t01), _mm256_extractf128_ps(t01, 1));
  __m128 s23 = _mm_add_ps(_mm256_castps256_ps128(t23), _mm256_extractf128_ps(t23, 1));
  store_pair(s, s01, keys);
  if (rows > 1) store_pair(s + lds, _mm_movehl_ps(s01, s01), keys);
  if (rows > 2) store_pair(s + 2 * lds, s23, keys);
  if (rows > 3) store_pair(s + 3 * lds, _mm_movehl_ps(s23, s23), keys);
}


// e^x for x ≤ 0 (or NaN): x = n·ln 2 + t with |t| ≤ ln 2 / 2, e^t = 1 + t·p(t) with p of degree 4
// (a minimax fit of the relative error on that interval), 2^n built in the exponent bits; below
// ln(2^-126) the result is 0 (no subnormal results), NaN stays NaN. Relative error within the
// 4e-7 that MicroKernelTests checks.
static inline __m256 exp8_nonpositive(__m256 x) {
  // 1.5·2^23 + 127: adding it rounds x·log2(e) to an integer n and leaves n + 127 in the low bits.
  const __m256 magic = _mm256_set1_ps(12583039.0f);
  __m256 v = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504f), magic);
  __m256 n = _mm256_sub_ps(v, magic);
  __m256 t = _mm256_fmadd_ps(n, _mm256_set1_ps(-0.693145751953125f), x);  // exact: ln 2's high bits
  t = _mm256_fmadd_ps(n, _mm256_set1_ps(-1.42860677e-6f), t);
  __m256 p = _mm256_set1_ps(8.28294e-3f);
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(4.189966e-2f));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(1.6667779e-1f));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(4.9999133e-1f));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(9.9999965e-1f));
  __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(v), 23));
  __m256 e = _mm256_fmadd_ps(_mm256_mul_ps(t, scale), p, scale);
  return _mm256_andnot_ps(_mm256_cmp_ps(x, _mm256_set1_ps(-87.33654f), _CMP_LT_OQ), e);
}

static inline float max8(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
  return _mm_cvtss_f32(m);
}

static inline float sum8(__m256 v) {
  __m128 m = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_add_ps(m, _mm_movehl_ps(m, m));
  m = _mm_add_ss(m, _mm_shuffle_ps(m, m, 1));
  return _mm_cvtss_f32(m);
}

static float f32_scale_max_avx2fma(float *row, const float *bias, ptrdiff_t count, float scale) {
  const __m256 factor = _mm256_set1_ps(scale);
  __m256 best = _mm256_set1_ps(-INFINITY);
  ptrdiff_t j = 0;
  for (; j + L <= count; j += L) {
    __m256 x = _mm256_mul_ps(_mm256_loadu_ps(row + j), factor);
    if (bias) x = _mm256_add_ps(x, _mm256_loadu_ps(bias + j));
    _mm256_storeu_ps(row + j, x);
    best = _mm256_max_ps(x, best);  // keeps best where x is NaN
  }
  if (j < count) {
    __m256i t = tail_mask(count - j);
    __m256 x = _mm256_mul_ps(_mm256_maskload_ps(row + j, t), factor);
    if (bias) x = _mm256_add_ps(x, _mm256_maskload_ps(bias + j, t));
    _mm256_maskstore_ps(row + j, t, x);
    x = _mm256_blendv_ps(_mm256_set1_ps(-INFINITY), x, _mm256_castsi256_ps(t));
    best = _mm256_max_ps(x, best);
  }
  return max8(best);
}

static float f32_exp_sum_avx2fma(float *row, ptrdiff_t count, float max, float scale) {
  const __m256 m = _mm256_set1_ps(max), f = _mm256_set1_ps(scale);
  __m256 sum0 = _mm256_setzero_ps(), sum1 = _mm256_setzero_ps();
  ptrdiff_t j = 0;
  for (; j + 2 * L <= count; j += 2 * L) {
    __m256 e0 = exp8_nonpositive(_mm256_fmsub_ps(_mm256_loadu_ps(row + j), f, m));
    __m256 e1 = exp8_nonpositive(_mm256_fmsub_ps(_mm256_loadu_ps(row + j + L), f, m));
    _mm256_storeu_ps(row + j, e0);
    _mm256_storeu_ps(row + j + L, e1);
    sum0 = _mm256_add_ps(sum0, e0);
    sum1 = _mm256_add_ps(sum1, e1);
  }
  for (; j < count; j += L) {
    __m256i t = tail_mask(count - j);
    __m256 e = exp8_nonpositive(_mm256_fmsub_ps(_mm256_maskload_ps(row + j, t), f, m));
    _mm256_maskstore_ps(row + j, t, e);
    sum0 = _mm256_add_ps(sum0, _mm256_and_ps(e, _mm256_castsi256_ps(t)));
  }
  return sum8(_mm256_add_ps(sum0, sum1));
}

static void f32_multiply_avx2fma(float *row, ptrdiff_t count, float factor) {
  const __m256 f = _mm256_set1_ps(factor);
  ptrdiff_t j = 0;
  for (; j + L <= count; j += L) _mm256_storeu_ps(row + j, _mm256_mul_ps(_mm256_loadu_ps(row + j), f));
  if (j < count) {
    __m256i t = tail_mask(count - j);
    _mm256_maskstore_ps(row + j, t, _mm256_mul_ps(_mm256_maskload_ps(row + j, t), f));
  }
}

// p = e^(s · scale − shift) and ds = p · (dp − dot) for 8 floats, ds zeroed where p is 0 (a key
// the row does not see, or a score far below its log-sum-exp).
static ALWAYS_INLINE void softmax_backward8(__m256 x, __m256 g, __m256 f, __m256 m, __m256 d,
                                            __m256 *p, __m256 *ds) {
  *p = exp8_nonpositive(_mm256_fmsub_ps(x, f, m));
  __m256 t = _mm256_mul_ps(*p, _mm256_sub_ps(g, d));
  *ds = _mm256_and_ps(t, _mm256_cmp_ps(*p, _mm256_setzero_ps(), _CMP_NEQ_UQ));
}

// Row by row, 8 floats at a time; the tail of a row masked (its mask built there: the loop keeps
// the exponential's constants and the row's three values in registers).
static void f32_softmax_backward_avx2fma(float *s, float *dp, ptrdiff_t ld, ptrdiff_t rows,
                                         ptrdiff_t columns, const float *scale,
                                         const float *shift, const float *dot) {
  for (ptrdiff_t r = 0; r < rows; r++, s += ld, dp += ld) {
    const __m256 f = _mm256_set1_ps(scale[r]), m = _mm256_set1_ps(shift[r]);
    const __m256 d = _mm256_set1_ps(dot[r]);
    __m256 p, ds;
    ptrdiff_t j = 0;
    for (; j + L <= columns; j += L) {
      softmax_backward8(_mm256_loadu_ps(s + j), _mm256_loadu_ps(dp + j), f, m, d, &p, &ds);
      _mm256_storeu_ps(s + j, p);
      _mm256_storeu_ps(dp + j, ds);
    }
    if (j < columns) {
      __m256i t = tail_mask(columns - j);
      softmax_backward8(_mm256_maskload_ps(s + j, t), _mm256_maskload_ps(dp + j, t), f, m, d, &p,
                        &ds);
      _mm256_maskstore_ps(s + j, t, p);
      _mm256_maskstore_ps(dp + j, t, ds);
    }
  }
}

#pragma clang attribute pop

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

// Widening the KV cache's half-precision and 8-bit rows (F16C's `vcvtph2ps`, present on every
// AVX2 CPU; the dispatch checks it): 8 floats per step, scalar tails.
static void f16_widen_avx2fma(const uint16_t *src, ptrdiff_t ld_src, ptrdiff_t rows,
                              ptrdiff_t columns, float *dst, ptrdiff_t ld_dst) {
  for (ptrdiff_t r = 0; r < rows; r++, src += ld_src, dst += ld_dst) {
    ptrdiff_t c = 0;
    for (; c + 4 * L <= columns; c += 4 * L)  // four vectors a pass
      for (int u = 0; u < 4; u++)
        _mm256_storeu_ps(dst + c + u * L,
                         _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(src + c + u * L))));
    for (; c + L <= columns; c += L)
      _mm256_storeu_ps(dst + c, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(src + c))));
    for (; c < columns; c++) dst[c] = _cvtsh_ss(src[c]);
  }
}

static ALWAYS_INLINE void i8_widen8(const int8_t *src, __m256 scale, float *dst) {
  __m256i x = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)src));
  _mm256_storeu_ps(dst, _mm256_mul_ps(_mm256_cvtepi32_ps(x), scale));
}

static void i8_widen_avx2fma(const int8_t *src, ptrdiff_t ld_src, const float *scales,
                             ptrdiff_t rows, ptrdiff_t columns, float *dst, ptrdiff_t ld_dst) {
  ptrdiff_t blocks = (columns + ATTUNE_I8_BLOCK - 1) / ATTUNE_I8_BLOCK;
  ptrdiff_t whole = columns / ATTUNE_I8_BLOCK;  // blocks of 32: four vectors, unrolled
  for (ptrdiff_t r = 0; r < rows; r++, src += ld_src, dst += ld_dst, scales += blocks) {
    for (ptrdiff_t b = 0; b < whole; b++) {
      __m256 scale = _mm256_broadcast_ss(scales + b);
      const int8_t *in = src + b * ATTUNE_I8_BLOCK;
      float *out = dst + b * ATTUNE_I8_BLOCK;
      i8_widen8(in, scale, out);
      i8_widen8(in + 8, scale, out + 8);
      i8_widen8(in + 16, scale, out + 16);
      i8_widen8(in + 24, scale, out + 24);
    }
    ptrdiff_t c = whole * ATTUNE_I8_BLOCK;
    if (c < columns) {  // the last, partial block
      __m256 scale = _mm256_broadcast_ss(scales + whole);
      for (; c + L <= columns; c += L) i8_widen8(src + c, scale, dst + c);
      for (; c < columns; c++) dst[c] = scales[whole] * (float)src[c];
    }
  }
}

// Decode scores from the KV cache's half keys, and decode products from its 16- and 8-bit value
// rows (the loop of `products_streaming`), each row vector widened in registers as it is loaded
// (F16C's `vcvtph2ps`; sign extension, conversion and the block's scale for 8 bits) instead of
// through a Float32 copy in memory; its 8-bit keys, grouped, have their own kernel below. KIND is
// a constant in each caller, so each loop is compiled for one storage; FLOAT rows are loaded as
// they are. (In this region because F16C's conversion needs
// its target; the dispatch requires F16C for the whole entry.)
enum { FLOAT = 0, HALF = 1, BYTE = 2 };

// 8 signed bytes as floats (unscaled).
static ALWAYS_INLINE __m256 widen_bytes8(const int8_t *b) {
  return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)b)));
}

// Elements 0..<8 of a row from element `c` (a multiple of 8).
static ALWAYS_INLINE __m256 load_row8(const int kind, const void *row, ptrdiff_t c,
                                      const float *scales) {
  if (kind == FLOAT) return _mm256_loadu_ps((const float *)row + c);
  if (kind == HALF) return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)((const uint16_t *)row + c)));
  __m256i x = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)((const int8_t *)row + c)));
  return _mm256_mul_ps(_mm256_cvtepi32_ps(x), _mm256_broadcast_ss(scales + c / ATTUNE_I8_BLOCK));
}

// Elements c..<c+n (n < 8) of a row, zeros after: gathered into a general register a byte or a
// half at a time (never read past the row; no copy through memory, whose `memcpy` call would
// make the caller save every vector register around it).
static ALWAYS_INLINE __m256 load_row_part(const int kind, const void *row, ptrdiff_t c, ptrdiff_t n,
                                          const float *scales) {
  if (kind == FLOAT) return _mm256_maskload_ps((const float *)row + c, tail_mask(n));
  if (kind == HALF) {
    const uint16_t *h = (const uint16_t *)row + c;
    uint64_t low = 0, high = 0;
#pragma clang loop vectorize(disable) unroll(disable)
    for (ptrdiff_t i = 0; i < n && i < 4; i++) low |= (uint64_t)h[i] << (16 * i);
#pragma clang loop vectorize(disable) unroll(disable)
    for (ptrdiff_t i = 4; i < n; i++) high |= (uint64_t)h[i] << (16 * (i - 4));
    return _mm256_cvtph_ps(_mm_set_epi64x((long long)high, (long long)low));
  }
  const int8_t *b = (const int8_t *)row + c;
  uint64_t bits = 0;
#pragma clang loop vectorize(disable) unroll(disable)
  for (ptrdiff_t i = 0; i < n; i++) bits |= (uint64_t)(uint8_t)b[i] << (8 * i);
  __m256i x = _mm256_cvtepi8_epi32(_mm_cvtsi64_si128((long long)bits));
  return _mm256_mul_ps(_mm256_cvtepi32_ps(x), _mm256_broadcast_ss(scales + c / ATTUNE_I8_BLOCK));
}

static ALWAYS_INLINE const void *row_at(const int kind, const void *base, ptrdiff_t j, ptrdiff_t ld) {
  if (kind == FLOAT) return (const float *)base + j * ld;
  return kind == HALF ? (const void *)((const uint16_t *)base + j * ld) : (const void *)((const int8_t *)base + j * ld);
}

// 4 rows × 2 keys: each step loads 2 key chunks and 4 query chunks for 8 multiply-adds; then
// horizontal adds turn the 8 accumulators into [row r: key 0, key 1] pairs.
static ALWAYS_INLINE void decode_group(const int kind, const float *q, ptrdiff_t ldq, int rows,
                                        const void *k, ptrdiff_t ldk, int keys, ptrdiff_t dk,
                                        float *s, ptrdiff_t lds) {
  const float *a[DR];
  for (int r = 0; r < DR; r++) a[r] = r < rows ? q + r * ldq : q;
  const void *b0 = k, *b1 = keys > 1 ? row_at(kind, k, 1, ldk) : k;
  const float *s0 = 0, *s1 = 0;  // no scales: Float32 and half rows
  __m256 x[DR][DK];
  for (int r = 0; r < DR; r++) x[r][0] = x[r][1] = _mm256_setzero_ps();
  ptrdiff_t c = 0;
  for (; c + L <= dk; c += L) {
    __m256 y0 = load_row8(kind, b0, c, s0), y1 = load_row8(kind, b1, c, s1);
    for (int r = 0; r < DR; r++) {
      __m256 v = _mm256_loadu_ps(a[r] + c);
      x[r][0] = _mm256_fmadd_ps(v, y0, x[r][0]);
      x[r][1] = _mm256_fmadd_ps(v, y1, x[r][1]);
    }
  }
  if (c < dk) {
    __m256i t = tail_mask(dk - c);
    __m256 y0 = load_row_part(kind, b0, c, dk - c, s0), y1 = load_row_part(kind, b1, c, dk - c, s1);
    for (int r = 0; r < DR; r++) {
      __m256 v = _mm256_maskload_ps(a[r] + c, t);
      x[r][0] = _mm256_fmadd_ps(v, y0, x[r][0]);
      x[r][1] = _mm256_fmadd_ps(v, y1, x[r][1]);
    }
  }
  store_sums_4x2(x, rows, keys, s, lds);
}

static void f32_decode_4x2_avx2fma(const float *q, ptrdiff_t ldq, int rows, const float *k,
                                   ptrdiff_t ldk, ptrdiff_t keys, ptrdiff_t dk, float *s, ptrdiff_t lds) {
  for (ptrdiff_t j = 0; j < keys; j += DK)
    decode_group(FLOAT, q, ldq, rows, k + j * ldk, ldk, keys - j < DK ? (int)(keys - j) : DK, dk,
                 s + j, lds);
}

void attune_f16_decode_avx2fma(const float *q, ptrdiff_t ldq, int rows, const uint16_t *k,
                               ptrdiff_t ldk, ptrdiff_t keys, ptrdiff_t dk, float *s, ptrdiff_t lds) {
  // A KV cache's page of keys, read in place: the rows DECODE_AHEAD keys later asked for into L2
  // here, as the driver does for float32 keys (`PrefetchStream`). At the decode shape of
  // scripts/bench/serving_benchmark.py, with the same requests for the values in
  // `narrow_products`, a float16 cache took 0.863 [0.813, 0.930] the time of neither on a Zen 4
  // (scripts/bench/serve_ab.py --random, 8 rounds).
  for (ptrdiff_t j = 0; j < keys; j += DK) {
    if (j + DECODE_AHEAD + DK <= keys)
      for (ptrdiff_t c = 0; c < DK * ldk * (ptrdiff_t)sizeof(uint16_t); c += 64)
        _mm_prefetch((const char *)(k + (j + DECODE_AHEAD) * ldk) + c, _MM_HINT_T1);
    decode_group(HALF, q, ldq, rows, k + j * ldk, ldk, keys - j < DK ? (int)(keys - j) : DK, dk,
                 s + j, lds);
  }
}

// 8-bit keys, grouped (ATTUNE_I8_KEY_GROUP): keys along the lanes. Each feature is one 8-byte
// load per group, widened to 8 keys' values, and R query broadcasts feed 2R multiply-adds (4 rows
// × 2 groups: 8 accumulators, 2 key vectors, 1 broadcast: 11 registers); at the end of each block
// of 32 features, the two groups' scale vectors weigh the block's sums once, into the scores in
// `s`. A block's scales thus cost 2R multiply-adds per 16 keys, where keys in rows (one per key,
// `decode_group`'s layout) cost a multiply per key and 8 features, and no horizontal sums remain.
// Each block also asks for its share of the pair of groups I8_AHEAD groups later (4 KiB ahead
// at dk = 128): the two groups are two streams 1 KiB apart, which the hardware prefetcher alone
// did not keep ahead of.
//
// On a Zen 3, at the decode shape of scripts/bench/serving_benchmark.py (`serve_ab.py --random`,
// 16 rounds), the time of the keys in rows (`decode_group`'s loop with a multiply by the scale)
// over this kernel's was 1.031 [1.007, 1.069]; with no prefetch, 0.754 [0.723, 0.803] (12
// rounds), and 8 groups ahead took 1.05x the time of 4.
enum { KG = ATTUNE_I8_KEY_GROUP, I8_AHEAD = 4 };

// `ahead`: the first of the two groups to ask for (contiguous, `pair` bytes), or null.
static ALWAYS_INLINE void i8_decode_two_groups(const int R, const float *q, ptrdiff_t ldq,
                                               const int8_t *k0, const int8_t *k1,
                                               const float *f0, const float *f1, ptrdiff_t dk,
                                               const int8_t *ahead, ptrdiff_t pair, float *s,
                                               ptrdiff_t lds) {
  const ptrdiff_t blocks = (dk + ATTUNE_I8_BLOCK - 1) / ATTUNE_I8_BLOCK;
  const ptrdiff_t share = (pair + blocks - 1) / blocks;  // bytes asked for per block
  for (ptrdiff_t b = 0; b < blocks; b++) {
    if (ahead)
      for (ptrdiff_t c = b * share; c < (b + 1) * share && c < pair; c += 64)
        __builtin_prefetch(ahead + c, 0, 3);
    __m256 x[DR][2];
    for (int r = 0; r < R; r++) x[r][0] = x[r][1] = _mm256_setzero_ps();
    const ptrdiff_t end = (b + 1) * ATTUNE_I8_BLOCK < dk ? (b + 1) * ATTUNE_I8_BLOCK : dk;
    for (ptrdiff_t c = b * ATTUNE_I8_BLOCK; c < end; c++) {
      const __m256 y0 = widen_bytes8(k0 + c * KG), y1 = widen_bytes8(k1 + c * KG);
      for (int r = 0; r < R; r++) {
        const __m256 w = _mm256_broadcast_ss(q + r * ldq + c);
        x[r][0] = _mm256_fmadd_ps(w, y0, x[r][0]);
        x[r][1] = _mm256_fmadd_ps(w, y1, x[r][1]);
      }
    }
    const __m256 g0 = _mm256_loadu_ps(f0 + b * KG), g1 = _mm256_loadu_ps(f1 + b * KG);
    for (int r = 0; r < R; r++) {
      float *o = s + r * lds;
      if (b == 0) {
        _mm256_storeu_ps(o, _mm256_mul_ps(x[r][0], g0));
        _mm256_storeu_ps(o + KG, _mm256_mul_ps(x[r][1], g1));
      } else {
        _mm256_storeu_ps(o, _mm256_fmadd_ps(x[r][0], g0, _mm256_loadu_ps(o)));
        _mm256_storeu_ps(o + KG, _mm256_fmadd_ps(x[r][1], g1, _mm256_loadu_ps(o + KG)));
      }
    }
  }
}

// One group, of which `valid` (1 ... 8) keys are written: the sums stay in registers (two
// accumulators per row, even and odd features) and reach `s` once, masked.
static ALWAYS_INLINE void i8_decode_one_group(const int R, const float *q, ptrdiff_t ldq,
                                              const int8_t *k, const float *f, ptrdiff_t dk,
                                              int valid, float *s, ptrdiff_t lds) {
  const ptrdiff_t blocks = (dk + ATTUNE_I8_BLOCK - 1) / ATTUNE_I8_BLOCK;
  __m256 t[DR];
  for (int r = 0; r < R; r++) t[r] = _mm256_setzero_ps();
  for (ptrdiff_t b = 0; b < blocks; b++) {
    __m256 x[DR][2];
    for (int r = 0; r < R; r++) x[r][0] = x[r][1] = _mm256_setzero_ps();
    const ptrdiff_t end = (b + 1) * ATTUNE_I8_BLOCK < dk ? (b + 1) * ATTUNE_I8_BLOCK : dk;
    ptrdiff_t c = b * ATTUNE_I8_BLOCK;
    for (; c + 2 <= end; c += 2) {
      const __m256 y0 = widen_bytes8(k + c * KG), y1 = widen_bytes8(k + (c + 1) * KG);
      for (int r = 0; r < R; r++) {
        x[r][0] = _mm256_fmadd_ps(_mm256_broadcast_ss(q + r * ldq + c), y0, x[r][0]);
        x[r][1] = _mm256_fmadd_ps(_mm256_broadcast_ss(q + r * ldq + c + 1), y1, x[r][1]);
      }
    }
    if (c < end) {
      const __m256 y0 = widen_bytes8(k + c * KG);
      for (int r = 0; r < R; r++)
        x[r][0] = _mm256_fmadd_ps(_mm256_broadcast_ss(q + r * ldq + c), y0, x[r][0]);
    }
    const __m256 g = _mm256_loadu_ps(f + b * KG);
    for (int r = 0; r < R; r++) t[r] = _mm256_fmadd_ps(_mm256_add_ps(x[r][0], x[r][1]), g, t[r]);
  }
  const __m256i m = tail_mask(valid);
  for (int r = 0; r < R; r++) {
    if (valid == KG) _mm256_storeu_ps(s + r * lds, t[r]);
    else _mm256_maskstore_ps(s + r * lds, m, t[r]);
  }
}

static ALWAYS_INLINE void i8_decode_groups(const int R, const float *q, ptrdiff_t ldq,
                                           const int8_t *k, ptrdiff_t ldk, const float *scales,
                                           ptrdiff_t keys, ptrdiff_t dk, float *s, ptrdiff_t lds,
                                           const attune_lead *lead) {
  const ptrdiff_t blocks = (dk + ATTUNE_I8_BLOCK - 1) / ATTUNE_I8_BLOCK;
  const ptrdiff_t bytes = KG * ldk, floats = KG * blocks;  // one group's keys and scales
  const ptrdiff_t pairs = keys / (2 * KG);
  if (pairs == 0) attune_lead_part(lead, 0, 1);
  ptrdiff_t g = 0;
  for (; (g + 2) * KG <= keys; g += 2) {
    attune_lead_part(lead, g / 2, pairs);
    i8_decode_two_groups(R, q, ldq, k + g * bytes, k + (g + 1) * bytes, scales + g * floats,
                         scales + (g + 1) * floats, dk,
                         (g + 2 + I8_AHEAD) * KG <= keys ? k + (g + I8_AHEAD) * bytes : 0,
                         2 * bytes, s + g * KG, lds);
  }
  for (; g * KG < keys; g++) {
    const int valid = keys - g * KG < KG ? (int)(keys - g * KG) : KG;
    i8_decode_one_group(R, q, ldq, k + g * bytes, scales + g * floats, dk, valid, s + g * KG, lds);
  }
}

void attune_i8_decode_avx2fma(const float *q, ptrdiff_t ldq, int rows, const int8_t *k,
                              ptrdiff_t ldk, const float *scales, ptrdiff_t keys, ptrdiff_t dk,
                              float *s, ptrdiff_t lds, const void *lead) {
  switch (rows) {
  case 1: i8_decode_groups(1, q, ldq, k, ldk, scales, keys, dk, s, lds, lead); break;
  case 2: i8_decode_groups(2, q, ldq, k, ldk, scales, keys, dk, s, lds, lead); break;
  case 3: i8_decode_groups(3, q, ldq, k, ldk, scales, keys, dk, s, lds, lead); break;
  default: i8_decode_groups(4, q, ldq, k, ldk, scales, keys, dk, s, lds, lead); break;
  }
}

// As `products_streaming`: V's rows in address order two keys at a time, the accumulators in L1,
// the rows (and their scales) STREAM_AHEAD keys later asked for into L2.
static ALWAYS_INLINE void narrow_products(const int kind, const int R, const float *p, ptrdiff_t ldp,
                                          const void *v, ptrdiff_t ldv, const float *scales,
                                          ptrdiff_t count, ptrdiff_t columns,
                                          const attune_lead *lead, float *acc, ptrdiff_t ldacc) {
  const ptrdiff_t blocks = (columns + ATTUNE_I8_BLOCK - 1) / ATTUNE_I8_BLOCK;
  const ptrdiff_t whole = columns / L * L, pairs = (count + 1) / 2;
  const __m256i t = tail_mask(columns - whole);
  const ptrdiff_t row_bytes = (const char *)row_at(kind, v, 1, ldv) - (const char *)v;
  ptrdiff_t j = 0;
  for (; j < count; j += 2) {
    attune_lead_part(lead, j / 2, pairs);
    const int pair = j + 1 < count;
    const void *v0 = row_at(kind, v, j, ldv), *v1 = pair ? row_at(kind, v, j + 1, ldv) : v0;
    const float *s0 = scales ? scales + j * blocks : 0, *s1 = scales && pair ? s0 + blocks : s0;
    if (j + STREAM_AHEAD + 2 <= count) {
      for (ptrdiff_t c = 0; c < 2 * row_bytes; c += 64)
        _mm_prefetch((const char *)v0 + STREAM_AHEAD * row_bytes + c, _MM_HINT_T1);
      if (scales) _mm_prefetch((const char *)(s0 + STREAM_AHEAD * blocks), _MM_HINT_T1);
    }
    __m256 w[DR][2];
    for (int r = 0; r < R; r++) {
      w[r][0] = _mm256_broadcast_ss(p + r * ldp + j);
      w[r][1] = pair ? _mm256_broadcast_ss(p + r * ldp + j + 1) : _mm256_setzero_ps();
    }
    ptrdiff_t c = 0;
    if (kind == BYTE) {
      // Whole blocks of 32: each key's block scale broadcast once, not once per 8 columns.
      for (; c + ATTUNE_I8_BLOCK <= whole; c += ATTUNE_I8_BLOCK) {
        const __m256 f0 = _mm256_broadcast_ss(s0 + c / ATTUNE_I8_BLOCK);
        const __m256 f1 = _mm256_broadcast_ss(s1 + c / ATTUNE_I8_BLOCK);
        for (int u = 0; u < ATTUNE_I8_BLOCK; u += L) {
          __m256 y0 = _mm256_mul_ps(widen_bytes8((const int8_t *)v0 + c + u), f0);
          __m256 y1 = _mm256_mul_ps(widen_bytes8((const int8_t *)v1 + c + u), f1);
          for (int r = 0; r < R; r++) {
            float *o = acc + r * ldacc + c + u;
            __m256 x = _mm256_fmadd_ps(w[r][0], y0, _mm256_loadu_ps(o));
            _mm256_storeu_ps(o, _mm256_fmadd_ps(w[r][1], y1, x));
          }
        }
      }
    }
    for (; c < whole; c += L) {
      __m256 y0 = load_row8(kind, v0, c, s0), y1 = load_row8(kind, v1, c, s1);
      for (int r = 0; r < R; r++) {
        float *o = acc + r * ldacc + c;
        __m256 x = _mm256_fmadd_ps(w[r][0], y0, _mm256_loadu_ps(o));
        _mm256_storeu_ps(o, _mm256_fmadd_ps(w[r][1], y1, x));
      }
    }
    if (whole < columns) {
      __m256 y0 = load_row_part(kind, v0, whole, columns - whole, s0);
      __m256 y1 = load_row_part(kind, v1, whole, columns - whole, s1);
      for (int r = 0; r < R; r++) {
        float *o = acc + r * ldacc + whole;
        __m256 x = _mm256_fmadd_ps(w[r][0], y0, _mm256_maskload_ps(o, t));
        _mm256_maskstore_ps(o, t, _mm256_fmadd_ps(w[r][1], y1, x));
      }
    }
  }
}

void attune_f16_products_avx2fma(const float *p, ptrdiff_t ldp, int rows, const uint16_t *v,
                                 ptrdiff_t ldv, ptrdiff_t count, ptrdiff_t columns, float *acc,
                                 ptrdiff_t ldacc) {
  switch (rows) {
  case 1: narrow_products(HALF, 1, p, ldp, v, ldv, 0, count, columns, 0, acc, ldacc); break;
  case 2: narrow_products(HALF, 2, p, ldp, v, ldv, 0, count, columns, 0, acc, ldacc); break;
  case 3: narrow_products(HALF, 3, p, ldp, v, ldv, 0, count, columns, 0, acc, ldacc); break;
  default: narrow_products(HALF, 4, p, ldp, v, ldv, 0, count, columns, 0, acc, ldacc); break;
  }
}

static void i8_products_avx2fma(const float *p, ptrdiff_t ldp, int rows, const int8_t *v,
                                ptrdiff_t ldv, const float *scales, ptrdiff_t count,
                                ptrdiff_t columns, float *acc, ptrdiff_t ldacc, const void *lead) {
  switch (rows) {
  case 1: narrow_products(BYTE, 1, p, ldp, v, ldv, scales, count, columns, lead, acc, ldacc); break;
  case 2: narrow_products(BYTE, 2, p, ldp, v, ldv, scales, count, columns, lead, acc, ldacc); break;
  case 3: narrow_products(BYTE, 3, p, ldp, v, ldv, scales, count, columns, lead, acc, ldacc); break;
  default: narrow_products(BYTE, 4, p, ldp, v, ldv, scales, count, columns, lead, acc, ldacc); break;
  }
}

#pragma clang attribute pop

const attune_micro_kernel_entry attune_avx2fma_entry = {
    .name = "avx2-fma",
    .score_rows = SR, .panel_keys = PK,
    .product_rows = PR, .product_columns = PC,
    .lanes = L,
    .decode_rows = DR, .decode_keys = DK, .decode_ahead = DECODE_AHEAD,
    .default_block_q = 48, .default_block_k = 512,
    .scores = f32_scores_6x16_avx2fma,
    .products = f32_products_6x16_avx2fma,
    .products_t = f32_products_t_6x16_avx2fma,
    .softmax_backward = f32_softmax_backward_avx2fma,
    .decode = f32_decode_4x2_avx2fma,
    .scale_max = f32_scale_max_avx2fma,
    .exp_sum = f32_exp_sum_avx2fma,
    .multiply = f32_multiply_avx2fma,
    .widen_f16 = f16_widen_avx2fma,
    .widen_i8 = i8_widen_avx2fma,
    .decode_f16 = attune_f16_decode_avx2fma,
    .decode_i8 = attune_i8_decode_avx2fma,
    .products_f16 = attune_f16_products_avx2fma,
    .products_i8 = i8_products_avx2fma,
};

#endif
