#include "AttuneShims.h"

#include <stdlib.h>  // defines __GLIBC__ on glibc
#if defined(__GLIBC__)
#include <malloc.h>
#endif

bool attune_retain_freed_memory(int block_bytes, int retained_bytes) {
#if defined(__GLIBC__)
  if (block_bytes <= 0 || retained_bytes <= 0) return false;
  // M_MMAP_THRESHOLD first: setting it also turns off glibc's own adjustment of it.
  return mallopt(M_MMAP_THRESHOLD, block_bytes) == 1 && mallopt(M_TRIM_THRESHOLD, retained_bytes) == 1;
#else
  (void)block_bytes;
  (void)retained_bytes;
  return false;
#endif
}
