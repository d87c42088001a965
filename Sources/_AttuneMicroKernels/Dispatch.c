// Which entries this CPU runs.

#include "AttuneMicroKernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
extern const attune_micro_kernel_entry attune_avx2fma_entry;
extern const attune_micro_kernel_entry attune_avx512f_entry;
extern const attune_micro_kernel_entry attune_avx512f_vnni_entry;

bool attune_isa_supported(attune_isa isa) {
  __builtin_cpu_init();
  // The runtime reports these only when the operating system saves the wider registers.
  switch (isa) {
  case ATTUNE_ISA_AVX2_FMA: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                                 __builtin_cpu_supports("f16c");
  // The AVX-512F entry shares the AVX2 entry's kernels for 16- and 8-bit rows.
  case ATTUNE_ISA_AVX512F: return __builtin_cpu_supports("avx512f") &&
                                  attune_isa_supported(ATTUNE_ISA_AVX2_FMA);
  default: return false;
  }
}

const attune_micro_kernel_entry *attune_micro_kernels(attune_isa isa) {
  switch (isa) {
  case ATTUNE_ISA_AVX2_FMA: return &attune_avx2fma_entry;
  case ATTUNE_ISA_AVX512F:
    // The same entry with 8-bit keys scored by integer dot products where the CPU has them.
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vbmi") &&
                   __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")
               ? &attune_avx512f_vnni_entry
               : &attune_avx512f_entry;
  default: return NULL;
  }
}

#elif defined(__aarch64__)
extern const attune_micro_kernel_entry attune_neon_entry;

bool attune_isa_supported(attune_isa isa) { return isa == ATTUNE_ISA_NEON; }

const attune_micro_kernel_entry *attune_micro_kernels(attune_isa isa) {
  return isa == ATTUNE_ISA_NEON ? &attune_neon_entry : NULL;
}

#else
bool attune_isa_supported(attune_isa isa) { (void)isa; return false; }

const attune_micro_kernel_entry *attune_micro_kernels(attune_isa isa) { (void)isa; return NULL; }
#endif
