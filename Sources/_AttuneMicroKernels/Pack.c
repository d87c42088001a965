// Packing K into the score micro-kernels' panels, for every entry: 4 × 4 blocks transposed in
// the architecture's baseline vectors (SSE on x86-64, NEON on arm64: no instruction set to check,
// no compiler flag), scalar elsewhere and for the edges.

#include "AttuneMicroKernels.h"

#if defined(__x86_64__) && defined(__SSE2__)
#include <xmmintrin.h>
#define ATTUNE_PACK_4X4 1
typedef __m128 quad;
static inline quad load4(const float *p) { return _mm_loadu_ps(p); }
static inline void store4(float *p, quad v) { _mm_storeu_ps(p, v); }
// The columns of the 4 × 4 block whose rows are a0 ... a3.
static inline void transpose4(quad *a0, quad *a1, quad *a2, quad *a3) {
  quad t0 = _mm_unpacklo_ps(*a0, *a1), t1 = _mm_unpacklo_ps(*a2, *a3);  // a0[0] a1[0] a0[1] a1[1]
  quad t2 = _mm_unpackhi_ps(*a0, *a1), t3 = _mm_unpackhi_ps(*a2, *a3);  // a0[2] a1[2] a0[3] a1[3]
  *a0 = _mm_movelh_ps(t0, t1);
  *a1 = _mm_movehl_ps(t1, t0);
  *a2 = _mm_movelh_ps(t2, t3);
  *a3 = _mm_movehl_ps(t3, t2);
}
#elif defined(__aarch64__) && defined(__ARM_NEON)
#include <arm_neon.h>
#define ATTUNE_PACK_4X4 1
typedef float32x4_t quad;
static inline quad load4(const float *p) { return vld1q_f32(p); }
static inline void store4(float *p, quad v) { vst1q_f32(p, v); }
static inline void transpose4(quad *a0, quad *a1, quad *a2, quad *a3) {
  float32x4x2_t t01 = vtrnq_f32(*a0, *a1);  // a0[0] a1[0] a0[2] a1[2], a0[1] a1[1] a0[3] a1[3]
  float32x4x2_t t23 = vtrnq_f32(*a2, *a3);
  *a0 = vcombine_f32(vget_low_f32(t01.val[0]), vget_low_f32(t23.val[0]));
  *a1 = vcombine_f32(vget_low_f32(t01.val[1]), vget_low_f32(t23.val[1]));
  *a2 = vcombine_f32(vget_high_f32(t01.val[0]), vget_high_f32(t23.val[0]));
  *a3 = vcombine_f32(vget_high_f32(t01.val[1]), vget_high_f32(t23.val[1]));
}
#endif

void attune_pack_panel(const float *rows, ptrdiff_t ld, ptrdiff_t keys, ptrdiff_t dk, float *panel,
                       ptrdiff_t panel_keys) {
  ptrdiff_t j = 0;
#if defined(ATTUNE_PACK_4X4)
  // Four keys at a time: four features of each loaded, transposed, and stored as four features'
  // runs of four keys.
  for (; j + 4 <= keys; j += 4) {
    const float *r0 = rows + j * ld, *r1 = r0 + ld, *r2 = r1 + ld, *r3 = r2 + ld;
    float *out = panel + j;
    ptrdiff_t c = 0;
    for (; c + 4 <= dk; c += 4) {
      quad a0 = load4(r0 + c), a1 = load4(r1 + c), a2 = load4(r2 + c), a3 = load4(r3 + c);
      transpose4(&a0, &a1, &a2, &a3);
      store4(out + c * panel_keys, a0);
      store4(out + (c + 1) * panel_keys, a1);
      store4(out + (c + 2) * panel_keys, a2);
      store4(out + (c + 3) * panel_keys, a3);
    }
    for (; c < dk; c++) {
      float *o = out + c * panel_keys;
      o[0] = r0[c];
      o[1] = r1[c];
      o[2] = r2[c];
      o[3] = r3[c];
    }
  }
#endif
  for (; j < keys; j++)
    for (ptrdiff_t c = 0; c < dk; c++) panel[c * panel_keys + j] = rows[j * ld + c];
  if (keys < panel_keys)
    for (ptrdiff_t c = 0; c < dk; c++)
      for (ptrdiff_t z = keys; z < panel_keys; z++) panel[c * panel_keys + z] = 0;
}
