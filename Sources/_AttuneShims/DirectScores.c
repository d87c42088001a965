#include "AttuneShims.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

bool attune_avx512_available(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
}

// Sums of each 256-bit half: [a.lo + a.hi (8 lanes) | b.lo + b.hi (8 lanes)].
__attribute__((target("avx512f"), always_inline)) static inline __m512 fold256(__m512 a, __m512 b) {
  return _mm512_add_ps(_mm512_shuffle_f32x4(a, b, _MM_SHUFFLE(1, 0, 1, 0)),
                       _mm512_shuffle_f32x4(a, b, _MM_SHUFFLE(3, 2, 3, 2)));
}

// From [A | B] and [C | D] (8 partial sums each): [A | B | C | D] with 4 partial sums each.
__attribute__((target("avx512f"), always_inline)) static inline __m512 fold128(__m512 a, __m512 b) {
  return _mm512_add_ps(_mm512_shuffle_f32x4(a, b, _MM_SHUFFLE(2, 0, 2, 0)),
                       _mm512_shuffle_f32x4(a, b, _MM_SHUFFLE(3, 1, 3, 1)));
}

// In each 128-bit lane, from a's and b's 4 partial sums: a's 2, then b's 2.
__attribute__((target("avx512f"), always_inline)) static inline __m512 fold64(__m512 a, __m512 b) {
  __m512d x = _mm512_castps_pd(a), y = _mm512_castps_pd(b);
  return _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(x, y)),
                       _mm512_castpd_ps(_mm512_unpackhi_pd(x, y)));
}

// In each 128-bit lane, from [a0 a1 a2 a3] and [b0 b1 b2 b3]: [a0+a1, a2+a3, b0+b1, b2+b3].
__attribute__((target("avx512f"), always_inline)) static inline __m512 fold32(__m512 a, __m512 b) {
  return _mm512_add_ps(_mm512_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)),
                       _mm512_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1)));
}

// 4 × 4 accumulators x[r][j]; each step loads 4 key chunks and 4 query chunks for 16
// multiply-adds. The reduction feeds accumulator r + 4j as the (r + 4j)-th input of a fold tree
// whose output lane 4r + j is that input's sum.
__attribute__((target("avx512f")))
void attune_direct_scores(const float *q, ptrdiff_t ldq, int rows, const float *k, ptrdiff_t ldk,
                          int keys, ptrdiff_t dk, float *s, ptrdiff_t lds) {
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
    __mmask16 tail = (__mmask16)((1u << (dk - c)) - 1);
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
  __mmask16 stored = (__mmask16)((1u << keys) - 1);
  // Row r is 128-bit lane r: 4 consecutive scores.
  _mm512_mask_storeu_ps(s, stored, sums);
  if (rows > 1) _mm512_mask_storeu_ps(s + lds - 4, (__mmask16)(stored << 4), sums);
  if (rows > 2) _mm512_mask_storeu_ps(s + 2 * lds - 8, (__mmask16)(stored << 8), sums);
  if (rows > 3) _mm512_mask_storeu_ps(s + 3 * lds - 12, (__mmask16)(stored << 12), sums);
}

#else

bool attune_avx512_available(void) { return false; }

void attune_direct_scores(const float *q, ptrdiff_t ldq, int rows, const float *k, ptrdiff_t ldk,
                          int keys, ptrdiff_t dk, float *s, ptrdiff_t lds) {
  (void)q; (void)ldq; (void)rows; (void)k; (void)ldk; (void)keys; (void)dk; (void)s; (void)lds;
}

#endif
