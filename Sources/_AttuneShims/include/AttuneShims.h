// The few things AttuneKernels needs that Swift cannot express, in C (as swift-numerics keeps
// `_NumericsShims`): not API.
//
// - bfloat16 dot products for the fused kernel's Q·Kᵀ: Swift has no way to name AVX512-BF16's
//   `vdpbf16ps`. Everything else about bfloat16 (rounding, packing, the portable fallback) is in
//   Swift. The function carries its own `target` attribute, so the target needs no compiler flags
//   and builds on any CPU; callers ask `attune_bf16_dot_available()` first.
// - The allocator's thresholds (`mallopt`, glibc's own, which Swift's Glibc module does not import).
// - Which CPU a thread runs on, and pinning a worker thread to one CPU (`sched_getcpu` and
//   `pthread_setaffinity_np` are GNU extensions that Swift's Glibc module does not import).

#ifndef ATTUNE_SHIMS_H
#define ATTUNE_SHIMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Whether this CPU (and its operating system) runs AVX512-BF16's `vdpbf16ps`.
bool attune_bf16_dot_available(void);

/// Query rows per `attune_bf16_scores` call.
#define ATTUNE_BF16_SCORE_ROWS 8

/// Scores of up to `ATTUNE_BF16_SCORE_ROWS` query rows against one panel of 32 keys, in bfloat16 with Float32 sums:
/// `s[r][j] = Σ_p q[r][p].lo · k[p][j].lo + q[r][p].hi · k[p][j].hi` for `r < rows`, `j < 32`.
///
/// - q: row 0 of the queries, each row `pairs` 32-bit words (two bfloat16 values, the even
///   feature in the low half); `ldq` words between rows.
/// - panel: `[pairs][32]` 32-bit words: for each pair of features, the 32 keys' pairs in order.
/// - s: row 0 of the result, 32 floats per row written; `lds` floats between rows.
///
/// Only call when `attune_bf16_dot_available()` is true; `rows` is 1...ATTUNE_BF16_SCORE_ROWS.
void attune_bf16_scores(const uint32_t *q, ptrdiff_t ldq, int rows, const uint32_t *panel,
                        ptrdiff_t pairs, float *s, ptrdiff_t lds);

/// Asks the C library's allocator (glibc's; elsewhere nothing happens) to serve blocks of up to
/// `block_bytes` from its heap instead of fresh `mmap` pages, and to keep up to `retained_bytes`
/// of freed memory at the top of a heap instead of returning it to the system, so a process that
/// calls the kernels again and again does not fault in new pages for every call's output. Returns
/// whether both settings took effect. Call it once, early, from a program (not from a library:
/// it changes the whole process's allocator).
bool attune_retain_freed_memory(int block_bytes, int retained_bytes);

/// The CPU the calling thread is running on, or -1 where the system does not say.
int attune_current_cpu(void);

/// Pins the calling thread to one CPU of the process's CPU set as it was at the first call of any
/// `attune_` affinity function: the `index`-th (from 0, cyclically) of those CPUs other than
/// `excluded` (-1 excludes none). Returns that CPU, or -1 if pinning is not possible (then nothing
/// changed).
int attune_pin_current_thread(int index, int excluded);

#ifdef __cplusplus
}
#endif

#endif
