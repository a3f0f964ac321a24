#include "heap_pages.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdlib>

namespace outreach::cli {

void prefer_huge_heap_pages() {
    // The heap grows in steps of this much address space (only what is touched
    // becomes memory); one madvise covers the step a large load will fill.
    constexpr int kTopPad = 512 << 20;
    if (mallopt(M_TOP_PAD, kTopPad) != 1) return;
    // Static initialisers have created the heap already: make it grow once now,
    // with the new padding, by asking for more than its free top holds.
    const auto old_break = reinterpret_cast<std::uintptr_t>(sbrk(0));
    std::array<void*, 16> blocks{};
    for (auto& block : blocks) {
        block = std::malloc(100 * 1024);  // under the mmap threshold: from the heap
        if (reinterpret_cast<std::uintptr_t>(sbrk(0)) != old_break) break;
    }
    const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
    const auto start = (reinterpret_cast<std::uintptr_t>(blocks[0]) & ~(page - 1));
    const auto end = reinterpret_cast<std::uintptr_t>(sbrk(0));
    if (blocks[0] && end > start) madvise(reinterpret_cast<void*>(start), end - start, MADV_HUGEPAGE);
    for (void* block : blocks) std::free(block);
}

void settle_heap() {
    constexpr int kDefaultTopPad = 128 * 1024;  // glibc's documented default
    mallopt(M_TOP_PAD, kDefaultTopPad);
    malloc_trim(0);
}

}  // namespace outreach::cli
