// arm64 NEON micro-kernels (32 q registers of 4 floats; NEON is the arm64 baseline, so these need
// no target attribute).
//
// Geometry, as BLIS's armv8a sgemm: scores 8 rows × 12 keys (24 accumulators, 3 panel loads, 1
// broadcast: 28 registers); products 6 rows × 16 columns (24 accumulators, 4 value loads, 1
// broadcast), then 4 columns at a time; decode 4 rows × 4 keys (16 accumulators, 4 key loads, 1
// query load).

#include "AttuneMicroKernels.h"

#if defined(__aarch64__)
#include <arm_neon.h>
#include <math.h>

enum { SR = 8, PK = 12, PR = 6, PC = 16, L = 4, DR = 4, DK = 4, CHUNK = 64 };

// Keys ahead of the decode kernel that the driver asks for K's rows: the x86 entries' first choice, not yet measured
// on arm64 hardware.
enum { DECODE_AHEAD = 8 };

static void scores_tile(const float *q, ptrdiff_t ldq, int rows, const float *panel, ptrdiff_t dk,
                        float *s, ptrdiff_t lds, float *row_max) {
  const float *a[SR];
  for (int r = 0; r < SR; r++) a[r] = r < rows ? q + r * ldq : q;
  for (ptrdiff_t c0 = 0; c0 < dk; c0 += CHUNK) {
    ptrdiff_t end = c0 + CHUNK < dk ? c0 + CHUNK : dk;
    float32x4_t x[SR][3];
    for (int r = 0; r < SR; r++) x[r][0] = x[r][1] = x[r][2] = vdupq_n_f32(0);
    const float *b = panel + c0 * PK;
    for (ptrdiff_t c = c0; c < end; c++, b += PK) {
      float32x4_t k0 = vld1q_f32(b), k1 = vld1q_f32(b + 4), k2 = vld1q_f32(b + 8);
      for (int r = 0; r < SR; r++) {
        float32x4_t y = vld1q_dup_f32(a[r] + c);
        x[r][0] = vfmaq_f32(x[r][0], y, k0);
        x[r][1] = vfmaq_f32(x[r][1], y, k1);
        x[r][2] = vfmaq_f32(x[r][2], y, k2);
      }
    }
    for (int r = 0; r < rows; r++) {
      float *out = s + r * lds;
      for (int i = 0; i < 3; i++) {
        float32x4_t old = c0 == 0 ? vdupq_n_f32(0) : vld1q_f32(out + 4 * i);
        x[r][i] = vaddq_f32(old, x[r][i]);
        vst1q_f32(out + 4 * i, x[r][i]);
      }
      if (row_max && end == dk) {
        // maxnm, unlike max, ignores a NaN operand.
        float32x4_t m = vld1q_f32(row_max + r * L);
        for (int i = 0; i < 3; i++) m = vmaxnmq_f32(m, x[r][i]);
        vst1q_f32(row_max + r * L, m);
      }
    }
  }
}

// P's element for row r and key j is at `p + r * rs + j * ks`: (ldp, 1) for `products`, (1, ldp)
// for `products_t`.
static inline __attribute__((always_inline)) void products_tile(
    const float *p, ptrdiff_t rs, ptrdiff_t ks, int rows, const float *v, ptrdiff_t ldv,
    ptrdiff_t count, ptrdiff_t columns, float *acc, ptrdiff_t ldacc) {
  const float *w[PR];
  float *o[PR];
  for (int r = 0; r < PR; r++) {
    w[r] = r < rows ? p + r * rs : p;
    o[r] = r < rows ? acc + r * ldacc : acc;
  }
  ptrdiff_t column = 0;
  for (; column + PC <= columns; column += PC) {
    float32x4_t x[PR][4];
    for (int r = 0; r < PR; r++)
      for (int i = 0; i < 4; i++) x[r][i] = vld1q_f32(o[r] + column + 4 * i);
    const float *vj = v + column;
    for (ptrdiff_t j = 0; j < count; j++, vj += ldv) {
      float32x4_t y0 = vld1q_f32(vj), y1 = vld1q_f32(vj + 4);
      float32x4_t y2 = vld1q_f32(vj + 8), y3 = vld1q_f32(vj + 12);
      for (int r = 0; r < PR; r++) {
        float32x4_t a = vld1q_dup_f32(w[r] + j * ks);
        x[r][0] = vfmaq_f32(x[r][0], a, y0);
        x[r][1] = vfmaq_f32(x[r][1], a, y1);
        x[r][2] = vfmaq_f32(x[r][2], a, y2);
        x[r][3] = vfmaq_f32(x[r][3], a, y3);
      }
    }
    for (int r = rows - 1; r >= 0; r--)
      for (int i = 0; i < 4; i++) vst1q_f32(o[r] + column + 4 * i, x[r][i]);
  }
  for (; column < columns; column += L) {
    float32x4_t x[PR];
    for (int r = 0; r < PR; r++) x[r] = vld1q_f32(o[r] + column);
    const float *vj = v + column;
    for (ptrdiff_t j = 0; j < count; j++, vj += ldv) {
      float32x4_t y = vld1q_f32(vj);
      for (int r = 0; r < PR; r++) x[r] = vfmaq_f32(x[r], vld1q_dup_f32(w[r] + j * ks), y);
    }
    for (int r = rows - 1; r >= 0; r--) vst1q_f32(o[r] + column, x[r]);
  }
}

// Tiles of SR (PR) rows; a partial last tile repeats its row 0 in the missing rows, unstored.
static void f32_scores_8x12_neon(const float *q, ptrdiff_t ldq, ptrdiff_t rows, const float *panel,
                                 ptrdiff_t dk, float *s, ptrdiff_t lds, float *row_max) {
  for (ptrdiff_t r = 0; r < rows; r += SR)
    scores_tile(q + r * ldq, ldq, rows - r < SR ? (int)(rows - r) : SR, panel, dk, s + r * lds, lds,
                row_max ? row_max + r * L : 0);
}

static void f32_products_6x16_neon(const float *p, ptrdiff_t ldp, ptrdiff_t rows, const float *v,
                                   ptrdiff_t ldv, ptrdiff_t count, ptrdiff_t columns, float *acc,
                                   ptrdiff_t ldacc, int streaming) {
  (void)streaming;  // no software prefetch: not measured on arm64 hardware yet
  for (ptrdiff_t r = 0; r < rows; r += PR)
    products_tile(p + r * ldp, ldp, 1, rows - r < PR ? (int)(rows - r) : PR, v, ldv, count,
                  columns, acc + r * ldacc, ldacc);
}

// P transposed: the six rows of a register tile are six adjacent floats of one row of P.
static void f32_products_t_6x16_neon(const float *p, ptrdiff_t ldp, ptrdiff_t rows,
                                     const float *v, ptrdiff_t ldv, ptrdiff_t count,
                                     ptrdiff_t columns, float *acc, ptrdiff_t ldacc) {
  for (ptrdiff_t r = 0; r < rows; r += PR)
    products_tile(p + r, 1, ldp, rows - r < PR ? (int)(rows - r) : PR, v, ldv, count, columns,
                  acc + r * ldacc, ldacc);
}

static inline void decode_group(const float *q, ptrdiff_t ldq, int rows, const float *k,
                                ptrdiff_t ldk, int keys, ptrdiff_t dk, float *s, ptrdiff_t lds) {
  const float *a[DR], *b[DK];
  float32x4_t x[DR][DK];
  for (int i = 0; i < DR; i++) a[i] = i < rows ? q + i * ldq : q;
  for (int j = 0; j < DK; j++) b[j] = j < keys ? k + j * ldk : k;
  for (int i = 0; i < DR; i++)
    for (int j = 0; j < DK; j++) x[i][j] = vdupq_n_f32(0);
  ptrdiff_t c = 0;
  for (; c + L <= dk; c += L) {
    float32x4_t y[DK];
    for (int j = 0; j < DK; j++) y[j] = vld1q_f32(b[j] + c);
    for (int i = 0; i < DR; i++) {
      float32x4_t v = vld1q_f32(a[i] + c);
      for (int j = 0; j < DK; j++) x[i][j] = vfmaq_f32(x[i][j], v, y[j]);
    }
  }
  for (int i = 0; i < rows; i++) {
    // Pairwise adds turn the 4 accumulators of row i into its 4 sums, key j in lane j.
    float32x4_t sums = vpaddq_f32(vpaddq_f32(x[i][0], x[i][1]), vpaddq_f32(x[i][2], x[i][3]));
    float lanes[4];
    vst1q_f32(lanes, sums);
    for (int j = 0; j < keys; j++) {
      float dot = lanes[j];
      for (ptrdiff_t t = c; t < dk; t++) dot += a[i][t] * b[j][t];
      s[i * lds + j] = dot;
    }
  }
}

static void f32_decode_4x4_neon(const float *q, ptrdiff_t ldq, int rows, const float *k,
                                ptrdiff_t ldk, ptrdiff_t keys, ptrdiff_t dk, float *s, ptrdiff_t lds) {
  for (ptrdiff_t j = 0; j < keys; j += DK) {
    int group = keys - j < DK ? (int)(keys - j) : DK;
    decode_group(q, ldq, rows, k + j * ldk, ldk, group, dk, s + j, lds);
  }
}

// e^x, Cephes' method: x = n·ln 2 + r, e^r by a degree-7 polynomial, 2^n in the exponent bits.
static inline float32x4_t exp4(float32x4_t x) {
  const float32x4_t lowest = vdupq_n_f32(-87.33655f), shifter = vdupq_n_f32(12582912.0f);
  float32x4_t clamped = vminq_f32(vmaxq_f32(x, lowest), vdupq_n_f32(88.0f));
  float32x4_t shifted = vfmaq_f32(shifter, clamped, vdupq_n_f32(1.44269504f));
  float32x4_t n = vsubq_f32(shifted, shifter);
  float32x4_t r = vfmaq_f32(clamped, n, vdupq_n_f32(-0.693359375f));
  r = vfmaq_f32(r, n, vdupq_n_f32(2.12194440e-4f));
  float32x4_t p = vdupq_n_f32(1.98756915e-4f);
  p = vfmaq_f32(vdupq_n_f32(1.39819995e-3f), p, r);
  p = vfmaq_f32(vdupq_n_f32(8.33345190e-3f), p, r);
  p = vfmaq_f32(vdupq_n_f32(4.16657959e-2f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.66666655e-1f), p, r);
  p = vfmaq_f32(vdupq_n_f32(5.00000012e-1f), p, r);
  p = vfmaq_f32(vaddq_f32(r, vdupq_n_f32(1.0f)), p, vmulq_f32(r, r));
  uint32x4_t bits = vshlq_n_u32(
      vaddq_u32(vreinterpretq_u32_f32(shifted), vdupq_n_u32(127u - 0x4B400000u)), 23);
  float32x4_t result = vmulq_f32(p, vreinterpretq_f32_u32(bits));
  result = vbslq_f32(vcltq_f32(x, lowest), vdupq_n_f32(0), result);
  return vbslq_f32(vceqq_f32(x, x), result, x);
}

static float f32_scale_max_neon(float *row, const float *bias, ptrdiff_t count, float scale) {
  float32x4_t best = vdupq_n_f32(-INFINITY);
  ptrdiff_t j = 0;
  for (; j + L <= count; j += L) {
    float32x4_t x = vmulq_n_f32(vld1q_f32(row + j), scale);
    if (bias) x = vaddq_f32(x, vld1q_f32(bias + j));
    vst1q_f32(row + j, x);
    best = vmaxnmq_f32(best, x);  // the number where one is NaN
  }
  float result = vmaxnmvq_f32(best);
  for (; j < count; j++) {
    float x = row[j] * scale + (bias ? bias[j] : 0);
    row[j] = x;
    if (x > result) result = x;
  }
  return result;
}

static float f32_exp_sum_neon(float *row, ptrdiff_t count, float max, float scale) {
  // e^(x · scale − max) from vfmaq(−max, x, scale) = −max + x · scale, rounded once.
  const float32x4_t m = vdupq_n_f32(-max), f = vdupq_n_f32(scale);
  float32x4_t sum0 = vdupq_n_f32(0), sum1 = vdupq_n_f32(0);
  ptrdiff_t j = 0;
  for (; j + 2 * L <= count; j += 2 * L) {
    float32x4_t e0 = exp4(vfmaq_f32(m, vld1q_f32(row + j), f));
    float32x4_t e1 = exp4(vfmaq_f32(m, vld1q_f32(row + j + L), f));
    vst1q_f32(row + j, e0);
    vst1q_f32(row + j + L, e1);
    sum0 = vaddq_f32(sum0, e0);
    sum1 = vaddq_f32(sum1, e1);
  }
  for (; j + L <= count; j += L) {
    float32x4_t e = exp4(vfmaq_f32(m, vld1q_f32(row + j), f));
    vst1q_f32(row + j, e);
    sum0 = vaddq_f32(sum0, e);
  }
  if (j < count) {  // 1 to 3 entries left
    float lanes[4] = {0, 0, 0, 0};
    ptrdiff_t valid = count - j;
    for (ptrdiff_t i = 0; i < valid; i++) lanes[i] = row[j + i];
    float32x4_t e = exp4(vfmaq_f32(m, vld1q_f32(lanes), f));
    vst1q_f32(lanes, e);
    for (ptrdiff_t i = 0; i < valid; i++) row[j + i] = lanes[i];
    for (ptrdiff_t i = valid; i < 4; i++) lanes[i] = 0;
    sum0 = vaddq_f32(sum0, vld1q_f32(lanes));
  }
  return vaddvq_f32(vaddq_f32(sum0, sum1));
}

static void f32_multiply_neon(float *row, ptrdiff_t count, float factor) {
  ptrdiff_t j = 0;
  for (; j + L <= count; j += L) vst1q_f32(row + j, vmulq_n_f32(vld1q_f32(row + j), factor));
  for (; j < count; j++) row[j] *= factor;
}

// p = e^(s · scale − shift), ds = p · (dp − dot), ds zeroed where p is 0; a tail of 1 to 3
// floats through a 4-lane buffer.
static inline float32x4_t softmax_backward4(float32x4_t x, float32x4_t g, float32x4_t f,
                                            float32x4_t m, float32x4_t d, float32x4_t *p) {
  *p = exp4(vfmaq_f32(m, x, f));
  g = vmulq_f32(*p, vsubq_f32(g, d));
  // Keep g where p ≠ 0 (a NaN p keeps it too).
  uint32x4_t zero = vceqq_f32(*p, vdupq_n_f32(0));
  return vreinterpretq_f32_u32(vbicq_u32(vreinterpretq_u32_f32(g), zero));
}

static void f32_softmax_backward_neon(float *s, float *dp, ptrdiff_t ld, ptrdiff_t rows,
                                      ptrdiff_t columns, const float *scale, const float *shift,
                                      const float *dot) {
  for (ptrdiff_t r = 0; r < rows; r++, s += ld, dp += ld) {
    const float32x4_t f = vdupq_n_f32(scale[r]), m = vdupq_n_f32(-shift[r]);
    const float32x4_t d = vdupq_n_f32(dot[r]);
    float32x4_t p;
    ptrdiff_t j = 0;
    for (; j + L <= columns; j += L) {
      float32x4_t g = softmax_backward4(vld1q_f32(s + j), vld1q_f32(dp + j), f, m, d, &p);
      vst1q_f32(s + j, p);
      vst1q_f32(dp + j, g);
    }
    if (j < columns) {
      float xs[4] = {0, 0, 0, 0}, gs[4] = {0, 0, 0, 0};
      ptrdiff_t valid = columns - j;
      for (ptrdiff_t i = 0; i < valid; i++) {
        xs[i] = s[j + i];
        gs[i] = dp[j + i];
      }
      float32x4_t g = softmax_backward4(vld1q_f32(xs), vld1q_f32(gs), f, m, d, &p);
      vst1q_f32(xs, p);
      vst1q_f32(gs, g);
      for (ptrdiff_t i = 0; i < valid; i++) {
        s[j + i] = xs[i];
        dp[j + i] = gs[i];
      }
    }
  }
}

// 8-bit keys, grouped (ATTUNE_I8_KEY_GROUP): keys along the lanes, one group of 8 in two
// vectors. Each feature is one 8-byte load, widened (`sxtl` twice, `scvtf`) to 8 keys' values,
// and each row's query feeds 2 multiply-adds by element. Even and odd features go to separate
// accumulators: 4 rows × 2 halves × 2 = 16 independent chains, as many as `decode_group`'s 4 × 4
// (4 pipes of latency 4 on Apple's cores), beside 8 running scores and the key vectors (28 of the
// 32 registers). At the end of each block of 32 features the block's scales weigh its sums once
// per group, not once per key.
static inline void widen_group8(const int8_t *b, float32x4_t *lo, float32x4_t *hi) {
  int16x8_t w = vmovl_s8(vld1_s8(b));
  *lo = vcvtq_f32_s32(vmovl_s16(vget_low_s16(w)));
  *hi = vcvtq_f32_s32(vmovl_s16(vget_high_s16(w)));
}

static void i8_decode_neon(const float *q, ptrdiff_t ldq, int rows, const int8_t *k, ptrdiff_t ldk,
                           const float *scales, ptrdiff_t keys, ptrdiff_t dk, float *s,
                           ptrdiff_t lds, const void *lead) {
  enum { G = ATTUNE_I8_KEY_GROUP };
  const ptrdiff_t blocks = (dk + ATTUNE_I8_BLOCK - 1) / ATTUNE_I8_BLOCK;
  const ptrdiff_t groups = (keys + G - 1) / G;
  const float *a[DR];
  for (int i = 0; i < DR; i++) a[i] = i < rows ? q + i * ldq : q;
  for (ptrdiff_t g = 0; g * G < keys; g++) {
    attune_lead_part(lead, g, groups);
    const int8_t *kg = k + g * G * ldk;
    const float *fg = scales + g * G * blocks;
    float32x4_t t[DR][2];
    for (int i = 0; i < DR; i++) t[i][0] = t[i][1] = vdupq_n_f32(0);
    for (ptrdiff_t b = 0; b < blocks; b++) {
      float32x4_t x[DR][2][2];  // [row][half of the group][even, odd feature]
      for (int i = 0; i < DR; i++)
        for (int h = 0; h < 2; h++) x[i][h][0] = x[i][h][1] = vdupq_n_f32(0);
      const ptrdiff_t end = (b + 1) * ATTUNE_I8_BLOCK < dk ? (b + 1) * ATTUNE_I8_BLOCK : dk;
      ptrdiff_t c = b * ATTUNE_I8_BLOCK;
      for (; c + 2 <= end; c += 2) {
        float32x4_t y0, y1, z0, z1;
        widen_group8(kg + c * G, &y0, &y1);
        widen_group8(kg + (c + 1) * G, &z0, &z1);
        for (int i = 0; i < DR; i++) {
          x[i][0][0] = vfmaq_n_f32(x[i][0][0], y0, a[i][c]);
          x[i][1][0] = vfmaq_n_f32(x[i][1][0], y1, a[i][c]);
          x[i][0][1] = vfmaq_n_f32(x[i][0][1], z0, a[i][c + 1]);
          x[i][1][1] = vfmaq_n_f32(x[i][1][1], z1, a[i][c + 1]);
        }
      }
      if (c < end) {
        float32x4_t y0, y1;
        widen_group8(kg + c * G, &y0, &y1);
        for (int i = 0; i < DR; i++) {
          x[i][0][0] = vfmaq_n_f32(x[i][0][0], y0, a[i][c]);
          x[i][1][0] = vfmaq_n_f32(x[i][1][0], y1, a[i][c]);
        }
      }
      float32x4_t f0 = vld1q_f32(fg + b * G), f1 = vld1q_f32(fg + b * G + 4);
      for (int i = 0; i < DR; i++) {
        t[i][0] = vfmaq_f32(t[i][0], vaddq_f32(x[i][0][0], x[i][0][1]), f0);
        t[i][1] = vfmaq_f32(t[i][1], vaddq_f32(x[i][1][0], x[i][1][1]), f1);
      }
    }
    const int valid = keys - g * G < G ? (int)(keys - g * G) : G;
    for (int i = 0; i < rows; i++) {
      float *o = s + i * lds + g * G;
      if (valid == G) {
        vst1q_f32(o, t[i][0]);
        vst1q_f32(o + 4, t[i][1]);
      } else {
        float lanes[G];
        vst1q_f32(lanes, t[i][0]);
        vst1q_f32(lanes + 4, t[i][1]);
        for (int j = 0; j < valid; j++) o[j] = lanes[j];
      }
    }
  }
}

// Widening the KV cache's half-precision and 8-bit rows: 4 floats per step (`fcvtl`, and
// `sxtl` twice then `scvtf`), scalar tails.
static void f16_widen_neon(const uint16_t *src, ptrdiff_t ld_src, ptrdiff_t rows,
                           ptrdiff_t columns, float *dst, ptrdiff_t ld_dst) {
  for (ptrdiff_t r = 0; r < rows; r++, src += ld_src, dst += ld_dst) {
    ptrdiff_t c = 0;
    for (; c + L <= columns; c += L)
      vst1q_f32(dst + c, vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(src + c))));
    for (; c < columns; c++) dst[c] = attune_f32_from_f16(src[c]);
  }
}

static void i8_widen_neon(const int8_t *src, ptrdiff_t ld_src, const float *scales,
                          ptrdiff_t rows, ptrdiff_t columns, float *dst, ptrdiff_t ld_dst) {
  ptrdiff_t blocks = (columns + ATTUNE_I8_BLOCK - 1) / ATTUNE_I8_BLOCK;
  for (ptrdiff_t r = 0; r < rows; r++, src += ld_src, dst += ld_dst, scales += blocks) {
    ptrdiff_t c = 0;
    for (ptrdiff_t b = 0; b < blocks; b++) {
      float scale = scales[b];
      ptrdiff_t end = (b + 1) * ATTUNE_I8_BLOCK < columns ? (b + 1) * ATTUNE_I8_BLOCK : columns;
      for (; c + 8 <= end; c += 8) {
        int16x8_t x = vmovl_s8(vld1_s8(src + c));
        vst1q_f32(dst + c, vmulq_n_f32(vcvtq_f32_s32(vmovl_s16(vget_low_s16(x))), scale));
        vst1q_f32(dst + c + 4, vmulq_n_f32(vcvtq_f32_s32(vmovl_s16(vget_high_s16(x))), scale));
      }
      for (; c < end; c++) dst[c] = scale * (float)src[c];
    }
  }
}

const attune_micro_kernel_entry attune_neon_entry = {
    .name = "neon",
    .score_rows = SR, .panel_keys = PK,
    .product_rows = PR, .product_columns = PC,
    .lanes = L,
    .decode_rows = DR, .decode_keys = DK, .decode_ahead = DECODE_AHEAD,
    .default_block_q = 48, .default_block_k = 512,
    .scores = f32_scores_8x12_neon,
    .products = f32_products_6x16_neon,
    .products_t = f32_products_t_6x16_neon,
    .softmax_backward = f32_softmax_backward_neon,
    .decode = f32_decode_4x4_neon,
    .scale_max = f32_scale_max_neon,
    .exp_sum = f32_exp_sum_neon,
    .multiply = f32_multiply_neon,
    .widen_f16 = f16_widen_neon,
    .widen_i8 = i8_widen_neon,
    .decode_i8 = i8_decode_neon,
};

#endif
