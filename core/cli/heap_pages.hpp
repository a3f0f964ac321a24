#pragma once
// Loading a large configuration (10,000 campaigns) allocates a few hundred MB of
// small objects at once; on this class of VM a quarter of that time went to
// faulting in 4 KiB pages one by one. Asking for transparent huge pages on the
// heap (what glibc's `glibc.malloc.hugetlb=1` tunable does) cuts the faults about
// twentyfold. docs/performance.md has the figures.

namespace outreach::cli {

// Lets the malloc heap grow in 512 MiB steps of address space and marks the
// first step for transparent huge pages (madvise(MADV_HUGEPAGE)), so the kernel
// can back it with 2 MiB pages where THP is "madvise" or "always"; only touched
// memory counts. A no-op where the kernel or glibc refuses it.
void prefer_huge_heap_pages();

// For a process that goes on for months after loading (the daemon): back to
// glibc's default growth step, and the memory freed while loading returned to
// the system (malloc_trim), so the padding does not stay resident.
void settle_heap();

}  // namespace outreach::cli
