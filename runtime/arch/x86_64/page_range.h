// SPDX-License-Identifier: MIT
// Range operations on x86_64 4-level page tables (unmap, protect, find populated pages) whose
// cost follows the tables that exist, not the size of the range: a walk descends only into
// present entries, so releasing a 1 TiB reservation with nothing in it reads a few entries.
// Tables a walk leaves empty are freed. No instructions here, so host tests run it on fake tables.
#pragma once

#include "lib/types.h"

namespace uk::arch {

// [SDM 3A 4.5] Entry bits the runtime uses.
inline constexpr u64 k_pte_present = 1ull << 0;
inline constexpr u64 k_pte_writable = 1ull << 1;
inline constexpr u64 k_pte_large = 1ull << 7;
inline constexpr u64 k_pte_no_execute = 1ull << 63;
inline constexpr u64 k_pte_address = 0x000ffffffffff000ull;
// The lower half of the address space, the only part these walks cover.
inline constexpr u64 k_walk_limit = 1ull << 47;

// What a walk needs from the machine (or from a host test).
struct PageTableHooks {
    // Drops the TLB entry of one page; after a freed table, also the paging-structure caches
    // ([SDM 3A 4.10.4.1]: INVLPG invalidates all of them).
    void (*invalidate)(u64 virt);
    // Gives back the frame of a page table the walk left empty.
    void (*free_table)(u64 table);
};

// What a walk did, for tests and benchmarks.
struct WalkStats {
    u64 pages = 0;          // Leaf entries holding a frame that the walk visited.
    u64 tables_visited = 0; // Page tables (below the root) the walk descended into.
    u64 tables_freed = 0;
};

// Called for each leaf entry in the range that holds a frame (present or not: a PROT_NONE page
// keeps its frame in a non-present entry). It may change the entry; the walk invalidates the
// page when it does, and frees tables that end up empty.
using LeafVisitor = void (*)(u64 virt, u64& entry, void* context);

// Walks [start, end) (page-aligned, end <= k_walk_limit) under `root` (the PML4).
WalkStats walk_range(u64* root, u64 start, u64 end, LeafVisitor visit, void* context, const PageTableHooks& hooks);

// Leaf entry flags for mmap's PROT_* bits: PROT_NONE is "not present", data is never executable.
u64 leaf_flags(u32 protection);

// Clears every leaf entry of [start, end), calling released(frame, context) for each frame.
WalkStats clear_entries(u64* root, u64 start, u64 end, void (*released)(u64 frame, void* context), void* context,
    const PageTableHooks& hooks);
// Gives every populated page of [start, end) the protection `protection` (mmap's PROT_* bits).
WalkStats protect_entries(u64* root, u64 start, u64 end, u32 protection, const PageTableHooks& hooks);

}
