// SPDX-License-Identifier: MIT
// RegionMap: the sorted, non-overlapping virtual memory regions of the address space, with the
// splitting and merging mmap/munmap/mprotect need (portable, host-tested).
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace uk::mm {

enum RegionFlags : u32 {
    k_region_committed = 1u << 0, // Every page is charged against physical memory.
    k_region_guard = 1u << 1,     // A stack guard: touching it is a stack overflow.
    k_region_shared = 1u << 2,    // MAP_SHARED: MADV_DONTNEED keeps the contents, as Linux's shmem does.
    k_region_noreserve = 1u << 3, // MAP_NORESERVE, stacks: never charged as a whole, not even by mprotect.
    k_region_stack = 1u << 4,     // A stack the runtime made: not data for RLIMIT_DATA.
};

struct Region {
    u64 start;
    u64 end; // Exclusive.
    u32 protection;
    u32 flags;
};

class RegionMap {
public:
    static constexpr size_t k_capacity = 8192;

    // The region containing `address`, or null.
    const Region* find(u64 address) const;
    // The lowest page-aligned start >= `low` of a free gap of `length` bytes ending by `high`; 0 if none.
    u64 find_gap(u64 length, u64 low, u64 high) const;
    bool is_free(u64 start, u64 end) const;
    // True when every byte of [start, end) belongs to some region.
    bool is_covered(u64 start, u64 end) const;
    // Adds a region over free space, merging it with equal neighbours. ENOMEM when the table is full.
    Result<void> insert(const Region& region);

    // Removes [start, end) from the map and calls visit(const Region&) for each removed piece.
    template<typename Visit>
    Result<void> remove(u64 start, u64 end, Visit&& visit)
    {
        TRY(reserve_splits(start, end));
        TRY(split_at(start));
        TRY(split_at(end));
        size_t first = lower_index(start);
        size_t last = first;
        while (last < m_count && m_regions[last].end <= end)
            visit(m_regions[last++]);
        erase(first, last - first);
        return {};
    }

    // Changes the protection of [start, end), which must be fully mapped (ENOMEM otherwise, as on
    // Linux), adds `set_flags` (except to k_region_noreserve pieces, which are never charged as a
    // whole), and calls visit(const Region& before, u32 new_protection) for each piece.
    template<typename Visit>
    Result<void> protect(u64 start, u64 end, u32 protection, u32 set_flags, Visit&& visit)
    {
        if (!is_covered(start, end))
            return error(ENOMEM);
        TRY(reserve_splits(start, end));
        TRY(split_at(start));
        TRY(split_at(end));
        for (size_t i = lower_index(start); i < m_count && m_regions[i].end <= end; ++i) {
            visit(static_cast<const Region&>(m_regions[i]), protection);
            m_regions[i].protection = protection;
            if (!(m_regions[i].flags & k_region_noreserve))
                m_regions[i].flags |= set_flags;
        }
        merge_around(start, end);
        return {};
    }

    // Calls visit(const Region&) for each region overlapping [start, end), in address order;
    // costs a binary search plus the regions visited.
    template<typename Visit>
    void for_each_in(u64 start, u64 end, Visit&& visit) const
    {
        for (size_t i = lower_index(start); i < m_count && m_regions[i].start < end; ++i)
            visit(m_regions[i]);
    }

    size_t count() const { return m_count; }
    const Region& at(size_t i) const { return m_regions[i]; }

private:
    size_t lower_index(u64 address) const; // First region whose end > address.
    Result<void> split_at(u64 address);
    // ENOMEM unless the table has room for splitting at both `start` and `end`, so that a
    // failed operation leaves the map unchanged.
    Result<void> reserve_splits(u64 start, u64 end) const;
    void erase(size_t index, size_t count);
    void merge_around(u64 start, u64 end);

    Region m_regions[k_capacity];
    size_t m_count = 0;
};

}
