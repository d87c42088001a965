// The NEON micro-kernels (Sources/_AttuneMicroKernels) against double-precision references, with
// sentinels past everything each may write: built for aarch64 and run under qemu by
// scripts/ci/check_neon_under_qemu.sh (the Swift tests run the entry natively on arm64 machines).
//
// Prints one line per operation and "N passed, N failed"; exits 1 on any failure.

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "AttuneMicroKernels.h"

static const float SENTINEL = 12345.0f;
static int passed, failed;
static uint64_t state = 0x9E3779B97F4A7C15ull;

static float gaussian(void) {
  // Sum of 4 uniforms, centred: enough spread for these checks.
  double s = 0;
  for (int i = 0; i < 4; i++) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    s += (double)(state >> 11) / (double)(1ull << 53);
  }
  return (float)((s - 2.0) * 1.7);
}

static void check(int ok, const char *what, int a, int b, int c) {
  if (ok) {
    passed++;
  } else {
    failed++;
    if (failed <= 20) fprintf(stderr, "FAIL %s (%d, %d, %d)\n", what, a, b, c);
  }
}

// Not inlined: GCC 14 otherwise misjudges the size of some calls (-Walloc-size-larger-than).
static __attribute__((noinline)) float *filled(size_t n, int random) {
  float *p = malloc(n * sizeof(float));
  for (size_t i = 0; i < n; i++) p[i] = random ? gaussian() : SENTINEL;
  return p;
}

// Scores `s` (rows `lds` apart, `capacity` rows) of `rows` queries `q` (rows `ldq` apart)
// against `keys` keys, key j's feature c at `k[j * key_stride + c * feature_stride]`, against
// double within `terms` roundings of the products' magnitude; every other entry must hold the
// sentinel.
static void check_scores(const float *s, int lds, int capacity, int rows, int keys, const float *q,
                         int ldq, const float *k, int key_stride, int feature_stride, int dk,
                         int terms, const char *what) {
  for (int r = 0; r < capacity; r++)
    for (int j = 0; j < lds; j++) {
      float got = s[r * lds + j];
      if (r >= rows || j >= keys) {
        check(got == SENTINEL, what, rows, keys, -dk);  // a negative width: the sentinel
        continue;
      }
      double want = 0, magnitude = 0;
      for (int c = 0; c < dk; c++) {
        double x = (double)q[r * ldq + c] * k[j * key_stride + c * feature_stride];
        want += x;
        magnitude += fabs(x);
      }
      check(fabs(got - want) <= terms * 1.2e-7 * magnitude, what, rows, keys, dk);
    }
}

static void test_scores(const attune_micro_kernel_entry *e) {
  const int dks[] = {1, 7, 16, 63, 64, 65, 130, 576, 1024};
  for (size_t t = 0; t < sizeof dks / sizeof dks[0]; t++) {
    int dk = dks[t], keys = e->panel_keys, ldq = dk + 3, lds = keys + 5;
    float *panel = filled((size_t)dk * keys, 1);
    int most = 2 * e->score_rows + 1;  // several register tiles, the last partial
    for (int rows = 1; rows <= most; rows++) {
      float *q = filled((size_t)rows * ldq, 1);
      float *s = filled((size_t)(most + 1) * lds, 0);
      // Every other row count folds the row maxima into lanes that start at -inf, at a
      // score-sized value, or above every score.
      int lanes = e->lanes, folds = rows % 2 == 0;
      float *row_max = filled((size_t)(most + 1) * lanes, 0);
      for (int i = 0; i < rows * lanes; i++) row_max[i] = i % 3 == 0 ? -INFINITY : i % 3 == 1 ? gaussian() : 1e30f;
      float *initial = malloc((size_t)(most + 1) * lanes * sizeof(float));
      memcpy(initial, row_max, (size_t)(most + 1) * lanes * sizeof(float));
      e->scores(q, ldq, rows, panel, dk, s, lds, folds ? row_max : 0);
      for (int i = 0; i < (most + 1) * lanes; i++) {
        int r = i / lanes, lane = i % lanes;
        float want = initial[i];
        if (folds && r < rows)
          for (int j = lane; j < keys; j += lanes)
            if (s[r * lds + j] > want) want = s[r * lds + j];
        check(row_max[i] == want, "scores: row maximum", rows, dk, i);
      }
      free(row_max);
      free(initial);
      int terms = (dk < 64 ? dk : 64) + (dk + 63) / 64 + 1;
      check_scores(s, lds, most + 1, rows, keys, q, ldq, panel, 1, keys, dk, terms, "scores");
      free(q);
      free(s);
    }
    free(panel);
  }
}

static void test_products(const attune_micro_kernel_entry *e) {
  const int counts[] = {1, 5, 33};
  for (int m = 1; m <= 9; m++) {
    int columns = m * e->lanes, ldv = columns + e->lanes, ldacc = columns + e->lanes;
    for (size_t t = 0; t < 3; t++) {
      int count = counts[t], ldp = count + 2;
      int most = 2 * e->product_rows + 1;
      float *p = filled((size_t)most * ldp, 1);
      float *v = filled((size_t)count * ldv, 1);
      for (int rows = 1; rows <= most; rows++) {
        size_t n = (size_t)(most + 1) * ldacc;
        float *acc = filled(n, 0), *before = malloc(n * sizeof(float));
        for (int r = 0; r < rows; r++)
          for (int c = 0; c < columns; c++) acc[r * ldacc + c] = gaussian();
        memcpy(before, acc, n * sizeof(float));
        e->products(p, ldp, rows, v, ldv, count, columns, acc, ldacc, (rows + count) % 2);
        // products_t on P transposed (row j of pt holds p[0...most - 1][j]) adds the same sums.
        float *twice = malloc(n * sizeof(float)), *pt = filled((size_t)count * (most + 3), 0);
        memcpy(twice, before, n * sizeof(float));
        for (int r = 0; r < most; r++)
          for (int j = 0; j < count; j++) pt[j * (most + 3) + r] = p[r * ldp + j];
        e->products_t(pt, most + 3, rows, v, ldv, count, columns, twice, ldacc);
        for (int r = 0; r <= most; r++)
          for (int c = 0; c < ldacc; c++) {
            float got = acc[r * ldacc + c];
            if (r >= rows || c >= columns) {
              check(got == before[r * ldacc + c], "products: sentinel", rows, columns, c);
              continue;
            }
            double want = before[r * ldacc + c], magnitude = fabs(want);
            for (int j = 0; j < count; j++) {
              double x = (double)p[r * ldp + j] * v[j * ldv + c];
              want += x;
              magnitude += fabs(x);
            }
            check(fabs(got - want) <= (count + 2) * 1.2e-7 * magnitude, "products", rows, count, c);
            check(fabs(twice[r * ldacc + c] - want) <= (count + 2) * 1.2e-7 * magnitude,
                  "products_t", rows, count, c);
          }
        for (int r = 0; r <= most; r++)
          for (int c = 0; c < ldacc; c++)
            if (r >= rows || c >= columns)
              check(twice[r * ldacc + c] == before[r * ldacc + c], "products_t: sentinel", rows,
                    columns, c);
        free(twice);
        free(pt);
        free(acc);
        free(before);
      }
      free(p);
      free(v);
    }
  }
}

static void test_decode(const attune_micro_kernel_entry *e) {
  const int dks[] = {1, 3, 4, 5, 15, 16, 17, 64, 65, 128, 130};
  for (size_t t = 0; t < sizeof dks / sizeof dks[0]; t++) {
    int dk = dks[t], ldk = dk + 1, lds = 3 * e->decode_keys + 4;
    for (int rows = 1; rows <= e->decode_rows; rows++)
      for (int keys = 1; keys <= 3 * e->decode_keys + 1; keys++) {
        float *q = filled((size_t)rows * dk, 1), *k = filled((size_t)keys * ldk, 1);
        float *s = filled((size_t)(e->decode_rows + 1) * lds, 0);
        e->decode(q, dk, rows, k, ldk, keys, dk, s, lds);
        check_scores(s, lds, e->decode_rows + 1, rows, keys, q, dk, k, ldk, 1, dk, dk + 16,
                     "decode");
        free(q);
        free(k);
        free(s);
      }
  }
}

static void test_row_passes(const attune_micro_kernel_entry *e) {
  const int counts[] = {0, 1, 3, 4, 5, 7, 8, 9, 16, 17, 33, 100};
  for (size_t t = 0; t < sizeof counts / sizeof counts[0]; t++) {
    int count = counts[t], pad = 12;
    for (int with_bias = 0; with_bias < 2; with_bias++) {
      float *row = filled((size_t)count + pad, 0), *bias = filled((size_t)count + 1, 1);
      for (int j = 0; j < count; j++) row[j] = 30 * gaussian();
      if (count > 3) {
        row[1] = -INFINITY;
        row[2] = NAN;
      }
      float *original = malloc(((size_t)count + pad) * sizeof(float));
      memcpy(original, row, ((size_t)count + pad) * sizeof(float));
      float scale = 0.37f;
      float best = e->scale_max(row, with_bias ? bias : NULL, count, scale);
      float want_max = -INFINITY;
      for (int j = 0; j < count; j++) {
        float want = original[j] * scale + (with_bias ? bias[j] : 0.0f);
        int same = row[j] == want || (isnan(row[j]) && isnan(want)) ||
                   fabsf(row[j] - want) <= 2 * fabsf(want) * 1.2e-7f;
        check(same, "scale_max: entry", count, with_bias, j);
        if (want > want_max) want_max = want;
      }
      check(best == want_max || fabsf(best - want_max) <= 2 * fabsf(want_max) * 1.2e-7f,
            "scale_max: maximum", count, with_bias, 0);
      for (int j = count; j < count + pad; j++) check(row[j] == SENTINEL, "scale_max: sentinel", count, with_bias, j);

      if (!with_bias) {
        // The scale folded into the exponentials, from the raw row: e^(x * scale - best), the
        // argument rounded once.
        float *folded = malloc(((size_t)count + pad) * sizeof(float));
        memcpy(folded, original, ((size_t)count + pad) * sizeof(float));
        for (int j = count; j < count + pad; j++) folded[j] = SENTINEL;
        float folded_sum = e->exp_sum(folded, count, best, scale);
        double want_folded = 0;
        for (int j = 0; j < count; j++) {
          float x = (float)((double)original[j] * scale - best);
          if (isnan(x)) {
            check(isnan(folded[j]), "exp_sum, scale folded: NaN stays NaN", count, 0, j);
            continue;
          }
          double want = exp((double)x);
          want_folded += want;
          double tolerance = want < 1e-37 ? 1.2e-38 : 4e-7 * want;
          check(fabs(folded[j] - want) <= tolerance, "exp_sum, scale folded: entry", count, 0, j);
        }
        if (count <= 3)
          check(fabs(folded_sum - want_folded) <= 1e-6 * (want_folded > 1 ? want_folded : 1), "exp_sum, scale folded: sum", count, 0, 0);
        for (int j = count; j < count + pad; j++) check(folded[j] == SENTINEL, "exp_sum, scale folded: sentinel", count, 0, j);
        free(folded);
      }

      float *scaled = malloc(((size_t)count + pad) * sizeof(float));
      memcpy(scaled, row, ((size_t)count + pad) * sizeof(float));
      float sum = e->exp_sum(row, count, best, 1);
      double want_sum = 0;
      for (int j = 0; j < count; j++) {
        float x = scaled[j] - best;
        if (isnan(x)) {
          check(isnan(row[j]), "exp_sum: NaN stays NaN", count, with_bias, j);
          continue;
        }
        double want = exp((double)x);
        want_sum += want;
        double tolerance = want < 1e-37 ? 1.2e-38 : 4e-7 * want;
        check(fabs(row[j] - want) <= tolerance, "exp_sum: entry", count, with_bias, j);
      }
      if (count > 3) {
        check(isnan(sum), "exp_sum: a NaN entry makes the sum NaN", count, with_bias, 0);
      } else {
        check(fabs(sum - want_sum) <= 1e-6 * (want_sum > 1 ? want_sum : 1), "exp_sum: sum", count, with_bias, 0);
      }
      for (int j = count; j < count + pad; j++) check(row[j] == SENTINEL, "exp_sum: sentinel", count, with_bias, j);

      float *acc = filled((size_t)count + pad, 0);
      for (int j = 0; j < count; j++) acc[j] = gaussian();
      memcpy(original, acc, ((size_t)count + pad) * sizeof(float));
      e->multiply(acc, count, 0.25f);
      for (int j = 0; j < count + pad; j++)
        check(acc[j] == (j < count ? original[j] * 0.25f : SENTINEL), "multiply", count, with_bias, j);
      free(row);
      free(bias);
      free(original);
      free(scaled);
      free(acc);
    }
  }
}

// The KV cache's widening: every half bit pattern against the portable conversion (itself
// checked against IEEE values in the Swift tests), and 8-bit rows times their block scales, in
// rows of tail widths; nothing written past a row.
static void test_widen(const attune_micro_kernel_entry *e) {
  static const int widths[] = {1, 7, 8, 15, 16, 31, 32, 33, 64, 65, 130};
  for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
    int columns = widths[w], rows = 3, lds = columns + 3, ldd = columns + 5;
    uint16_t half[3 * 133];
    int8_t bytes[3 * 133];
    float scales[3 * 5], out[3 * 135];
    for (int start = 0; start < 65536; start += rows * lds) {
      for (int i = 0; i < rows * lds; i++) half[i] = (uint16_t)(start + i);
      for (int i = 0; i < rows * ldd; i++) out[i] = SENTINEL;
      e->widen_f16(half, lds, rows, columns, out, ldd);
      for (int r = 0; r < rows; r++)
        for (int c = 0; c < ldd; c++) {
          float got = out[r * ldd + c];
          if (c >= columns) { check(got == SENTINEL, "widen_f16: sentinel", columns, r, c); continue; }
          float want = attune_f32_from_f16(half[r * lds + c]);
          check(got == want || (isnan(got) && isnan(want)), "widen_f16", columns, r, c);
        }
    }
    int blocks = (columns + 31) / 32;
    for (int i = 0; i < rows * lds; i++) bytes[i] = (int8_t)(state = state * 6364136223846793005ull + 1442695040888963407ull, state >> 56);
    for (int i = 0; i < rows * blocks; i++) scales[i] = fabsf(gaussian()) / 127;
    for (int i = 0; i < rows * ldd; i++) out[i] = SENTINEL;
    e->widen_i8(bytes, lds, scales, rows, columns, out, ldd);
    for (int r = 0; r < rows; r++)
      for (int c = 0; c < ldd; c++) {
        float want = c < columns ? scales[r * blocks + c / 32] * (float)bytes[r * lds + c] : SENTINEL;
        check(out[r * ldd + c] == want, "widen_i8", columns, r, c);
      }
  }
}

// The backward's softmax step: P = e^(s · scale − shift) within the exp passes' 4e-7 (and the
// argument's rounding), dS = P · (dP − dot), both exactly 0 at a hidden key (−∞, with dP = ∞
// there) and on a row that sees nothing; nothing written past `columns`.
static void test_softmax_backward(const attune_micro_kernel_entry *e) {
  const int widths[] = {1, 3, 4, 5, 8, 13, 64};
  for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
    int columns = widths[w], ld = columns + 3, rows = 6;
    float *s = filled((size_t)rows * ld, 0), *dp = filled((size_t)rows * ld, 0);
    float *s0 = malloc((size_t)rows * ld * sizeof(float)), *dp0 = malloc((size_t)rows * ld * sizeof(float));
    float scale[6], shift[6], dot[6];
    for (int r = 0; r < rows; r++) {
      scale[r] = r % 2 ? 1.0f : 0.37f;
      dot[r] = gaussian();
      float largest = -INFINITY;
      for (int j = 0; j < columns; j++) {
        s[r * ld + j] = 12 * gaussian();
        dp[r * ld + j] = 3 * gaussian();
        if (s[r * ld + j] * scale[r] > largest) largest = s[r * ld + j] * scale[r];
      }
      if (columns > 2 && r == 1) {
        s[r * ld + 1] = -INFINITY;
        dp[r * ld + 1] = INFINITY;
      }
      shift[r] = largest + 0.5f;
      if (r == 4) {
        for (int j = 0; j < columns; j++) s[r * ld + j] = -INFINITY;
        shift[r] = 0;
      }
    }
    memcpy(s0, s, (size_t)rows * ld * sizeof(float));
    memcpy(dp0, dp, (size_t)rows * ld * sizeof(float));
    e->softmax_backward(s, dp, ld, rows, columns, scale, shift, dot);
    for (int r = 0; r < rows; r++)
      for (int j = 0; j < ld; j++) {
        int i = r * ld + j;
        if (j >= columns) {
          check(s[i] == SENTINEL && dp[i] == SENTINEL, "softmax_backward: sentinel", r, columns, j);
          continue;
        }
        double product = (double)s0[i] * scale[r];
        float argument = (float)(product - shift[r]);
        if (isinf(argument)) {
          check(s[i] == 0 && dp[i] == 0, "softmax_backward: hidden key", r, columns, j);
          continue;
        }
        double want = exp((double)argument);
        double rounding = 2 * 1.2e-7 * (fabs(product) + fabs((double)argument));
        double p_error = want < 1e-37 ? 1.2e-38 : (4e-7 + rounding) * want;
        check(fabs(s[i] - want) <= p_error, "softmax_backward: P", r, columns, j);
        double difference = (double)dp0[i] - dot[r], gradient = want * difference;
        check(fabs(dp[i] - gradient) <= p_error * fabs(difference) + 3.6e-7 * fabs(gradient) + 1e-44,
              "softmax_backward: dS", r, columns, j);
      }
    free(s);
    free(dp);
    free(s0);
    free(dp0);
  }
}

// Scores from 8-bit keys in groups of ATTUNE_I8_KEY_GROUP (AttuneMicroKernels.h), against double
// on the keys widened from that layout, and the portable widening of the same layout; the
// lanes of the last group past `keys` hold large values that must not reach any written score.
static void test_decode_i8(const attune_micro_kernel_entry *e) {
  const int G = ATTUNE_I8_KEY_GROUP, dks[] = {1, 7, 31, 32, 33, 64, 65, 128, 130};
  for (size_t t = 0; t < sizeof dks / sizeof dks[0]; t++) {
    int dk = dks[t], ldk = dk + 2, blocks = (dk + 31) / 32, lds = 3 * G + 4;
    for (int rows = 1; rows <= e->decode_rows; rows++)
      for (int keys = 1; keys <= 3 * G + 1; keys++) {
        int groups = (keys + G - 1) / G;
        int8_t *k = malloc((size_t)groups * G * ldk);
        float *scales = malloc((size_t)groups * G * blocks * sizeof(float));
        for (int i = 0; i < groups * G * ldk; i++) k[i] = (int8_t)(gaussian() * 40);
        for (int i = 0; i < groups * G * blocks; i++) scales[i] = fabsf(gaussian()) / 127;
        for (int j = keys; j < groups * G; j++)
          for (int b = 0; b < blocks; b++) scales[(j / G) * G * blocks + b * G + j % G] = 1e30f;
        float *q = filled((size_t)rows * dk, 1), *s = filled((size_t)(e->decode_rows + 1) * lds, 0);
        float *wide = filled((size_t)keys * dk, 0);
        attune_i8_widen_keys_portable(k, ldk, scales, keys, dk, wide, dk);
        // A lead (the stream read next) in buffers of its own: asked for, never written.
        unsigned char lead_rows[1001];
        float lead_scales[37];
        memset(lead_rows, 0xA5, sizeof lead_rows);
        for (int i = 0; i < 37; i++) lead_scales[i] = 1.5f;
        const attune_lead lead = {lead_rows, sizeof lead_rows, lead_scales, sizeof lead_scales};
        e->decode_i8(q, dk, rows, k, ldk, scales, keys, dk, s, lds, &lead);
        for (size_t i = 0; i < sizeof lead_rows; i++) check(lead_rows[i] == 0xA5, "lead", keys, 0, (int)i);
        for (int i = 0; i < 37; i++) check(lead_scales[i] == 1.5f, "lead", keys, 1, i);
        for (int j = 0; j < keys; j++)
          for (int c = 0; c < dk; c++) {
            const int8_t byte = k[(j / G) * G * ldk + c * G + j % G];
            const float scale = scales[(j / G) * G * blocks + c / 32 * G + j % G];
            check(wide[j * dk + c] == scale * (float)byte, "widen_keys", keys, j, c);
          }
        check_scores(s, lds, e->decode_rows + 1, rows, keys, q, dk, wide, dk, 1, dk, dk + 16,
                     "decode_i8");
        free(k);
        free(scales);
        free(q);
        free(s);
        free(wide);
      }
  }
}

// Panels of K (`attune_pack_panel`, NEON's 4 x 4 transposes and the scalar edges): every key's
// features in place, zeros for the missing keys, nothing written past the panel.
static void test_pack_panel(void) {
  const int widths[] = {4, 12, 16, 32}, dks[] = {1, 3, 4, 7, 64, 65};
  for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++)
    for (size_t t = 0; t < sizeof dks / sizeof dks[0]; t++) {
      int pk = widths[w], dk = dks[t], ld = dk + 3;
      for (int keys = 0; keys <= pk; keys++) {
        float *rows = filled((size_t)(keys > 0 ? keys : 1) * ld, 1);
        float *panel = filled((size_t)dk * pk + 8, 0);
        attune_pack_panel(rows, ld, keys, dk, panel, pk);
        for (int c = 0; c < dk; c++)
          for (int j = 0; j < pk; j++)
            check(panel[c * pk + j] == (j < keys ? rows[j * ld + c] : 0.0f), "pack_panel", pk, dk,
                  keys);
        for (int i = 0; i < 8; i++) check(panel[dk * pk + i] == SENTINEL, "pack_panel past", pk, dk, i);
        free(rows);
        free(panel);
      }
    }
}

int main(void) {
  if (!attune_isa_supported(ATTUNE_ISA_NEON)) {
    fprintf(stderr, "error: this build or CPU has no NEON entry\n");
    return 1;
  }
  const attune_micro_kernel_entry *e = attune_micro_kernels(ATTUNE_ISA_NEON);
  if (!e) return 1;
  printf("entry %s: scores %dx%d, products %dx%d, lanes %d, decode %dx%d\n", e->name, e->score_rows,
         e->panel_keys, e->product_rows, e->product_columns, e->lanes, e->decode_rows, e->decode_keys);
  int before = failed;
  test_scores(e);
  printf("scores: %s\n", failed == before ? "ok" : "FAILED");
  before = failed;
  test_products(e);
  printf("products: %s\n", failed == before ? "ok" : "FAILED");
  before = failed;
  test_decode(e);
  printf("decode: %s\n", failed == before ? "ok" : "FAILED");
  before = failed;
  test_row_passes(e);
  printf("scale_max, exp_sum, multiply: %s\n", failed == before ? "ok" : "FAILED");
  before = failed;
  test_softmax_backward(e);
  printf("softmax_backward: %s\n", failed == before ? "ok" : "FAILED");
  before = failed;
  test_widen(e);
  printf("widen_f16, widen_i8: %s\n", failed == before ? "ok" : "FAILED");
  before = failed;
  test_decode_i8(e);
  printf("decode_i8 (grouped keys), widen_keys: %s\n", failed == before ? "ok" : "FAILED");
  before = failed;
  test_pack_panel();
  printf("pack_panel: %s\n", failed == before ? "ok" : "FAILED");
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
