// AVX-512F micro-kernels (32 zmm registers of 16 floats).
//
// Geometry: scores 8 rows × 32 keys (16 accumulators, 2 panel loads, 1 broadcast: twice the
// independent chains that two FMA pipes of latency 4 need; 4 × 32, with 8, took 1.17× the time at
// N = 2048 on Zen 5); products 4 rows × 64 columns (16 accumulators, 4 value loads, 4 broadcasts),
// then 16 columns at a time; decode 4 rows × 4 keys (16 accumulators, one transposing reduction).

#include "AttuneMicroKernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#include <float.h>
#include <math.h>

#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)

enum { SR = 8, PK = 32, PR = 4, PC = 64, L = 16, CHUNK = 64, KCHUNK_BYTES = 24576 };

// Keys ahead of the decode kernel that the driver asks for K's rows, into L2 (16 KiB at dk = 128),
// and of the streaming products V's rows (8 KiB): see `PrefetchStream` and `products_streaming`.
enum { DECODE_AHEAD = 32, STREAM_AHEAD = 16 };

static inline __mmask16 tail_mask(ptrdiff_t valid) { return (__mmask16)((1u << valid) - 1u); }

// The loops below are written for R rows, R a constant in each caller: the compiler keeps exactly
// R rows of accumulators, so a partial block of rows costs no work for the missing ones.
#define ALWAYS_INLINE inline __attribute__((always_inline))

static ALWAYS_INLINE void scores_rows(const int R, const float *q, ptrdiff_t ldq,
                                      const float *panel, ptrdiff_t dk, float *s, ptrdiff_t lds,
                                      float *row_max) {
  for (ptrdiff_t c0 = 0; c0 < dk; c0 += CHUNK) {
    ptrdiff_t end = c0 + CHUNK < dk ? c0 + CHUNK : dk;
    __m512 x[SR][2];
    for (int r = 0; r < R; r++) x[r][0] = x[r][1] = _mm512_setzero_ps();
    const float *b = panel + c0 * PK;
    for (ptrdiff_t c = c0; c < end; c++, b += PK) {
      __m512 k0 = _mm512_loadu_ps(b), k1 = _mm512_loadu_ps(b + 16);
      for (int r = 0; r < R; r++) {
        __m512 y = _mm512_set1_ps(q[r * ldq + c]);
        x[r][0] = _mm512_fmadd_ps(y, k0, x[r][0]);
        x[r][1] = _mm512_fmadd_ps(y, k1, x[r][1]);
      }
    }
    // Unrolled: a loop over the rows here makes the compiler put x in memory to index it.
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
      float *out = s + r * lds;
      if (c0 > 0) {
        x[r][0] = _mm512_add_ps(_mm512_loadu_ps(out), x[r][0]);
        x[r][1] = _mm512_add_ps(_mm512_loadu_ps(out + 16), x[r][1]);
      }
      _mm512_storeu_ps(out, x[r][0]);
      _mm512_storeu_ps(out + 16, x[r][1]);
      if (row_max && end == dk) {
        // max(x, m) keeps m where x is NaN.
        __m512 m = _mm512_max_ps(x[r][0], _mm512_loadu_ps(row_max + r * L));
        _mm512_storeu_ps(row_max + r * L, _mm512_max_ps(x[r][1], m));
      }
    }
  }
}

static void f32_scores_8x32_avx512f(const float *q, ptrdiff_t ldq, ptrdiff_t rows, const float *panel,
                                    ptrdiff_t dk, float *s, ptrdiff_t lds, float *row_max) {
  for (; rows >= SR; rows -= SR, q += SR * ldq, s += SR * lds, row_max = row_max ? row_max + SR * L : 0)
    scores_rows(SR, q, ldq, panel, dk, s, lds, row_max);
  switch (rows) {
  case 1: scores_rows(1, q, ldq, panel, dk, s, lds, row_max); break;
  case 2: scores_rows(2, q, ldq, panel, dk, s, lds, row_max); break;
  case 3: scores_rows(3, q, ldq, panel, dk, s, lds, row_max); break;
  case 4: scores_rows(4, q, ldq, panel, dk, s, lds, row_max); break;
  case 5: scores_rows(5, q, ldq, panel, dk, s, lds, row_max); break;
  case 6: scores_rows(6, q, ldq, panel, dk, s, lds, row_max); break;
  case 7: scores_rows(7, q, ldq, panel, dk, s, lds, row_max); break;
  default: break;
  }
}

// One chunk of keys `j0 ..< j1` for R rows, every column block. P's element for row r and key j
// is at `p + r * rs + j * ks`: (ldp, 1) for `products`, (1, ldp) for `products_t`.
static ALWAYS_INLINE void products_rows(const int R, const float *p, ptrdiff_t rs, ptrdiff_t ks,
                                        const float *v, ptrdiff_t ldv, ptrdiff_t j0,
                                        ptrdiff_t j1, ptrdiff_t columns, float *acc,
                                        ptrdiff_t ldacc) {
  ptrdiff_t column = 0;
  for (; column + PC <= columns; column += PC) {
    __m512 x[PR][4];
    for (int r = 0; r < R; r++)
      for (int i = 0; i < 4; i++) x[r][i] = _mm512_loadu_ps(acc + r * ldacc + column + 16 * i);
    const float *vj = v + j0 * ldv + column;
    for (ptrdiff_t j = j0; j < j1; j++, vj += ldv) {
      __m512 y0 = _mm512_loadu_ps(vj), y1 = _mm512_loadu_ps(vj + 16);
      __m512 y2 = _mm512_loadu_ps(vj + 32), y3 = _mm512_loadu_ps(vj + 48);
      for (int r = 0; r < R; r++) {
        __m512 a = _mm512_set1_ps(p[r * rs + j * ks]);
        x[r][0] = _mm512_fmadd_ps(a, y0, x[r][0]);
        x[r][1] = _mm512_fmadd_ps(a, y1, x[r][1]);
        x[r][2] = _mm512_fmadd_ps(a, y2, x[r][2]);
        x[r][3] = _mm512_fmadd_ps(a, y3, x[r][3]);
      }
    }
    for (int r = 0; r < R; r++)
      for (int i = 0; i < 4; i++) _mm512_storeu_ps(acc + r * ldacc + column + 16 * i, x[r][i]);
  }
  for (; column < columns; column += L) {
    __m512 x[PR];
    for (int r = 0; r < R; r++) x[r] = _mm512_loadu_ps(acc + r * ldacc + column);
    const float *vj = v + j0 * ldv + column;
    for (ptrdiff_t j = j0; j < j1; j++, vj += ldv) {
      __m512 y = _mm512_loadu_ps(vj);
      for (int r = 0; r < R; r++) x[r] = _mm512_fmadd_ps(_mm512_set1_ps(p[r * rs + j * ks]), y, x[r]);
    }
    for (int r = 0; r < R; r++) _mm512_storeu_ps(acc + r * ldacc + column, x[r]);
  }
}

// Decoding (at most PR rows; V read once, from memory): V walked row after row in address order,
// two keys at a time, the accumulators in L1 (each vector loaded and stored once per two keys),
// P's weights for the two keys in registers; the rows STREAM_AHEAD keys later asked for into L2.
// On a Zen 4 at the decode shape of scripts/bench/model_shapes_benchmark.py, the kernel before it
// (64-column strips over every key, which the hardware prefetcher followed) took 1.322 [1.244,
// 1.365] times its time, and 1.179 [1.117, 1.200] with the same requests into L2
// (scripts/bench/serve_ab.py --decode, 12 rounds).
static ALWAYS_INLINE void products_streaming(const int R, const float *p, ptrdiff_t ldp,
                                             const float *v, ptrdiff_t ldv, ptrdiff_t count,
                                             ptrdiff_t columns, float *acc, ptrdiff_t ldacc) {
  ptrdiff_t j = 0;
  for (; j + 2 <= count; j += 2) {
    const float *v0 = v + j * ldv, *v1 = v0 + ldv;
    if (j + STREAM_AHEAD + 2 <= count)
      for (ptrdiff_t c = 0; c < 2 * ldv; c += 16)
        _mm_prefetch((const char *)(v0 + STREAM_AHEAD * ldv + c), _MM_HINT_T1);
    __m512 w[PR][2];
    for (int r = 0; r < R; r++) {
      w[r][0] = _mm512_set1_ps(p[r * ldp + j]);
      w[r][1] = _mm512_set1_ps(p[r * ldp + j + 1]);
    }
    for (ptrdiff_t c = 0; c < columns; c += L) {
      __m512 y0 = _mm512_loadu_ps(v0 + c), y1 = _mm512_loadu_ps(v1 + c);
      for (int r = 0; r < R; r++) {
        float *o = acc + r * ldacc + c;
        __m512 x = _mm512_fmadd_ps(w[r][0], y0, _mm512_loadu_ps(o));
        _mm512_storeu_ps(o, _mm512_fmadd_ps(w[r][1], y1, x));
      }
    }
  }
  for (; j < count; j++) {
    const float *v0 = v + j * ldv;
    for (int r = 0; r < R; r++) {
      __m512 w0 = _mm512_set1_ps(p[r * ldp + j]);
      for (ptrdiff_t c = 0; c < columns; c += L) {
        float *o = acc + r * ldacc + c;
        _mm512_storeu_ps(o, _mm512_fmadd_ps(w0, _mm512_loadu_ps(v0 + c), _mm512_loadu_ps(o)));
      }
    }
  }
}

// Keys in chunks, each chunk's value rows (at most KCHUNK_BYTES) kept in L1 while
// every register tile of rows, then every column block, passes over them: V comes from L2 or memory
// once per call, not once per tile of rows. When streaming (decoding: one register tile of rows, V
// from memory), `products_streaming` instead.
static ALWAYS_INLINE void products_chunks(const float *p, ptrdiff_t rs, ptrdiff_t ks,
                                          ptrdiff_t rows, const float *v, ptrdiff_t ldv,
                                          ptrdiff_t count, ptrdiff_t columns, float *acc,
                                          ptrdiff_t ldacc, int streaming) {
  // As many keys as keep the chunk's value rows within KCHUNK_BYTES (half of a 48 KiB L1).
  ptrdiff_t chunk = KCHUNK_BYTES / (4 * (columns > 0 ? columns : 1));
  if (chunk < 16) chunk = 16;
  if (streaming && rows <= PR) {
    switch (rows) {
    case 1: products_streaming(1, p, rs, v, ldv, count, columns, acc, ldacc); return;
    case 2: products_streaming(2, p, rs, v, ldv, count, columns, acc, ldacc); return;
    case 3: products_streaming(3, p, rs, v, ldv, count, columns, acc, ldacc); return;
    default: products_streaming(4, p, rs, v, ldv, count, columns, acc, ldacc); return;
    }
  }
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
    default: break;
    }
  }
}

static void f32_products_4x64_avx512f(const float *p, ptrdiff_t ldp, ptrdiff_t rows, const float *v,
                                      ptrdiff_t ldv, ptrdiff_t count, ptrdiff_t columns,
                                      float *acc, ptrdiff_t ldacc, int streaming) {
  products_chunks(p, ldp, 1, rows, v, ldv, count, columns, acc, ldacc, streaming);
}

// P transposed: the four rows of a register tile are four adjacent floats of one row of P.
static void f32_products_t_4x64_avx512f(const float *p, ptrdiff_t ldp, ptrdiff_t rows,
                                        const float *v, ptrdiff_t ldv, ptrdiff_t count,
                                        ptrdiff_t columns, float *acc, ptrdiff_t ldacc) {
  products_chunks(p, 1, ldp, rows, v, ldv, count, columns, acc, ldacc, 0);
}

// Sums of each 256-bit half: [a.lo + a.hi (8 lanes) | b.lo + b.hi (8 lanes)].
static inline __m512 fold256(__m512 a, __m512 b) {
  return _mm512_add_ps(_mm512_shuffle_f32x4(a, b, _MM_SHUFFLE(1, 0, 1, 0)),
                       _mm512_shuffle_f32x4(a, b, _MM_SHUFFLE(3, 2, 3, 2)));
}

// From [A | B] and [C | D] (8 partial sums each): [A | B | C | D] with 4 partial sums each.
static inline __m512 fold128(__m512 a, __m512 b) {
  return _mm512_add_ps(_mm512_shuffle_f32x4(a, b, _MM_SHUFFLE(2, 0, 2, 0)),
                       _mm512_shuffle_f32x4(a, b, _MM_SHUFFLE(3, 1, 3, 1)));
}

// In each 128-bit lane, from a's and b's 4 partial sums: a's 2, then b's 2.
static inline __m512 fold64(__m512 a, __m512 b) {
  __m512d x = _mm512_castps_pd(a), y = _mm512_castps_pd(b);
  return _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(x, y)),
                       _mm512_castpd_ps(_mm512_unpackhi_pd(x, y)));
}

// In each 128-bit lane, from [a0 a1 a2 a3] and [b0 b1 b2 b3]: [a0+a1, a2+a3, b0+b1, b2+b3].
static inline __m512 fold32(__m512 a, __m512 b) {
  return _mm512_add_ps(_mm512_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)),
                       _mm512_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1)));
}

// 4 × 4 accumulators x[r][j]; each step loads 4 key chunks and 4 query chunks for 16
// multiply-adds. The reduction feeds accumulator r + 4j as the (r + 4j)-th input of a fold tree
// whose output lane 4r + j is that input's sum.
static inline void decode_group(const float *q, ptrdiff_t ldq, int rows, const float *k,
                                ptrdiff_t ldk, int keys, ptrdiff_t dk, float *s, ptrdiff_t lds) {
  const float *a[4], *b[4];
  __m512 x[4][4];
  for (int i = 0; i < 4; i++) {
    a[i] = i < rows ? q + i * ldq : q;
    b[i] = i < keys ? k + i * ldk : k;
    for (int j = 0; j < 4; j++) x[i][j] = _mm512_setzero_ps();
  }
  ptrdiff_t c = 0;
  for (; c + 16 <= dk; c += 16) {
    __m512 y[4];
    for (int j = 0; j < 4; j++) y[j] = _mm512_loadu_ps(b[j] + c);
    for (int i = 0; i < 4; i++) {
      __m512 v = _mm512_loadu_ps(a[i] + c);
      for (int j = 0; j < 4; j++) x[i][j] = _mm512_fmadd_ps(v, y[j], x[i][j]);
    }
  }
  if (c < dk) {
    __mmask16 tail = tail_mask(dk - c);
    __m512 y[4];
    for (int j = 0; j < 4; j++) y[j] = _mm512_maskz_loadu_ps(tail, b[j] + c);
    for (int i = 0; i < 4; i++) {
      __m512 v = _mm512_maskz_loadu_ps(tail, a[i] + c);
      for (int j = 0; j < 4; j++) x[i][j] = _mm512_fmadd_ps(v, y[j], x[i][j]);
    }
  }
  __m512 d0 = fold128(fold256(x[0][0], x[1][0]), fold256(x[2][0], x[3][0]));
  __m512 d1 = fold128(fold256(x[0][1], x[1][1]), fold256(x[2][1], x[3][1]));
  __m512 d2 = fold128(fold256(x[0][2], x[1][2]), fold256(x[2][2], x[3][2]));
  __m512 d3 = fold128(fold256(x[0][3], x[1][3]), fold256(x[2][3], x[3][3]));
  __m512 sums = fold32(fold64(d0, d1), fold64(d2, d3));
  __mmask16 stored = tail_mask(keys);
  // Row r is 128-bit lane r: 4 consecutive scores.
  _mm512_mask_storeu_ps(s, stored, sums);
  if (rows > 1) _mm512_mask_storeu_ps(s + lds - 4, (__mmask16)(stored << 4), sums);
  if (rows > 2) _mm512_mask_storeu_ps(s + 2 * lds - 8, (__mmask16)(stored << 8), sums);
  if (rows > 3) _mm512_mask_storeu_ps(s + 3 * lds - 12, (__mmask16)(stored << 12), sums);
}

static void f32_decode_4x4_avx512f(const float *q, ptrdiff_t ldq, int rows, const float *k,
                                   ptrdiff_t ldk, ptrdiff_t keys, ptrdiff_t dk, float *s, ptrdiff_t lds) {
  for (ptrdiff_t j = 0; j < keys; j += 4) {
    int group = keys - j < 4 ? (int)(keys - j) : 4;
    decode_group(q, ldq, rows, k + j * ldk, ldk, group, dk, s + j, lds);
  }
}

// e^x, Cephes' method: x = n·ln 2 + r, e^r by a degree-7 polynomial, 2^n in the exponent bits.
static inline __m512 exp16(__m512 x) {
  const __m512 lowest = _mm512_set1_ps(-87.33655f), shifter = _mm512_set1_ps(12582912.0f);
  __m512 clamped = _mm512_min_ps(_mm512_max_ps(x, lowest), _mm512_set1_ps(88.0f));
  __m512 shifted = _mm512_fmadd_ps(clamped, _mm512_set1_ps(1.44269504f), shifter);
  __m512 n = _mm512_sub_ps(shifted, shifter);
  __m512 r = _mm512_fmadd_ps(n, _mm512_set1_ps(-0.693359375f), clamped);
  r = _mm512_fmadd_ps(n, _mm512_set1_ps(2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.98756915e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.39819995e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.33345190e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.16657959e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.66666655e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.00000012e-1f));
  p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
  __m512i bits = _mm512_slli_epi32(
      _mm512_add_epi32(_mm512_castps_si512(shifted), _mm512_set1_epi32(127 - 0x4B400000)), 23);
  __m512 result = _mm512_mul_ps(p, _mm512_castsi512_ps(bits));
  result = _mm512_mask_mov_ps(result, _mm512_cmp_ps_mask(x, lowest, _CMP_LT_OQ),
                              _mm512_setzero_ps());
  return _mm512_mask_mov_ps(result, _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), x);
}

static float f32_scale_max_avx512f(float *row, const float *bias, ptrdiff_t count, float scale) {
  const __m512 factor = _mm512_set1_ps(scale), lowest = _mm512_set1_ps(-INFINITY);
  __m512 best = lowest;
  ptrdiff_t j = 0;
  for (; j < count; j += L) {
    __mmask16 m = count - j >= L ? (__mmask16)0xFFFF : tail_mask(count - j);
    __m512 x = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, row + j), factor);
    if (bias) x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(m, bias + j));
    _mm512_mask_storeu_ps(row + j, m, x);
    // max(x, best) keeps best where x is NaN.
    best = _mm512_mask_max_ps(best, m, x, best);
  }
  return _mm512_reduce_max_ps(best);
}

static float f32_exp_sum_avx512f(float *row, ptrdiff_t count, float max, float scale) {
  const __m512 m = _mm512_set1_ps(max), f = _mm512_set1_ps(scale);
  __m512 sum0 = _mm512_setzero_ps(), sum1 = _mm512_setzero_ps();
  ptrdiff_t j = 0;
  for (; j + 2 * L <= count; j += 2 * L) {
    __m512 e0 = exp16(_mm512_fmsub_ps(_mm512_loadu_ps(row + j), f, m));
    __m512 e1 = exp16(_mm512_fmsub_ps(_mm512_loadu_ps(row + j + L), f, m));
    _mm512_storeu_ps(row + j, e0);
    _mm512_storeu_ps(row + j + L, e1);
    sum0 = _mm512_add_ps(sum0, e0);
    sum1 = _mm512_add_ps(sum1, e1);
  }
  for (; j < count; j += L) {
    __mmask16 t = count - j >= L ? (__mmask16)0xFFFF : tail_mask(count - j);
    __m512 e = exp16(_mm512_fmsub_ps(_mm512_maskz_loadu_ps(t, row + j), f, m));
    _mm512_mask_storeu_ps(row + j, t, e);
    sum0 = _mm512_mask_add_ps(sum0, t, sum0, e);
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(sum0, sum1));
}

static void f32_multiply_avx512f(float *row, ptrdiff_t count, float factor) {
  const __m512 f = _mm512_set1_ps(factor);
  ptrdiff_t j = 0;
  for (; j + L <= count; j += L) _mm512_storeu_ps(row + j, _mm512_mul_ps(_mm512_loadu_ps(row + j), f));
  if (j < count) {
    __mmask16 t = tail_mask(count - j);
    _mm512_mask_storeu_ps(row + j, t, _mm512_mul_ps(_mm512_maskz_loadu_ps(t, row + j), f));
  }
}

// p = e^(s · scale − shift), ds = p · (dp − dot), ds zeroed where p is 0; masked tails.
static void f32_softmax_backward_avx512f(float *s, float *dp, ptrdiff_t ld, ptrdiff_t rows,
                                         ptrdiff_t columns, const float *scale,
                                         const float *shift, const float *dot) {
  for (ptrdiff_t r = 0; r < rows; r++, s += ld, dp += ld) {
    const __m512 f = _mm512_set1_ps(scale[r]), m = _mm512_set1_ps(shift[r]);
    const __m512 d = _mm512_set1_ps(dot[r]);
    for (ptrdiff_t j = 0; j < columns; j += L) {
      __mmask16 t = columns - j >= L ? (__mmask16)0xFFFF : tail_mask(columns - j);
      __m512 p = exp16(_mm512_fmsub_ps(_mm512_maskz_loadu_ps(t, s + j), f, m));
      __m512 g = _mm512_mul_ps(p, _mm512_sub_ps(_mm512_maskz_loadu_ps(t, dp + j), d));
      g = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(p, _mm512_setzero_ps(), _CMP_NEQ_UQ), g);
      _mm512_mask_storeu_ps(s + j, t, p);
      _mm512_mask_storeu_ps(dp + j, t, g);
    }
  }
}

// Widening the KV cache's half-precision and 8-bit rows: 16 floats per step, masked tails.
static void f16_widen_avx512f(const uint16_t *src, ptrdiff_t ld_src, ptrdiff_t rows,
                              ptrdiff_t columns, float *dst, ptrdiff_t ld_dst) {
  for (ptrdiff_t r = 0; r < rows; r++, src += ld_src, dst += ld_dst) {
    ptrdiff_t c = 0;
    for (; c + L <= columns; c += L)
      _mm512_storeu_ps(dst + c, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(src + c))));
    if (c < columns) {
      uint16_t tail[L] = {0};
      for (ptrdiff_t i = c; i < columns; i++) tail[i - c] = src[i];
      __m512 x = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)tail));
      _mm512_mask_storeu_ps(dst + c, tail_mask(columns - c), x);
    }
  }
}

static void i8_widen_avx512f(const int8_t *src, ptrdiff_t ld_src, const float *scales,
                             ptrdiff_t rows, ptrdiff_t columns, float *dst, ptrdiff_t ld_dst) {
  ptrdiff_t blocks = (columns + ATTUNE_I8_BLOCK - 1) / ATTUNE_I8_BLOCK;
  for (ptrdiff_t r = 0; r < rows; r++, src += ld_src, dst += ld_dst, scales += blocks) {
    ptrdiff_t c = 0;
    for (ptrdiff_t b = 0; b < blocks; b++) {
      __m512 scale = _mm512_set1_ps(scales[b]);
      ptrdiff_t end = (b + 1) * ATTUNE_I8_BLOCK < columns ? (b + 1) * ATTUNE_I8_BLOCK : columns;
      for (; c + L <= end; c += L) {
        __m512i x = _mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(src + c)));
        _mm512_storeu_ps(dst + c, _mm512_mul_ps(_mm512_cvtepi32_ps(x), scale));
      }
      for (; c < end; c++) dst[c] = scales[b] * (float)src[c];
    }
  }
}

// Keys ahead of use that the 8-bit value kernel asks for whole rows, into L2.
enum { I8_V_AHEAD = 32 };

// Decode products from 8-bit values read in place: `acc[r][c] += Σ_j p[r][j] · scale[j][c / 32] ·
// v[j][c]`. As the float32 kernel when streaming, each 64-column strip (one cache line of a row's
// bytes) runs over every key with its 4 rows × 4 vectors of accumulators in registers, so each
// key costs 16 multiply-adds and no load or store of an accumulator; the two block scales of the
// strip are folded into each row's weight (p · scale, two scalar products per row and key). The
// first strip asks for whole rows I8_V_AHEAD keys ahead, into L2, which the later strips then
// read. Columns past the last whole strip go 16 at a time; the last partial vector's bytes are
// gathered one by one, so no byte past a row is read.
//
// On a Zen 4, at the decode shape of scripts/bench/serving_benchmark.py (`serve_ab.py --random`,
// 10 rounds), the AVX2 kernel (rows in address order, accumulators in L1) took 1.120 [1.035,
// 1.188] the time of this one asking 16 keys ahead into L1; asking 32 keys ahead into L2 took
// 0.950 [0.898, 0.984] the time of that (with the VNNI key kernel; 64 keys, 1.045x of 32).
static ALWAYS_INLINE void i8_products_strip(const int R, const float *p, ptrdiff_t ldp,
                                            const int8_t *v, ptrdiff_t ldv, const float *scales,
                                            ptrdiff_t blocks, ptrdiff_t count, ptrdiff_t ahead,
                                            const attune_lead *lead, float *acc, ptrdiff_t ldacc) {
  __m512 x[PR][4];
  for (int r = 0; r < R; r++)
    for (int i = 0; i < 4; i++) x[r][i] = _mm512_loadu_ps(acc + r * ldacc + 16 * i);
  for (ptrdiff_t j = 0; j < count; j++, v += ldv, scales += blocks) {
    attune_lead_part(lead, j, count);
    if (j + I8_V_AHEAD < count)
      for (ptrdiff_t c = 0; c < ahead; c += 64)
        _mm_prefetch((const char *)(v + I8_V_AHEAD * ldv + c), _MM_HINT_T1);
    const __m512 y0 = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)v)));
    const __m512 y1 =
        _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(v + 16))));
    const __m512 y2 =
        _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(v + 32))));
    const __m512 y3 =
        _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(v + 48))));
    const float f0 = scales[0], f1 = scales[1];
    for (int r = 0; r < R; r++) {
      const float w = p[r * ldp + j];
      const __m512 a0 = _mm512_set1_ps(w * f0), a1 = _mm512_set1_ps(w * f1);
      x[r][0] = _mm512_fmadd_ps(a0, y0, x[r][0]);
      x[r][1] = _mm512_fmadd_ps(a0, y1, x[r][1]);
      x[r][2] = _mm512_fmadd_ps(a1, y2, x[r][2]);
      x[r][3] = _mm512_fmadd_ps(a1, y3, x[r][3]);
    }
  }
  for (int r = 0; r < R; r++)
    for (int i = 0; i < 4; i++) _mm512_storeu_ps(acc + r * ldacc + 16 * i, x[r][i]);
}

// 16 columns (`valid` of them, 1 ... 16) starting at a column `c` that is a multiple of 16, whose
// block scale is `scales[c / 32]` of each key.
static ALWAYS_INLINE void i8_products_vector(const int R, const float *p, ptrdiff_t ldp,
                                             const int8_t *v, ptrdiff_t ldv, const float *scales,
                                             ptrdiff_t blocks, ptrdiff_t count, ptrdiff_t valid,
                                             float *acc, ptrdiff_t ldacc) {
  const __mmask16 t = tail_mask(valid);
  __m512 x[PR];
  for (int r = 0; r < R; r++) x[r] = _mm512_maskz_loadu_ps(t, acc + r * ldacc);
  for (ptrdiff_t j = 0; j < count; j++, v += ldv, scales += blocks) {
    __m512i z;
    if (valid == 16) {
      z = _mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)v));
    } else {
      // The row's last bytes gathered one by one into two 64-bit words: no read past the row
      // and nothing on the stack.
      uint64_t low = 0, high = 0;
      for (ptrdiff_t c = 0; c < valid && c < 8; c++) low |= (uint64_t)(uint8_t)v[c] << (8 * c);
      for (ptrdiff_t c = 8; c < valid; c++) high |= (uint64_t)(uint8_t)v[c] << (8 * (c - 8));
      z = _mm512_cvtepi8_epi32(_mm_set_epi64x((long long)high, (long long)low));
    }
    const __m512 y = _mm512_cvtepi32_ps(z);
    for (int r = 0; r < R; r++)
      x[r] = _mm512_fmadd_ps(_mm512_set1_ps(p[r * ldp + j] * scales[0]), y, x[r]);
  }
  for (int r = 0; r < R; r++) _mm512_mask_storeu_ps(acc + r * ldacc, t, x[r]);
}

static ALWAYS_INLINE void i8_products_rows(const int R, const float *p, ptrdiff_t ldp,
                                           const int8_t *v, ptrdiff_t ldv, const float *scales,
                                           ptrdiff_t count, ptrdiff_t columns,
                                           const attune_lead *lead, float *acc, ptrdiff_t ldacc) {
  const ptrdiff_t blocks = (columns + ATTUNE_I8_BLOCK - 1) / ATTUNE_I8_BLOCK;
  ptrdiff_t c = 0;
  for (; c + 64 <= columns; c += 64)
    i8_products_strip(R, p, ldp, v + c, ldv, scales + c / ATTUNE_I8_BLOCK, blocks, count,
                      c == 0 ? columns : 0, c == 0 ? lead : 0, acc + c, ldacc);
  if (columns < 64) attune_lead_part(lead, 0, 1);  // no strip to spread it over
  for (; c < columns; c += L)
    i8_products_vector(R, p, ldp, v + c, ldv, scales + c / ATTUNE_I8_BLOCK, blocks, count,
                       columns - c < L ? columns - c : L, acc + c, ldacc);
}

static void i8_products_avx512f(const float *p, ptrdiff_t ldp, int rows, const int8_t *v,
                                ptrdiff_t ldv, const float *scales, ptrdiff_t count,
                                ptrdiff_t columns, float *acc, ptrdiff_t ldacc, const void *lead) {
  switch (rows) {
  case 1: i8_products_rows(1, p, ldp, v, ldv, scales, count, columns, lead, acc, ldacc); break;
  case 2: i8_products_rows(2, p, ldp, v, ldv, scales, count, columns, lead, acc, ldacc); break;
  case 3: i8_products_rows(3, p, ldp, v, ldv, scales, count, columns, lead, acc, ldacc); break;
  default: i8_products_rows(4, p, ldp, v, ldv, scales, count, columns, lead, acc, ldacc); break;
  }
}

#pragma clang attribute pop

// 8-bit keys with integer dot products (AVX512-VNNI's `vpdpbusd`, 64 byte products an
// instruction, where a float multiply-add does 16), on CPUs that have VNNI, VBMI and BW besides
// AVX-512F (Ice Lake, Zen 4 and later).
//
// Each query row is first rounded as the cache rounds a key: per block of 32 features (ATTUNE_
// I8_BLOCK), q[c] ≈ unit · n[c] with unit = max|q| / 127 over the block and n in [−127, 127], as
// llama.cpp rounds a query for its q8_0 dot products. That moves each feature by at most half a
// unit, as much as the keys' own rounding moves theirs, and makes a score one integer dot product
// per key and block, exact in 32 bits. `vpdpbusd` multiplies unsigned bytes by signed ones: the
// keys, flipped to k + 128 (one xor), are the unsigned side, and the block's 128 · Σ n is
// subtracted once per block and row; the sum is then weighed by the keys' block scales times the
// query's unit. On a Zen 4, the 16-bit query this replaced (two `vpdpbusd` per 4 features, a
// high and a low byte) took 1.114 [1.019, 1.199]x the time of the decoding step with an 8-bit
// cache in L3 (8 sequences of 1024 tokens) and 1.015 [0.967, 1.069]x at the serving shape below,
// whose step waits on memory (`serve_ab.py --random`, 16 rounds); the output's error against
// PyTorch in float64 went from 3.1e-3 to 3.6e-3 of max|V| (scripts/bench/check_against_torch.py).
//
// Layout: 4 features of two groups (8 keys each, ATTUNE_I8_KEY_GROUP) are 2 × 32 bytes, feature-
// major; one byte permutation (`vpermb`) turns them into 16 lanes of one key's 4 features each,
// keys in order, so the 16 lanes are 16 consecutive scores and no horizontal sum remains. A row
// then costs 1 `vpdpbusd` per 4 features and 16 keys, the query's 4 bytes broadcast from memory.
// At the end of each block of 32 features, the sums are converted once and weighed by the 16
// keys' block scales. The pair of groups VNNI_AHEAD groups later is asked for a block at a time,
// into L2.
//
// On a Zen 4, at the decode shape of scripts/bench/serving_benchmark.py (`serve_ab.py --random`,
// 12 rounds), the AVX2 float kernel with the same value kernel took 1.087 [1.044, 1.123] the time
// of this one; asking 16 groups ahead (and values 64 keys ahead) took 1.045 [0.988, 1.104]x the
// time of 8 (and 32). With the groups asked for 4 ahead into L1 it had gained nothing: the keys'
// stream, not their arithmetic, then bound it.
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx512vbmi"))), apply_to = function)

enum { VNNI_MAX_DK = 1024, VNNI_AHEAD = 8 };

// Row `q` (dk features) rounded per block of ATTUNE_I8_BLOCK features to `n` (dk rounded up to
// 4, zero-padded), `unit[b]` = max|q| over block b / 127, `correction[b]` = 128 · Σ n over it.
// False (nothing usable) when the row holds a NaN or an infinity.
static bool vnni_quantize_query(const float *q, ptrdiff_t dk, int8_t *n, int32_t *correction,
                                float *unit) {
  __m512 poison = _mm512_setzero_ps();
  const ptrdiff_t padded = (dk + 3) & ~(ptrdiff_t)3;
  for (ptrdiff_t b = 0; b * ATTUNE_I8_BLOCK < padded; b++) {
    const ptrdiff_t c0 = b * ATTUNE_I8_BLOCK;
    __m512 x[2];
    __m512 largest = _mm512_setzero_ps();
    for (int i = 0; i < 2; i++) {
      const ptrdiff_t c = c0 + i * L;
      const __mmask16 in = c >= dk ? 0 : dk - c >= L ? (__mmask16)0xFFFF : tail_mask(dk - c);
      x[i] = _mm512_maskz_loadu_ps(in, q + c);
      largest = _mm512_max_ps(largest, _mm512_abs_ps(x[i]));
      poison = _mm512_fmadd_ps(x[i], _mm512_setzero_ps(), poison);  // NaN iff some x is not finite
    }
    const float top = _mm512_reduce_max_ps(largest);
    unit[b] = top / 127.0f;
    const __m512 inverse = _mm512_set1_ps(top > 0 && top < INFINITY ? 127.0f / top : 0.0f);
    __m512i sum = _mm512_setzero_si512();
    for (int i = 0; i < 2; i++) {
      const ptrdiff_t c = c0 + i * L;
      if (c >= padded) break;
      const __mmask16 out = padded - c >= L ? (__mmask16)0xFFFF : tail_mask(padded - c);
      const __m512i v = _mm512_cvtps_epi32(_mm512_mul_ps(x[i], inverse));
      _mm512_mask_cvtepi32_storeu_epi8(n + c, out, v);
      sum = _mm512_add_epi32(sum, v);
    }
    correction[b] = 128 * _mm512_reduce_add_epi32(sum);
  }
  const float nan = _mm512_reduce_add_ps(poison);
  return nan == nan;
}

// One step of 4 features: the two groups' 32 bytes each (`a`, `e`) permuted into 16 lanes of one
// key each and flipped to unsigned, then `h[r] += ` their products with row r's 4 query bytes (at
// `n + r · ldn`).
static ALWAYS_INLINE void vnni_quad(const int R, __m512i *h, __m256i a, __m256i e, __m512i order,
                                    __m512i flip, const int8_t *n, ptrdiff_t ldn) {
  __m512i x = _mm512_inserti64x4(_mm512_castsi256_si512(a), e, 1);
  x = _mm512_xor_si512(_mm512_permutexvar_epi8(order, x), flip);
  for (int r = 0; r < R; r++)
    h[r] = _mm512_dpbusd_epi32(h[r], x, _mm512_set1_epi32(*(const int32_t *)(n + r * ldn)));
}

// Two groups from `k` (the second `bytes` later, absent when `pair` is 0), `valid` (1 ... 16) of
// their 16 scores written to each row of `s`.
static ALWAYS_INLINE void vnni_two_groups(const int R, const int pair, const int8_t *n,
                                          ptrdiff_t ldn, const int32_t *correction,
                                          const float *unit, const int8_t *k, ptrdiff_t bytes,
                                          const float *f, ptrdiff_t floats, ptrdiff_t dk,
                                          const int8_t *ahead, int valid, float *s,
                                          ptrdiff_t lds) {
  const ptrdiff_t blocks = (dk + ATTUNE_I8_BLOCK - 1) / ATTUNE_I8_BLOCK;
  // Byte 4j + i of the result is feature i of key j: key j < 8 of the first group (byte 8i + j
  // of its 32), key j ≥ 8 of the second (byte 32 + 8i + j − 8).
  const __m512i order = _mm512_set_epi8(
      63, 55, 47, 39, 62, 54, 46, 38, 61, 53, 45, 37, 60, 52, 44, 36, 59, 51, 43, 35, 58, 50, 42,
      34, 57, 49, 41, 33, 56, 48, 40, 32, 31, 23, 15, 7, 30, 22, 14, 6, 29, 21, 13, 5, 28, 20, 12,
      4, 27, 19, 11, 3, 26, 18, 10, 2, 25, 17, 9, 1, 24, 16, 8, 0);
  const __m512i flip = _mm512_set1_epi8((char)0x80);
  __m512 t[4];
  for (int r = 0; r < R; r++) t[r] = _mm512_setzero_ps();
  for (ptrdiff_t b = 0; b < blocks; b++) {
    if (ahead)
      for (ptrdiff_t c = 0; c < 8 * ATTUNE_I8_BLOCK && 8 * b * ATTUNE_I8_BLOCK + c < bytes; c += 64) {
        _mm_prefetch((const char *)(ahead + 8 * b * ATTUNE_I8_BLOCK + c), _MM_HINT_T1);
        _mm_prefetch((const char *)(ahead + bytes + 8 * b * ATTUNE_I8_BLOCK + c), _MM_HINT_T1);
      }
    __m512i h[4];
    for (int r = 0; r < R; r++) h[r] = _mm512_setzero_si512();
    const ptrdiff_t end = (b + 1) * ATTUNE_I8_BLOCK < dk ? (b + 1) * ATTUNE_I8_BLOCK : dk;
    ptrdiff_t c = b * ATTUNE_I8_BLOCK;
    // Whole quads of both groups: plain loads, no mask to compute.
    if (pair)
      for (; c + 4 <= end; c += 4)
        vnni_quad(R, h, _mm256_loadu_si256((const __m256i *)(k + 8 * c)),
                  _mm256_loadu_si256((const __m256i *)(k + bytes + 8 * c)), order, flip, n + c, ldn);
    for (; c < end; c += 4) {
      const __mmask32 m = end - c >= 4 ? (__mmask32)0xFFFFFFFF : (__mmask32)((1u << (8 * (end - c))) - 1u);
      vnni_quad(R, h, _mm256_maskz_loadu_epi8(m, k + 8 * c),
                pair ? _mm256_maskz_loadu_epi8(m, k + bytes + 8 * c) : _mm256_setzero_si256(), order,
                flip, n + c, ldn);
    }
    const __m256 g0 = _mm256_loadu_ps(f + b * ATTUNE_I8_KEY_GROUP);
    const __m256 g1 = pair ? _mm256_loadu_ps(f + floats + b * ATTUNE_I8_KEY_GROUP) : _mm256_setzero_ps();
    const __m512 g = _mm512_castpd_ps(
        _mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(g0)), _mm256_castps_pd(g1), 1));
    for (int r = 0; r < R; r++) {
      const __m512i sum = _mm512_sub_epi32(h[r], _mm512_set1_epi32(correction[r * blocks + b]));
      t[r] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sum),
                             _mm512_mul_ps(g, _mm512_set1_ps(unit[r * blocks + b])), t[r]);
    }
  }
  const __mmask16 m = valid >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << valid) - 1u);
  for (int r = 0; r < R; r++) _mm512_mask_storeu_ps(s + r * lds, m, t[r]);
}

static ALWAYS_INLINE void vnni_groups(const int R, const int8_t *n, ptrdiff_t ldn,
                                      const int32_t *correction, const float *unit,
                                      const int8_t *k, ptrdiff_t ldk, const float *scales,
                                      ptrdiff_t keys, ptrdiff_t dk, float *s, ptrdiff_t lds,
                                      const attune_lead *lead) {
  const ptrdiff_t G = ATTUNE_I8_KEY_GROUP, blocks = (dk + ATTUNE_I8_BLOCK - 1) / ATTUNE_I8_BLOCK;
  const ptrdiff_t bytes = G * ldk, floats = G * blocks;  // one group's keys and scales
  const ptrdiff_t pairs = keys / (2 * G);
  if (pairs == 0) attune_lead_part(lead, 0, 1);
  ptrdiff_t g = 0;
  for (; (g + 2) * G <= keys; g += 2) {
    attune_lead_part(lead, g / 2, pairs);
    // The scales of the groups whose keys are asked for below: two groups' are 4 lines.
    if ((g + 2 + VNNI_AHEAD) * G <= keys)
      for (ptrdiff_t c = 0; c < 2 * floats; c += 16)
        _mm_prefetch((const char *)(scales + (g + VNNI_AHEAD) * floats + c), _MM_HINT_T1);
    vnni_two_groups(R, 1, n, ldn, correction, unit, k + g * bytes, bytes,
                    scales + g * floats, floats, dk,
                    (g + 2 + VNNI_AHEAD) * G <= keys ? k + (g + VNNI_AHEAD) * bytes : 0, 16,
                    s + g * G, lds);
  }
  if (g * G < keys) {
    const int valid = (int)(keys - g * G);
    if (valid > (int)G)
      vnni_two_groups(R, 1, n, ldn, correction, unit, k + g * bytes, bytes,
                      scales + g * floats, floats, dk, 0, valid, s + g * G, lds);
    else
      vnni_two_groups(R, 0, n, ldn, correction, unit, k + g * bytes, bytes,
                      scales + g * floats, floats, dk, 0, valid, s + g * G, lds);
  }
}

static void i8_decode_vnni_avx512(const float *q, ptrdiff_t ldq, int rows, const int8_t *k,
                                  ptrdiff_t ldk, const float *scales, ptrdiff_t keys,
                                  ptrdiff_t dk, float *s, ptrdiff_t lds, const void *lead) {
  int8_t n[4 * VNNI_MAX_DK];
  enum { B = VNNI_MAX_DK / ATTUNE_I8_BLOCK };
  int32_t correction[4 * B];
  float unit[4 * B];
  const ptrdiff_t blocks = (dk + ATTUNE_I8_BLOCK - 1) / ATTUNE_I8_BLOCK;
  bool split = dk <= VNNI_MAX_DK && rows <= 4;
  for (int r = 0; r < rows && split; r++)
    split = vnni_quantize_query(q + r * ldq, dk, n + r * VNNI_MAX_DK, correction + r * blocks,
                                unit + r * blocks);
  if (!split) {  // a head dimension past the buffers, or a query that is not finite
    attune_i8_decode_avx2fma(q, ldq, rows, k, ldk, scales, keys, dk, s, lds, lead);
    return;
  }
  switch (rows) {
  case 1: vnni_groups(1, n, VNNI_MAX_DK, correction, unit, k, ldk, scales, keys, dk, s, lds, lead); break;
  case 2: vnni_groups(2, n, VNNI_MAX_DK, correction, unit, k, ldk, scales, keys, dk, s, lds, lead); break;
  case 3: vnni_groups(3, n, VNNI_MAX_DK, correction, unit, k, ldk, scales, keys, dk, s, lds, lead); break;
  default: vnni_groups(4, n, VNNI_MAX_DK, correction, unit, k, ldk, scales, keys, dk, s, lds, lead); break;
  }
}

// 8-bit values with integer dot products (`vpdpwssd`: 32 products of 16-bit integers an
// instruction, where a float multiply-add does 16), on the same CPUs as the key kernel above.
//
// A row's weight for key j and block b is w = p[j] · scale[j][b] ≥ 0. Per group of VNNI_V_KEYS
// keys, each weight is rounded to 15-bit fixed point: w ≈ unit · n, unit = max p · max scale /
// 32767 over the group's keys (the row's largest p, the block's largest scale), 0 ≤ n ≤ 32767.
// Rounding moves each weight by at most unit / 2, so a group adds at most VNNI_V_KEYS ·
// max p · max|V| / 65534 to a row's sum; over a row's groups, whose largest p sum to at most the
// softmax's denominator, the output moves by at most VNNI_V_KEYS / 65534 · max|V| (4.9e-4 ·
// max|V|, an eighth of the 8-bit values' own half-step of max|V| / 254).
//
// Layout: two keys' rows, widened to 16 bits, are interleaved word by word (`vpunpcklwd`,
// `vpunpckhwd`), so each 32-bit lane holds one column of both keys, and the pair of weights is
// broadcast from memory: a 64-column strip of 4 rows costs 16 `vpdpwssd` per two keys. The
// interleave works within 128-bit lanes, so the 32-bit sums hold columns in the order 0-3, 8-11,
// …; at the end of each group they are converted, put back in order (`vpermt2ps`) and added to
// `acc`, weighed by the unit. A group whose weights are not finite, or too small to scale
// (below FLT_MIN), goes through the float kernel; so do columns past the last whole strip.
// Each group asks for the next group's scales; the strips ask for its rows, as the float kernel.
//
// On a Zen 4, at the decode shape of scripts/bench/serving_benchmark.py (`serve_ab.py --random`,
// 10 rounds), the float kernel above took 1.128 [1.048, 1.174] the time of this one. Preparing
// the weights was 40 % of this kernel's time in L1 (`micro_kernel_speed.sh avx512`: 195 against
// 115 GFLOP/s with them prepared once), half of it in the scale gathers; with 4 blocks the
// scales are now transposed in registers (152 GFLOP/s), and the gathered build took 1.089
// [1.071, 1.114]x the time of the decoding step with the cache in L3 (8 × 1024 tokens), 1.023
// [0.990, 1.065]x at the serving shape, whose step waits on memory (16 rounds).
enum { VNNI_V_KEYS = 32, VNNI_V_MAX_BLOCKS = 32 };

// The scales of `n` (1 ... VNNI_V_KEYS) keys' blocks 2·half and 2·half + 1 of 4 (`scales` [n][4],
// row by row) as 2 vectors per block, keys 0-15 and 16-31 (zero for j ≥ n): 8 loads and a
// transpose in registers (4 two-source permutes, 4 lane shuffles) instead of 4 gathers. For half
// 0, `top` gets each of the 4 blocks' largest (one reduction for all) and `poison` becomes NaN if
// a scale is not finite. Two halves, so that only 4 transposed vectors are live at a time beside
// the rows' weights.
static ALWAYS_INLINE void vnni_scales4(const float *scales, ptrdiff_t n, int half, __m512 c[2][2],
                                       float top[4], __m512 *poison) {
  __m512 a[8], largest = _mm512_setzero_ps();
  for (int i = 0; i < 8; i++) {  // a[i]: keys 4i ... 4i + 3, their 4 blocks each
    const ptrdiff_t valid = 4 * n - 16 * i;
    a[i] = _mm512_maskz_loadu_ps(valid >= 16 ? (__mmask16)0xFFFF : valid > 0 ? tail_mask(valid) : 0,
                                 scales + 16 * i);
    if (half == 0) {
      largest = _mm512_max_ps(largest, a[i]);
      *poison = _mm512_fmadd_ps(a[i], _mm512_setzero_ps(), *poison);  // NaN iff one is not finite
    }
  }
  if (half == 0) {
    // Lane 4k + b of `largest` is block b's largest over keys ≡ k (mod 4): across the 4 lanes.
    largest = _mm512_max_ps(largest, _mm512_shuffle_f32x4(largest, largest, _MM_SHUFFLE(1, 0, 3, 2)));
    largest = _mm512_max_ps(largest, _mm512_shuffle_f32x4(largest, largest, _MM_SHUFFLE(2, 3, 0, 1)));
    _mm_storeu_ps(top, _mm512_castps512_ps128(largest));
  }
  // Blocks 2·half and 2·half + 1 of 8 keys from two vectors, then of 16 keys from two of those.
  const __m512i pick = _mm512_add_epi32(
      _mm512_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28, 1, 5, 9, 13, 17, 21, 25, 29),
      _mm512_set1_epi32(2 * half));
  for (int k = 0; k < 2; k++) {
    const __m512 e0 = _mm512_permutex2var_ps(a[4 * k], pick, a[4 * k + 1]);
    const __m512 e1 = _mm512_permutex2var_ps(a[4 * k + 2], pick, a[4 * k + 3]);
    c[0][k] = _mm512_shuffle_f32x4(e0, e1, _MM_SHUFFLE(1, 0, 1, 0));
    c[1][k] = _mm512_shuffle_f32x4(e0, e1, _MM_SHUFFLE(3, 2, 3, 2));
  }
}

// Block b's weights for R rows from its scales `c0`, `c1` (keys 0-15, 16-31) and their largest
// `top`, the rows' weights over their largest in `a` (`largest`): as `vnni_value_weights`.
static ALWAYS_INLINE bool vnni_block_weights(const int R, ptrdiff_t b, __m512 c0, __m512 c1,
                                             float top, const __m512 a[][2],
                                             const float *largest, int16_t *w, float *unit) {
  if (top > 0 && !(top >= FLT_MIN)) return false;
  const __m512 to = _mm512_set1_ps(top > 0 ? 32767.0f / top : 0.0f);
  c0 = _mm512_mul_ps(c0, to);
  c1 = _mm512_mul_ps(c1, to);
  for (int r = 0; r < R; r++) {
    int16_t *row = w + (b * 4 + r) * VNNI_V_KEYS;
    _mm256_storeu_si256((__m256i *)row,
                        _mm512_cvtsepi32_epi16(_mm512_cvtps_epi32(_mm512_mul_ps(a[r][0], c0))));
    _mm256_storeu_si256((__m256i *)(row + 16),
                        _mm512_cvtsepi32_epi16(_mm512_cvtps_epi32(_mm512_mul_ps(a[r][1], c1))));
    unit[b * 4 + r] = largest[r] * top / 32767.0f;
  }
  return true;
}

// The weights of `n` (1 ... VNNI_V_KEYS) keys for R rows and `blocks` blocks: `w[(b · 4 + r) ·
// VNNI_V_KEYS + j]` (zero for j ≥ n) and `unit[b · 4 + r]`. False when a weight is not finite
// or a row's or block's largest is positive and below FLT_MIN. With 4 blocks (dv 97 ... 128)
// the scales are transposed in registers (`vnni_scales4`) and the blocks unrolled, so that they
// stay in registers; otherwise they are gathered block by block.
static ALWAYS_INLINE bool vnni_value_weights(const int R, const float *p, ptrdiff_t ldp,
                                             const float *scales, ptrdiff_t blocks, ptrdiff_t n,
                                             int16_t *w, float *unit) {
  const __mmask16 m0 = n >= 16 ? (__mmask16)0xFFFF : tail_mask(n);
  const __mmask16 m1 = n >= 32 ? (__mmask16)0xFFFF : n > 16 ? tail_mask(n - 16) : 0;
  __m512 a[4][2], poison = _mm512_setzero_ps();
  float largest[4];
  for (int r = 0; r < R; r++) {
    a[r][0] = _mm512_maskz_loadu_ps(m0, p + r * ldp);
    a[r][1] = _mm512_maskz_loadu_ps(m1, p + r * ldp + 16);
    poison = _mm512_fmadd_ps(a[r][0], _mm512_setzero_ps(), poison);
    poison = _mm512_fmadd_ps(a[r][1], _mm512_setzero_ps(), poison);
    largest[r] = _mm512_reduce_max_ps(_mm512_max_ps(a[r][0], a[r][1]));
    if (largest[r] > 0 && !(largest[r] >= FLT_MIN)) return false;
    // Each row's weights over its largest, once for every block.
    const __m512 from = _mm512_set1_ps(largest[r] > 0 ? 1.0f / largest[r] : 0.0f);
    a[r][0] = _mm512_mul_ps(a[r][0], from);
    a[r][1] = _mm512_mul_ps(a[r][1], from);
  }
  if (blocks == 4) {
    __m512 c[2][2];
    float top[4];
    vnni_scales4(scales, n, 0, c, top, &poison);
    if (!vnni_block_weights(R, 0, c[0][0], c[0][1], top[0], a, largest, w, unit) ||
        !vnni_block_weights(R, 1, c[1][0], c[1][1], top[1], a, largest, w, unit))
      return false;
    vnni_scales4(scales, n, 1, c, top, &poison);
    if (!vnni_block_weights(R, 2, c[0][0], c[0][1], top[2], a, largest, w, unit) ||
        !vnni_block_weights(R, 3, c[1][0], c[1][1], top[3], a, largest, w, unit))
      return false;
  } else {
    const __m512i step = _mm512_mullo_epi32(
        _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
        _mm512_set1_epi32((int)blocks));
    for (ptrdiff_t b = 0; b < blocks; b++) {
      const __m512 c0 = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m0, step, scales + b, 4);
      const __m512 c1 =
          _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m1, step, scales + 16 * blocks + b, 4);
      const float top = _mm512_reduce_max_ps(_mm512_max_ps(c0, c1));
      poison = _mm512_fmadd_ps(c0, _mm512_setzero_ps(), poison);
      poison = _mm512_fmadd_ps(c1, _mm512_setzero_ps(), poison);
      if (!vnni_block_weights(R, b, c0, c1, top, a, largest, w, unit)) return false;
    }
  }
  const float nan = _mm512_reduce_add_ps(poison);
  return nan == nan;
}

// One group's 64-column strip `c` (blocks 2c/64 and 2c/64 + 1): `acc[r][c ..< c + 64] += Σ_j
// unit · w[j] · v[j][c ...]` over the group's `n` keys (`v` at its first), asking for the rows
// VNNI_V_KEYS keys ahead (`ahead` of them, at this strip's columns) into L2.
static ALWAYS_INLINE void vnni_value_strip(const int R, const int8_t *v, ptrdiff_t ldv,
                                           ptrdiff_t n, ptrdiff_t ahead, const int16_t *w0,
                                           const int16_t *w1, const float *u0, const float *u1,
                                           float *acc, ptrdiff_t ldacc) {
  static const int8_t zero[64] = {0};
  __m512i x[4][4];
  for (int r = 0; r < R; r++)
    for (int i = 0; i < 4; i++) x[r][i] = _mm512_setzero_si512();
  for (ptrdiff_t j = 0; j < n; j += 2) {
    const int8_t *first = v + j * ldv, *second = j + 1 < n ? first + ldv : zero;
    if (j < ahead) _mm_prefetch((const char *)(first + VNNI_V_KEYS * ldv), _MM_HINT_T1);
    if (j + 1 < ahead) _mm_prefetch((const char *)(first + (VNNI_V_KEYS + 1) * ldv), _MM_HINT_T1);
    const __m512i a0 = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)first));
    const __m512i a1 = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(first + 32)));
    const __m512i b0 = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)second));
    const __m512i b1 = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(second + 32)));
    const __m512i y0 = _mm512_unpacklo_epi16(a0, b0), y1 = _mm512_unpackhi_epi16(a0, b0);
    const __m512i y2 = _mm512_unpacklo_epi16(a1, b1), y3 = _mm512_unpackhi_epi16(a1, b1);
    for (int r = 0; r < R; r++) {
      const __m512i f = _mm512_set1_epi32(*(const int32_t *)(w0 + r * VNNI_V_KEYS + j));
      const __m512i g = _mm512_set1_epi32(*(const int32_t *)(w1 + r * VNNI_V_KEYS + j));
      x[r][0] = _mm512_dpwssd_epi32(x[r][0], y0, f);
      x[r][1] = _mm512_dpwssd_epi32(x[r][1], y1, f);
      x[r][2] = _mm512_dpwssd_epi32(x[r][2], y2, g);
      x[r][3] = _mm512_dpwssd_epi32(x[r][3], y3, g);
    }
  }
  // Lane 4i + k of y0 is column 8i + k, of y1 column 8i + 4 + k.
  const __m512i low = _mm512_setr_epi32(0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23);
  const __m512i high = _mm512_setr_epi32(8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31);
#pragma clang loop unroll(full)
  for (int r = 0; r < R; r++) {
    float *out = acc + r * ldacc;
    const __m512 f0 = _mm512_cvtepi32_ps(x[r][0]), f1 = _mm512_cvtepi32_ps(x[r][1]);
    const __m512 f2 = _mm512_cvtepi32_ps(x[r][2]), f3 = _mm512_cvtepi32_ps(x[r][3]);
    const __m512 e = _mm512_set1_ps(u0[r]), h = _mm512_set1_ps(u1[r]);
    _mm512_storeu_ps(out, _mm512_fmadd_ps(_mm512_permutex2var_ps(f0, low, f1), e, _mm512_loadu_ps(out)));
    _mm512_storeu_ps(out + 16, _mm512_fmadd_ps(_mm512_permutex2var_ps(f0, high, f1), e, _mm512_loadu_ps(out + 16)));
    _mm512_storeu_ps(out + 32, _mm512_fmadd_ps(_mm512_permutex2var_ps(f2, low, f3), h, _mm512_loadu_ps(out + 32)));
    _mm512_storeu_ps(out + 48, _mm512_fmadd_ps(_mm512_permutex2var_ps(f2, high, f3), h, _mm512_loadu_ps(out + 48)));
  }
}

static ALWAYS_INLINE void vnni_values_rows(const int R, const float *p, ptrdiff_t ldp,
                                           const int8_t *v, ptrdiff_t ldv, const float *scales,
                                           ptrdiff_t count, ptrdiff_t columns,
                                           const attune_lead *lead, float *acc, ptrdiff_t ldacc) {
  const ptrdiff_t blocks = (columns + ATTUNE_I8_BLOCK - 1) / ATTUNE_I8_BLOCK, whole = columns / 64 * 64;
  const ptrdiff_t groups = (count + VNNI_V_KEYS - 1) / VNNI_V_KEYS;
  int16_t w[VNNI_V_MAX_BLOCKS * 4 * VNNI_V_KEYS] __attribute__((aligned(64)));
  float unit[VNNI_V_MAX_BLOCKS * 4];
  for (ptrdiff_t j = 0; j < count; j += VNNI_V_KEYS) {
    attune_lead_part(lead, j / VNNI_V_KEYS, groups);
    const ptrdiff_t n = count - j < VNNI_V_KEYS ? count - j : VNNI_V_KEYS;
    const ptrdiff_t ahead = count - j - VNNI_V_KEYS;  // rows of the next group
    const int8_t *rows = v + j * ldv;
    const float *f = scales + j * blocks;
    // The next group's scales (its rows are asked for by the strips).
    if (ahead > 0)
      for (ptrdiff_t b = 0; b < (ahead < VNNI_V_KEYS ? ahead : VNNI_V_KEYS) * blocks * 4; b += 64)
        _mm_prefetch((const char *)(f + VNNI_V_KEYS * blocks) + b, _MM_HINT_T1);
    if (!vnni_value_weights(R, p + j, ldp, f, blocks, n, w, unit)) {
      i8_products_rows(R, p + j, ldp, rows, ldv, f, n, columns, 0, acc, ldacc);
      continue;
    }
    for (ptrdiff_t c = 0; c < whole; c += 64) {
      const ptrdiff_t b = c / ATTUNE_I8_BLOCK;
      vnni_value_strip(R, rows + c, ldv, n, ahead, w + b * 4 * VNNI_V_KEYS,
                       w + (b + 1) * 4 * VNNI_V_KEYS, unit + b * 4, unit + (b + 1) * 4, acc + c,
                       ldacc);
    }
    for (ptrdiff_t c = whole; c < columns; c += L)
      i8_products_vector(R, p + j, ldp, rows + c, ldv, f + c / ATTUNE_I8_BLOCK, blocks, n,
                         columns - c < L ? columns - c : L, acc + c, ldacc);
  }
}

static void i8_products_vnni_avx512(const float *p, ptrdiff_t ldp, int rows, const int8_t *v,
                                    ptrdiff_t ldv, const float *scales, ptrdiff_t count,
                                    ptrdiff_t columns, float *acc, ptrdiff_t ldacc,
                                    const void *lead) {
  if (columns < 64 || columns > VNNI_V_MAX_BLOCKS * ATTUNE_I8_BLOCK) {
    i8_products_avx512f(p, ldp, rows, v, ldv, scales, count, columns, acc, ldacc, lead);
    return;
  }
  switch (rows) {
  case 1: vnni_values_rows(1, p, ldp, v, ldv, scales, count, columns, lead, acc, ldacc); break;
  case 2: vnni_values_rows(2, p, ldp, v, ldv, scales, count, columns, lead, acc, ldacc); break;
  case 3: vnni_values_rows(3, p, ldp, v, ldv, scales, count, columns, lead, acc, ldacc); break;
  default: vnni_values_rows(4, p, ldp, v, ldv, scales, count, columns, lead, acc, ldacc); break;
  }
}

#pragma clang attribute pop

// Every field but the 8-bit key kernel, shared by the two AVX-512 entries.
#define AVX512F_ENTRY_FIELDS                                                                      \
  .name = "avx512f", .score_rows = SR, .panel_keys = PK, .product_rows = PR,                      \
  .product_columns = PC, .lanes = L, .decode_rows = 4, .decode_keys = 4,                          \
  .decode_ahead = DECODE_AHEAD, .default_block_q = 64, .default_block_k = 1024,                   \
  .scores = f32_scores_8x32_avx512f, .products = f32_products_4x64_avx512f,                       \
  .products_t = f32_products_t_4x64_avx512f, .softmax_backward = f32_softmax_backward_avx512f,    \
  .decode = f32_decode_4x4_avx512f, .scale_max = f32_scale_max_avx512f,                           \
  .exp_sum = f32_exp_sum_avx512f, .multiply = f32_multiply_avx512f,                               \
  .widen_f16 = f16_widen_avx512f, .widen_i8 = i8_widen_avx512f,                                   \
  .decode_f16 = attune_f16_decode_avx2fma, .products_f16 = attune_f16_products_avx2fma

// Half rows are read in place by the AVX2 kernels; 8-bit keys by the AVX2 kernel too (its groups
// of 8 fill a ymm register) where the CPU lacks VNNI.
const attune_micro_kernel_entry attune_avx512f_entry = {
    AVX512F_ENTRY_FIELDS,
    .decode_i8 = attune_i8_decode_avx2fma,
    .products_i8 = i8_products_avx512f,
};

const attune_micro_kernel_entry attune_avx512f_vnni_entry = {
    AVX512F_ENTRY_FIELDS,
    .decode_i8 = i8_decode_vnni_avx512,
    .decode_i8_query_bits = 8,
    .products_i8 = i8_products_vnni_avx512,
    .products_i8_weight_bits = 15,
    .products_i8_weight_keys = VNNI_V_KEYS,
};

#endif
