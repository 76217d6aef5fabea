// SPDX-License-Identifier: MIT
// SlabAllocator: small runtime objects (up to 2016 bytes) carved out of 4 KiB pages, one size
// class per page, with the page's header at its start so that release() needs no size
// (portable, host-tested; the pages come from a PageSource).
#pragma once

#include "lib/intrusive_list.h"
#include "lib/types.h"

namespace uk::mm {

struct PageSource {
    // A zeroed, 4 KiB-aligned page, or null when memory is exhausted.
    void* (*allocate)();
    void (*release)(void* page);
};

struct SlabPage;

class SlabAllocator {
public:
    static constexpr size_t k_class_count = 14;
    static constexpr size_t k_max_size = 2016;

    constexpr SlabAllocator() = default;
    constexpr explicit SlabAllocator(PageSource source) : m_source(source) {}

    // Zeroed memory aligned to 16 bytes; null when `size` exceeds k_max_size or no page is left.
    void* allocate(size_t size);
    // `pointer` must come from allocate() of this allocator (null is ignored).
    void release(void* pointer);

    u64 pages_in_use() const { return m_pages; }
    // The usable size of the block holding `pointer`.
    static size_t block_size(const void* pointer);

private:
    PageSource m_source {};
    IntrusiveList<SlabPage> m_partial[k_class_count];
    u64 m_pages = 0;
};

}
