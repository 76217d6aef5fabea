// SPDX-License-Identifier: MIT
// PageTree: the data pages of a ramfs file, indexed by page number in a radix tree of 512-way
// nodes that grows in height only as far as the file's largest page needs. Missing pages are
// holes that read as zeros, so a file grown with lseek+write or ftruncate costs nothing until
// written (portable, host-tested; pages from mm/kmalloc).
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace uk::fs {

class PageTree {
public:
    static constexpr u32 k_fanout = 512;
    // Page numbers below 2^36 (a 256 TiB file) at a tree height of at most 4.
    static constexpr u32 k_max_height = 4;
    static constexpr u64 k_max_pages = 1ull << 36;

    constexpr PageTree() = default;
    PageTree(const PageTree&) = delete;
    PageTree& operator=(const PageTree&) = delete;

    // The page holding page number `index`, or null for a hole.
    u8* find(u64 index) const;
    // The page for `index`, allocated (zeroed) if it was a hole. ENOSPC when memory is full,
    // EFBIG beyond k_max_pages; the tree is unchanged on failure.
    Result<u8*> find_or_create(u64 index);
    // Frees every page numbered `first` or higher, and the nodes left empty.
    void truncate(u64 first);
    void clear() { truncate(0); }

    u64 page_count() const { return m_pages; }
    // Pages of memory the tree uses for data and for its nodes.
    u64 memory_pages() const { return m_pages + m_nodes; }
    // Data pages of every tree together (Shmem in /proc/meminfo).
    static u64 total_data_pages();

private:
    u64 capacity() const; // Number of page indices the current height covers.
    void free_subtree(void* node, u32 height, u64 first);

    // Height 0: m_root is the data page of index 0 itself. Height h >= 1: m_root is a node whose
    // 512 slots each cover 512^(h-1) pages.
    void* m_root = nullptr;
    u32 m_height = 0;
    u64 m_pages = 0;
    u64 m_nodes = 0;
};

}
