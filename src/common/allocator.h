// Process-wide tuning of glibc malloc for a server that builds large response bodies.
//
// A page of 100 objects is a ~60 KB string built and freed per request. With glibc's defaults a
// worker thread's arena shrinks its heap (madvise(MADV_DONTNEED)) when such a body is freed, and
// the next request faults the same pages back in: measured on the static-body floor server
// (bench/taxii/paging.sh), page faults in memmove were ~30% of the CPU and the cost per request
// moved between 27 and 227 us depending on when trimming kicked in. Keeping freed memory for
// reuse (a fixed bound per arena, not growth with the data) removes that churn.
// docs/design/allocator.md has the measurements.
#pragma once

namespace tabadul {

// Raises the trim threshold (free memory kept at the top of an arena before it is returned to
// the kernel) to 32 MiB and the mmap threshold (allocations served by their own mapping) to
// 8 MiB, so bodies up to a few MB are reused rather than mapped and unmapped per request.
// Call once at the start of main(), before threads are started. Does nothing outside glibc.
void TuneAllocatorForServing();

}  // namespace tabadul
