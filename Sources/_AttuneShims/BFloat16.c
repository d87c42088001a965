#include "AttuneShims.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

bool attune_bf16_dot_available(void) {
  __builtin_cpu_init();
  // The runtime sets these only when the OS saves the AVX-512 state.
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bf16");
}

// Two 16-key halves per row, up to eight rows: 16 accumulators, two panel loads and eight
// broadcasts per pair of features. Rows past `rows` repeat row 0 and are not stored.
__attribute__((target("avx512f,avx512bf16")))
void attune_bf16_scores(const uint32_t *q, ptrdiff_t ldq, int rows, const uint32_t *panel,
                        ptrdiff_t pairs, float *s, ptrdiff_t lds) {
  enum { R = ATTUNE_BF16_SCORE_ROWS };
  const uint32_t *a[R];
  __m512 c0[R], c1[R];
  for (int r = 0; r < R; r++) {
    a[r] = r < rows ? q + r * ldq : q;
    c0[r] = _mm512_setzero_ps();
    c1[r] = _mm512_setzero_ps();
  }
  const uint32_t *b = panel;
  for (ptrdiff_t p = 0; p < pairs; p++, b += 32) {
    __m512bh k0 = (__m512bh)_mm512_loadu_si512((const void *)b);
    __m512bh k1 = (__m512bh)_mm512_loadu_si512((const void *)(b + 16));
    for (int r = 0; r < R; r++) {
      __m512bh x = (__m512bh)_mm512_set1_epi32((int)a[r][p]);
      c0[r] = _mm512_dpbf16_ps(c0[r], x, k0);
      c1[r] = _mm512_dpbf16_ps(c1[r], x, k1);
    }
  }
  for (int r = 0; r < R; r++) {
    if (r < rows) {
      _mm512_storeu_ps(s + r * lds, c0[r]);
      _mm512_storeu_ps(s + r * lds + 16, c1[r]);
    }
  }
}

#else

// No bfloat16 dot product on this architecture: AttuneKernels uses its Float32 fallback.
bool attune_bf16_dot_available(void) { return false; }

void attune_bf16_scores(const uint32_t *q, ptrdiff_t ldq, int rows, const uint32_t *panel,
                        ptrdiff_t pairs, float *s, ptrdiff_t lds) {
  (void)q; (void)ldq; (void)rows; (void)panel; (void)pairs; (void)s; (void)lds;
}

#endif
