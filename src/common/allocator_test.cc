#include "common/allocator.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tabadul {
namespace {

#if defined(__GLIBC__)
// With glibc's defaults a 4 MB block is its own mapping, returned to the kernel on free; once
// tuned it comes from the thread's arena and stays there for the next request to reuse. (This
// also catches the function silently compiling to nothing, which it once did.)
TEST(AllocatorTest, FreedResponseSizedBlocksStayInTheArena) {
  TuneAllocatorForServing();
  size_t kept = 0;
  std::thread worker([&kept] {
    constexpr size_t kSize = 4u << 20;
    void* p = std::malloc(kSize);
    ASSERT_NE(p, nullptr);
    std::memset(p, 1, kSize);
    std::free(p);
    kept = mallinfo2().fordblks;  // free bytes held by the calling thread's arena
  });
  worker.join();
  EXPECT_GE(kept, size_t{4u << 20});
}
#endif

}  // namespace
}  // namespace tabadul
