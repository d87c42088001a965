// One thread, operands in cache: how fast each micro-kernel of one x86-64 entry runs, as a share
// of this core's peak of vector multiply-adds measured in the same run (independent chains of
// FMAs and nothing else). Built and run by scripts/bench/micro_kernel_speed.sh; not a test.
//
// Shapes: the backward's tiles (64 x 64 x 64: `scores` over 4 panels, `products`, `products_t`)
// and a decoding page (4 stacked rows x 256 keys x 128: `decode`, `decode_i8` (the keys as 32
// groups of 8, the KV cache's layout for 8-bit keys), `products` when streaming, `products_i8`). Each is timed `rounds` times, alternating, and the best is kept:
// the machine is shared and other tenants only ever slow a run down.

#include "AttuneMicroKernels.h"

#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static float *floats(size_t n, float value) {
  float *p = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
  for (size_t i = 0; i < n; i++) p[i] = value * (float)(i % 7 + 1);
  return p;
}

// FLOP/s of 12 independent FMA chains of `width` bits (no loads): the core's peak.
__attribute__((target("avx2,fma"))) static double peak_avx2(long steps) {
  __m256 x[12], b = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
  for (int i = 0; i < 12; i++) x[i] = _mm256_set1_ps((float)i);
  double t0 = now();
  for (long k = 0; k < steps; k++)
    for (int i = 0; i < 12; i++) x[i] = _mm256_fmadd_ps(x[i], b, c);
  double t = now() - t0;
  float sink[8];
  __m256 s = x[0];
  for (int i = 1; i < 12; i++) s = _mm256_add_ps(s, x[i]);
  _mm256_storeu_ps(sink, s);
  if (sink[0] == 12345.0f) puts("");
  return 12.0 * 16.0 * (double)steps / t;
}

__attribute__((target("avx512f"))) static double peak_avx512(long steps) {
  __m512 x[12], b = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
  for (int i = 0; i < 12; i++) x[i] = _mm512_set1_ps((float)i);
  double t0 = now();
  for (long k = 0; k < steps; k++)
    for (int i = 0; i < 12; i++) x[i] = _mm512_fmadd_ps(x[i], b, c);
  double t = now() - t0;
  __m512 s = x[0];
  for (int i = 1; i < 12; i++) s = _mm512_add_ps(s, x[i]);
  if (_mm512_reduce_add_ps(s) == 12345.0f) puts("");
  return 12.0 * 32.0 * (double)steps / t;
}

enum { OPERATIONS = 7 };
static const char *names[OPERATIONS] = {
    "scores, 64 rows x 4 panels, dk 64", "products, 64 x 64 keys x 64",
    "products_t, 64 x 64 keys x 64", "decode, 4 rows x 256 keys x 128",
    "decode_i8, 4 rows x 256 keys x 128", "products streaming, 4 x 256 x 128",
    "products_i8, 4 x 256 x 128"};

int main(int argc, char **argv) {
  int avx512 = argc > 1 && strcmp(argv[1], "avx512") == 0;
  int rounds = argc > 2 ? atoi(argv[2]) : 7;
  attune_isa isa = avx512 ? ATTUNE_ISA_AVX512F : ATTUNE_ISA_AVX2_FMA;
  if (!attune_isa_supported(isa)) {
    fprintf(stderr, "error: this CPU does not run %s\n", avx512 ? "AVX-512F" : "AVX2 + FMA");
    return 2;
  }
  const attune_micro_kernel_entry *e = attune_micro_kernels(isa);
  const int n = 64, d = 64, rows = 4, keys = 256, dk = 128;
  float *q = floats(n * d, 0.01f), *k = floats(n * d, 0.02f), *s = floats(n * n, 0.001f);
  float *acc = floats(n * d, 0), *v = floats(n * d, 0.02f);
  float *dq = floats(rows * dk, 0.01f), *ds = floats(rows * keys, 0.001f), *dacc = floats(rows * dk, 0);
  float *kf = floats(keys * dk, 0.01f), *scales = floats(keys * (dk / ATTUNE_I8_BLOCK), 0.01f);
  int8_t *k8 = aligned_alloc(64, keys * dk);
  for (int i = 0; i < keys * dk; i++) k8[i] = (int8_t)(i % 200 - 100);
  const double tile = 2.0 * n * n * d, page = 2.0 * rows * keys * dk;
  const long calls[OPERATIONS] = {4000, 4000, 4000, 4000, 4000, 4000, 4000};
  const double flops[OPERATIONS] = {tile, tile, tile, page, page, page, page};
  double best[OPERATIONS] = {0}, peak = 0;
  for (int round = 0; round < rounds; round++) {
    double p = avx512 ? peak_avx512(20000000) : peak_avx2(20000000);
    if (p > peak) peak = p;
    for (int op = 0; op < OPERATIONS; op++) {
      double t0 = now();
      for (long c = 0; c < calls[op]; c++) switch (op) {
        case 0:
          for (int panel = 0; panel < n / e->panel_keys; panel++)
            e->scores(q, d, n, k + panel * e->panel_keys * d, d, s + panel * e->panel_keys, n, 0);
          break;
        case 1: e->products(s, n, n, v, d, n, d, acc, d, 0); break;
        case 2: e->products_t(s, n, n, v, d, n, d, acc, d); break;
        case 3: e->decode(dq, dk, rows, kf, dk, keys, dk, ds, keys); break;
        case 4: e->decode_i8(dq, dk, rows, k8, dk, scales, keys, dk, ds, keys, 0); break;
        case 5: e->products(ds, keys, rows, kf, dk, keys, dk, dacc, dk, 1); break;
        default: e->products_i8(ds, keys, rows, k8, dk, scales, keys, dk, dacc, dk, 0); break;
        }
      double rate = flops[op] * (double)calls[op] / (now() - t0);
      if (rate > best[op]) best[op] = rate;
    }
  }
  printf("entry %s, one thread, best of %d alternated rounds\n", e->name, rounds);
  printf("  %-38s %7.1f GFLOP/s\n", "peak (independent FMAs)", peak / 1e9);
  for (int op = 0; op < OPERATIONS; op++) {
    if ((op == 4 || op == 6) && !e->decode_i8) continue;
    printf("  %-38s %7.1f GFLOP/s  %5.1f %% of peak\n", names[op], best[op] / 1e9,
           100 * best[op] / peak);
  }
  return 0;
}
