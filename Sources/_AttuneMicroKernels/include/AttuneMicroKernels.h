// The innermost loops of Attune's attention kernels, one set per instruction set, in C: each
// function carries its own `target` attribute, so this target needs no compiler flags, builds on
// any CPU, and a loop runs only where the CPU reports its instruction set. Not API: AttuneKernels
// wraps the entries in `MicroKernelTable` and picks one at run time.
//
// Every entry has the same operations; only the tile geometry differs, chosen so that the
// accumulators and operands fit the register file (16 ymm on AVX2, 32 zmm on AVX-512, 32 q on
// NEON). Names follow XNNPACK's: operation, rows × columns, ISA.
//
// Shared conventions: matrices are row-major with an explicit leading dimension (`ld…`, in
// floats); rows past `rows` are neither read nor written. `scores` and `products` take any number
// of rows and walk them in register tiles of the entry's row count (the last tile partial, with
// exactly its rows of accumulators on x86), so a driver makes one call per panel or tile.

#ifndef ATTUNE_MICRO_KERNELS_H
#define ATTUNE_MICRO_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Scores of `rows` query rows (`score_rows` at a time) against one panel of `panel_keys` packed
/// keys: `s[r][j] = Σ_{c < dk} q[r][c] · panel[c][j]` for `r < rows`, `j < panel_keys`, the sum
/// over `c` taken in chunks of at most 64 features whose partial sums are then added, so the
/// error grows with `64 + dk / 64` rather than `dk`.
///
/// `row_max`, when not NULL, is `[rows][lanes]` floats that the call folds its scores into:
/// `row_max[r][l] = max(row_max[r][l], s[r][j])` for every `j ≡ l (mod lanes)` (NaN scores left
/// out), so that a caller that set it to −∞ has each row's largest score after its last panel
/// with no second pass over the scores (the softmax's row maximum).
typedef void (*attune_f32_scores_fn)(const float *q, ptrdiff_t ldq, ptrdiff_t rows,
                                     const float *panel, ptrdiff_t dk, float *s, ptrdiff_t lds,
                                     float *row_max);

/// `acc[r][c] += Σ_{j < count} p[r][j] · v[j][c]` for `r < rows` (`product_rows` at a time),
/// `c < columns`; `columns` is a multiple of the entry's `lanes`. `streaming` (nonzero when V's
/// rows are read once, from memory, as in decoding) lets the entry walk V in the order its
/// memory system streams best (short chunks with software prefetch on AVX2, long
/// column strips on AVX-512); the result is the same.
typedef void (*attune_f32_products_fn)(const float *p, ptrdiff_t ldp, ptrdiff_t rows,
                                       const float *v, ptrdiff_t ldv, ptrdiff_t count,
                                       ptrdiff_t columns, float *acc, ptrdiff_t ldacc,
                                       int streaming);

/// `products` with `p` transposed: `acc[r][c] += Σ_{j < count} p[j][r] · v[j][c]` for `r < rows`,
/// `c < columns` (a multiple of `lanes`), `p`'s rows (one per `j`) `ldp` floats apart. The
/// backward pass's `dV += Pᵀ · dO` and `dK += dSᵀ · Q` on tiles of P and dS as the score kernel
/// wrote them, with no transposed copy.
typedef void (*attune_f32_products_t_fn)(const float *p, ptrdiff_t ldp, ptrdiff_t rows,
                                         const float *v, ptrdiff_t ldv, ptrdiff_t count,
                                         ptrdiff_t columns, float *acc, ptrdiff_t ldacc);

/// The backward pass's step from a tile's scores to their gradients, in place: for `r < rows`,
/// `j < columns`, `p = e^(s[r][j] · scale[r] − shift[r])` (the entry's exponential, as
/// `exp_sum`), then `s[r][j] = p` and `dp[r][j] = p · (dp[r][j] − dot[r])`, exactly 0 where `p`
/// is 0 whatever `dp[r][j]` is. `s` and `dp` rows are `ld` floats apart; `scale`, `shift` and
/// `dot` hold one float per row (`shift[r]` the row's log-sum-exp, so every argument is ≤ 0).
typedef void (*attune_f32_softmax_backward_fn)(float *s, float *dp, ptrdiff_t ld, ptrdiff_t rows,
                                               ptrdiff_t columns, const float *scale,
                                               const float *shift, const float *dot);

/// Decode scores, K read in place: `s[r][j] = Σ_{c < dk} q[r][c] · k[j][c]` for `r < rows`
/// (1...decode_rows), `j < keys` (any number, `decode_keys` at a time), any `dk ≥ 1`; exactly
/// `keys` floats of each result row are written. Reads only the `keys` rows of K; the caller asks
/// for later rows ahead of use (`decode_ahead`).
typedef void (*attune_f32_decode_fn)(const float *q, ptrdiff_t ldq, int rows, const float *k,
                                     ptrdiff_t ldk, ptrdiff_t keys, ptrdiff_t dk, float *s,
                                     ptrdiff_t lds);

/// Asks for the cache line holding `address` to be read into the second-level cache (a hint:
/// never a read, never a fault): for data wanted a few kilobytes later in a stream, which the core
/// then reads from L2 without holding an L1 miss buffer while memory answers (`PrefetchStream`).
static inline void attune_prefetch_l2(const void *address) { __builtin_prefetch(address, 0, 2); }

/// `row[j] = row[j] · scale (+ bias[j] when bias is not NULL)` for `j < count`; returns the
/// largest new entry (−∞ when `count` is 0; NaN entries are ignored by the maximum).
typedef float (*attune_f32_scale_max_fn)(float *row, const float *bias, ptrdiff_t count,
                                         float scale);

/// `row[j] = e^(row[j] · scale − max)` for `j < count` (product and difference rounded once, by a
/// fused multiply-add),
/// `max` no less than any `row[j] · scale` (the softmax's row maximum: every argument is ≤ 0, −∞
/// or NaN); returns the sum of the new entries. Relative error
/// below 4e-7 for arguments in [−87.3, 0], as MicroKernelTests checks for every entry (Cephes'
/// `expf` method on AVX-512 and NEON, a degree-5 minimax polynomial on AVX2), exactly 0 below,
/// NaN for NaN.
typedef float (*attune_f32_exp_sum_fn)(float *row, ptrdiff_t count, float max, float scale);

/// `row[j] *= factor` for `j < count`.
typedef void (*attune_f32_multiply_fn)(float *row, ptrdiff_t count, float factor);

/// Features per block of an 8-bit row: each row of `columns` values carries one scale per 32 of
/// them (the last block partial), `(columns + 31) / 32` floats.
#define ATTUNE_I8_BLOCK 32

/// Cached keys or values stored in half precision, widened: `dst[r][c] = src[r][c]` for `r <
/// rows`, `c < columns`, each `src` element an IEEE binary16 bit pattern (exact: every half is a
/// float). `src` rows are `ld_src` elements apart, `dst` rows `ld_dst` floats apart; nothing past
/// `columns` in a row of `dst` is written.
typedef void (*attune_f16_widen_fn)(const uint16_t *src, ptrdiff_t ld_src, ptrdiff_t rows,
                                    ptrdiff_t columns, float *dst, ptrdiff_t ld_dst);

/// Cached keys or values stored in 8 bits, widened: `dst[r][c] = scales[r][c / 32] · src[r][c]`
/// (one rounding, of the product) for `r < rows`, `c < columns`. `src` rows are `ld_src` bytes
/// apart, `scales` rows `(columns + 31) / 32` floats apart, `dst` rows `ld_dst` floats apart;
/// nothing past `columns` in a row of `dst` is written.
typedef void (*attune_i8_widen_fn)(const int8_t *src, ptrdiff_t ld_src, const float *scales,
                                   ptrdiff_t rows, ptrdiff_t columns, float *dst,
                                   ptrdiff_t ld_dst);

/// Keys per group of 8-bit cached keys. A KV cache stores its 8-bit keys (not its values) in
/// groups of 8 tokens along the lanes: group `g` holds tokens `8g ..< 8g + 8`, token `8g + l`'s
/// feature `c` at byte `8·(g·ld + c) + l`, its scale for block `b` (features `32b ..< 32b + 32`)
/// at float `8·(g·blocks + b) + l`, with `ld ≥ features` per key and `blocks = (features + 31) /
/// 32`. One 8-byte load is then one feature of 8 keys, so a score kernel keeps keys in its lanes
/// and applies each block's scales once per 8 keys rather than once per key. Groups are whole in
/// memory even when fewer tokens are stored (the cache's pages round their tokens up to a group).
#define ATTUNE_I8_KEY_GROUP 8

/// The start of the stream a caller reads after a call to an 8-bit decode kernel: `row_bytes`
/// bytes from `rows` and `scale_bytes` from `scales` (a KV cache page's values while its keys are
/// scored; the next page's keys while these values are summed). A kernel given one asks for it
/// into L2 a part at a time over its own loop (`attune_lead_part`), so that the next phase starts
/// in L2. Asked for all at once before the call, as the driver did, a lead of 8 KiB is 128
/// requests in a row: the core stalls on them until L2's miss queue drains, and a profile of the
/// 8-bit decode step put 13 % of its time on those requests. May be NULL (nothing to ask for);
/// its bytes are only asked for, never read.
typedef struct attune_lead {
  const void *rows;
  ptrdiff_t row_bytes;
  const void *scales;
  ptrdiff_t scale_bytes;
} attune_lead;

/// Asks for part `part` of `parts` of `lead`'s cache lines into L2 (nothing when `lead` is NULL
/// or `part` is not below `parts`): parts 0 ..< parts together ask for every line once.
static inline void attune_lead_part(const attune_lead *lead, ptrdiff_t part, ptrdiff_t parts) {
  if (!lead || part < 0 || part >= parts) return;
  const char *rows = (const char *)lead->rows, *scales = (const char *)lead->scales;
  const ptrdiff_t row_lines = (lead->row_bytes + 63) / 64, scale_lines = (lead->scale_bytes + 63) / 64;
  for (ptrdiff_t i = row_lines * part / parts; i < row_lines * (part + 1) / parts; i++)
    attune_prefetch_l2(rows + 64 * i);
  for (ptrdiff_t i = scale_lines * part / parts; i < scale_lines * (part + 1) / parts; i++)
    attune_prefetch_l2(scales + 64 * i);
}

/// Decode scores read from 16- or 8-bit cached keys without widening them first: as
/// `attune_f32_decode_fn`, with `k[j][c]` the half `k16[j][c]` (rows `ldk` halves apart), or,
/// for 8 bits, keys grouped as `ATTUNE_I8_KEY_GROUP` says with `ld = ldk ≥ dk` and `k[j][c] =
/// scale · byte` (`k` and `scales` at group 0; the lanes of the last group past `keys` are read,
/// never written to `s`). `rows` is 1 ... `decode_rows`; any `keys` and `dk ≥ 1`. The 8-bit
/// kernels' `lead` is an `attune_lead` (or NULL): the stream read after the call, asked for
/// into L2 over the call's loop.
typedef void (*attune_f16_decode_fn)(const float *q, ptrdiff_t ldq, int rows, const uint16_t *k,
                                     ptrdiff_t ldk, ptrdiff_t keys, ptrdiff_t dk, float *s,
                                     ptrdiff_t lds);
typedef void (*attune_i8_decode_fn)(const float *q, ptrdiff_t ldq, int rows, const int8_t *k,
                                    ptrdiff_t ldk, const float *scales, ptrdiff_t keys,
                                    ptrdiff_t dk, float *s, ptrdiff_t lds, const void *lead);

/// Decode products with 16- or 8-bit cached values read in place: `acc[r][c] += Σ_{j < count}
/// p[r][j] · v[j][c]` for `r < rows` (1 ... `decode_rows`), `c < columns` (any number; nothing
/// past it in `acc` is touched), `v[j][c]` widened as in `attune_*_decode_fn`; `lead` as there.
typedef void (*attune_f16_products_fn)(const float *p, ptrdiff_t ldp, int rows, const uint16_t *v,
                                       ptrdiff_t ldv, ptrdiff_t count, ptrdiff_t columns,
                                       float *acc, ptrdiff_t ldacc);
typedef void (*attune_i8_products_fn)(const float *p, ptrdiff_t ldp, int rows, const int8_t *v,
                                      ptrdiff_t ldv, const float *scales, ptrdiff_t count,
                                      ptrdiff_t columns, float *acc, ptrdiff_t ldacc,
                                      const void *lead);

/// The IEEE binary16 value nearest `x` (ties to even; beyond 65504 rounds to ±infinity, NaN
/// stays NaN), as its bit pattern. Portable C: no instruction set needed.
uint16_t attune_f16_from_f32(float x);

/// The float equal to the IEEE binary16 bit pattern `h` (exact). Portable C.
float attune_f32_from_f16(uint16_t h);

/// `attune_f16_widen_fn` and `attune_i8_widen_fn` in portable C, one element at a time: the
/// portable entry's.
void attune_f16_widen_portable(const uint16_t *src, ptrdiff_t ld_src, ptrdiff_t rows,
                               ptrdiff_t columns, float *dst, ptrdiff_t ld_dst);
void attune_i8_widen_portable(const int8_t *src, ptrdiff_t ld_src, const float *scales,
                              ptrdiff_t rows, ptrdiff_t columns, float *dst, ptrdiff_t ld_dst);

/// 8-bit keys grouped as `ATTUNE_I8_KEY_GROUP` says (`src` and `scales` at a group, `ld_src ≥
/// columns` its features per key), widened into rows: `dst[j][c] = scale · byte` for `j <
/// rows`, `c < columns`, rows `ld_dst` floats apart; nothing past `columns` written. Portable C,
/// for entries that have no `decode_i8`.
void attune_i8_widen_keys_portable(const int8_t *src, ptrdiff_t ld_src, const float *scales,
                                   ptrdiff_t rows, ptrdiff_t columns, float *dst,
                                   ptrdiff_t ld_dst);

/// One panel of the score micro-kernels' right operand: `panel[c * panel_keys + j] = rows[j * ld +
/// c]` for `j < keys`, `c < dk`, and 0 for `keys ≤ j < panel_keys` (`keys ≤ panel_keys`). Every
/// entry's panels, whatever their width: 4 × 4 blocks transposed in SSE on x86-64 and NEON on
/// arm64 (each architecture's baseline), scalar elsewhere.
void attune_pack_panel(const float *rows, ptrdiff_t ld, ptrdiff_t keys, ptrdiff_t dk, float *panel,
                       ptrdiff_t panel_keys);

/// The AVX2 + FMA entry's kernels that read 16- and 8-bit cached rows in place and that the
/// AVX-512F entry shares (every CPU that runs it has AVX2, FMA and F16C): decode 4 rows × 2 keys
/// from half keys, 4 rows × 16 keys along the lanes from 8-bit keys (where the CPU lacks VNNI),
/// and half value products that walk V's rows in address order two keys at a time, 256-bit. On a
/// Zen 4 the half kernels decoded a float16 cache faster than the AVX-512 entry's widening a chunk
/// at a time followed by its float32 kernels (docs/KERNELS.md).
void attune_f16_decode_avx2fma(const float *q, ptrdiff_t ldq, int rows, const uint16_t *k,
                               ptrdiff_t ldk, ptrdiff_t keys, ptrdiff_t dk, float *s,
                               ptrdiff_t lds);
void attune_i8_decode_avx2fma(const float *q, ptrdiff_t ldq, int rows, const int8_t *k,
                              ptrdiff_t ldk, const float *scales, ptrdiff_t keys, ptrdiff_t dk,
                              float *s, ptrdiff_t lds, const void *lead);
void attune_f16_products_avx2fma(const float *p, ptrdiff_t ldp, int rows, const uint16_t *v,
                                 ptrdiff_t ldv, ptrdiff_t count, ptrdiff_t columns, float *acc,
                                 ptrdiff_t ldacc);

/// One instruction set's micro-kernels and the geometry they were written for.
typedef struct attune_micro_kernel_entry {
  /// Short name: "avx512f", "avx2-fma", "neon".
  const char *name;
  /// Query rows per register tile of `scores`, and keys per packed panel.
  int score_rows, panel_keys;
  /// Rows per register tile of `products`, and the widest column block it keeps in registers.
  int product_rows, product_columns;
  /// Floats per vector register: value rows are padded to a multiple of it.
  int lanes;
  /// Query rows per `decode` call, and keys per step of it.
  int decode_rows, decode_keys;
  /// How many keys ahead of the `decode` kernel the driver asks for K's rows (in steps of
  /// `decode_keys`, spread evenly): measured on the CPUs that run the entry.
  int decode_ahead;
  /// The fused kernel's default tile (query rows × keys) with these micro-kernels: a multiple of
  /// the row counts, and a working set (scores, K and V of one tile) that fits the L2 caches of
  /// the CPUs that run the entry.
  int default_block_q, default_block_k;
  attune_f32_scores_fn scores;
  attune_f32_products_fn products;
  attune_f32_products_t_fn products_t;
  attune_f32_softmax_backward_fn softmax_backward;
  attune_f32_decode_fn decode;
  attune_f32_scale_max_fn scale_max;
  attune_f32_exp_sum_fn exp_sum;
  attune_f32_multiply_fn multiply;
  attune_f16_widen_fn widen_f16;
  attune_i8_widen_fn widen_i8;
  /// Decoding straight from 16- and 8-bit rows; NULL where the entry has none (the driver then
  /// widens rows a chunk at a time and uses `decode` and `products`).
  attune_f16_decode_fn decode_f16;
  attune_i8_decode_fn decode_i8;
  attune_f16_products_fn products_f16;
  attune_i8_products_fn products_i8;
  /// 0 when `decode_i8` multiplies the queries as float32; otherwise the bits each query row is
  /// rounded to first (16 on AVX512-VNNI: `q ≈ unit · n`, `|n| ≤ 32639`, so the rounding error
  /// is at most `max|q| / 65278` per feature), for integer dot products with the 8-bit keys.
  int decode_i8_query_bits;
  /// 0 when `products_i8` weighs the values in float32; otherwise the bits each weight (p ·
  /// scale) is rounded to, relative to the largest p and scale of each group of
  /// `products_i8_weight_keys` keys (15 and 32 on AVX512-VNNI), for integer dot products with the
  /// 8-bit values: each output then moves by at most `products_i8_weight_keys / (2 · (2^bits −
  /// 1))` of the largest |value| (`max|V| · 32 / 65534` on AVX512-VNNI).
  int products_i8_weight_bits, products_i8_weight_keys;
} attune_micro_kernel_entry;

/// The instruction sets that have entries.
typedef enum attune_isa {
  ATTUNE_ISA_AVX2_FMA = 1,
  ATTUNE_ISA_AVX512F = 2,
  ATTUNE_ISA_NEON = 3,
} attune_isa;

/// Whether this CPU (and its operating system, which must save the wider registers) runs `isa`.
bool attune_isa_supported(attune_isa isa);

/// The entry for `isa`, or NULL where this build has none (an ISA of another architecture).
const attune_micro_kernel_entry *attune_micro_kernels(attune_isa isa);

#ifdef __cplusplus
}
#endif

#endif
