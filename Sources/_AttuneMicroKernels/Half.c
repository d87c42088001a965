// Half-precision conversions and the portable widening loops (no instruction set needed): the
// KV cache rounds appended keys and values with them, and the portable entry widens with them.

#include "AttuneMicroKernels.h"

#include <string.h>

uint16_t attune_f16_from_f32(float x) {
  uint32_t f;
  memcpy(&f, &x, sizeof f);
  uint32_t sign = (f >> 16) & 0x8000u;
  uint32_t magnitude = f & 0x7fffffffu;
  if (magnitude >= 0x7f800000u)  // infinity, or NaN (kept quiet, with a payload bit)
    return (uint16_t)(sign | 0x7c00u | (magnitude > 0x7f800000u ? 0x0200u : 0));
  if (magnitude >= 0x477ff000u)  // at or past 65520, the midpoint above 65504: infinity
    return (uint16_t)(sign | 0x7c00u);
  if (magnitude < 0x38800000u) {  // below 2^-14: a subnormal half, or zero
    if (magnitude < 0x33000000u) return (uint16_t)sign;  // at most 2^-25, half the least: to 0
    uint32_t mantissa = (magnitude & 0x007fffffu) | 0x00800000u;
    int shift = 126 - (int)(magnitude >> 23);  // 14 ... 24 bits dropped
    uint32_t kept = mantissa >> shift, rest = mantissa & ((1u << shift) - 1u);
    uint32_t half = 1u << (shift - 1);
    if (rest > half || (rest == half && (kept & 1u))) kept++;
    return (uint16_t)(sign | kept);
  }
  // Normal: rebias the exponent, keep 10 bits, round to nearest even (a carry into the exponent
  // is the right result, up to infinity).
  uint32_t bits = magnitude - 0x38000000u;
  uint32_t kept = bits >> 13, rest = bits & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (kept & 1u))) kept++;
  return (uint16_t)(sign | kept);
}

float attune_f32_from_f16(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu, f;
  if (exponent == 0x1fu) {
    f = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {
    f = sign | ((exponent + 112u) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    f = sign;
  } else {  // subnormal: normalise
    int e = -1;
    do { mantissa <<= 1; e++; } while (!(mantissa & 0x400u));
    f = sign | ((uint32_t)(112 - e) << 23) | ((mantissa & 0x3ffu) << 13);
  }
  float x;
  memcpy(&x, &f, sizeof x);
  return x;
}

void attune_f16_widen_portable(const uint16_t *src, ptrdiff_t ld_src, ptrdiff_t rows,
                               ptrdiff_t columns, float *dst, ptrdiff_t ld_dst) {
  for (ptrdiff_t r = 0; r < rows; r++)
    for (ptrdiff_t c = 0; c < columns; c++) dst[r * ld_dst + c] = attune_f32_from_f16(src[r * ld_src + c]);
}

void attune_i8_widen_portable(const int8_t *src, ptrdiff_t ld_src, const float *scales,
                              ptrdiff_t rows, ptrdiff_t columns, float *dst, ptrdiff_t ld_dst) {
  ptrdiff_t blocks = (columns + ATTUNE_I8_BLOCK - 1) / ATTUNE_I8_BLOCK;
  for (ptrdiff_t r = 0; r < rows; r++)
    for (ptrdiff_t c = 0; c < columns; c++)
      dst[r * ld_dst + c] = scales[r * blocks + c / ATTUNE_I8_BLOCK] * (float)src[r * ld_src + c];
}

void attune_i8_widen_keys_portable(const int8_t *src, ptrdiff_t ld_src, const float *scales,
                                   ptrdiff_t rows, ptrdiff_t columns, float *dst,
                                   ptrdiff_t ld_dst) {
  const ptrdiff_t G = ATTUNE_I8_KEY_GROUP;
  ptrdiff_t blocks = (columns + ATTUNE_I8_BLOCK - 1) / ATTUNE_I8_BLOCK;
  for (ptrdiff_t r = 0; r < rows; r++) {
    const int8_t *group = src + r / G * G * ld_src;
    const float *scale = scales + r / G * G * blocks;
    for (ptrdiff_t c = 0; c < columns; c++)
      dst[r * ld_dst + c] = scale[c / ATTUNE_I8_BLOCK * G + r % G] * (float)group[c * G + r % G];
  }
}
