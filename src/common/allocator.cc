#include "common/allocator.h"

#include <cstdlib>  // defines __GLIBC__ on glibc, which the test below needs

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tabadul {

void TuneAllocatorForServing() {
#if defined(__GLIBC__)
  constexpr int kTrimThreshold = 32 << 20;
  constexpr int kMmapThreshold = 8 << 20;
  mallopt(M_TRIM_THRESHOLD, kTrimThreshold);
  mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
#endif
}

}  // namespace tabadul
