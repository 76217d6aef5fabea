// SPDX-License-Identifier: MIT
// Range walks over 4-level page tables (see page_range.h). [SDM 3A 4.5]
#include "arch/x86_64/page_range.h"

#include "arch/arch.h"
#include "lib/verify.h"

namespace uk::arch {

namespace {

constexpr unsigned k_entries = 512;

u64* table_at(u64 entry) { return reinterpret_cast<u64*>(entry & k_pte_address); }

// Bytes one entry of a table at `level` (1 = page table ... 4 = PML4) covers.
constexpr u64 entry_span(int level) { return 1ull << (12 + 9 * (level - 1)); }

struct Walk {
    LeafVisitor visit;
    void* context;
    const PageTableHooks& hooks;
    WalkStats stats;
};

bool is_empty(const u64* table)
{
    for (unsigned i = 0; i < k_entries; ++i)
        if (table[i])
            return false;
    return true;
}

// Walks the part [start, end) of the table at `level` that maps from `base`; returns true when
// the walk cleared entries and the table now holds none.
bool walk_table(u64* table, int level, u64 base, u64 start, u64 end, Walk& walk)
{
    const u64 span = entry_span(level);
    const unsigned first = static_cast<unsigned>((start - base) / span);
    const unsigned last = static_cast<unsigned>((end - 1 - base) / span);
    bool cleared = false;
    for (unsigned i = first; i <= last; ++i) {
        u64& entry = table[i];
        const u64 entry_base = base + i * span;
        if (level == 1) {
            if (!(entry & k_pte_address))
                continue;
            ++walk.stats.pages;
            const u64 before = entry;
            walk.visit(entry_base, entry, walk.context);
            if (entry != before)
                walk.hooks.invalidate(entry_base);
            cleared |= entry == 0;
            continue;
        }
        // 2 MiB pages belong to the runtime's identity map of RAM, never to a program mapping.
        if (!(entry & k_pte_present) || (entry & k_pte_large))
            continue;
        ++walk.stats.tables_visited;
        u64* child = table_at(entry);
        const u64 child_start = start > entry_base ? start : entry_base;
        const u64 child_end = end < entry_base + span ? end : entry_base + span;
        if (walk_table(child, level - 1, entry_base, child_start, child_end, walk)) {
            entry = 0;
            walk.hooks.free_table(reinterpret_cast<u64>(child));
            walk.hooks.invalidate(entry_base);
            ++walk.stats.tables_freed;
            cleared = true;
        }
    }
    return cleared && is_empty(table);
}

} // namespace

WalkStats walk_range(u64* root, u64 start, u64 end, LeafVisitor visit, void* context, const PageTableHooks& hooks)
{
    VERIFY(start % k_page_size == 0 && end % k_page_size == 0 && end <= k_walk_limit);
    Walk walk { visit, context, hooks, {} };
    if (start < end)
        (void)walk_table(root, 4, 0, start, end, walk); // The root stays, even empty.
    return walk.stats;
}

u64 leaf_flags(u32 protection)
{
    if (protection == k_prot_none)
        return 0;
    u64 flags = k_pte_present;
    if (protection & k_prot_write)
        flags |= k_pte_writable;
    if (!(protection & k_prot_exec))
        flags |= k_pte_no_execute;
    return flags;
}

WalkStats clear_entries(u64* root, u64 start, u64 end, void (*released)(u64 frame, void* context), void* context,
    const PageTableHooks& hooks)
{
    struct Clear {
        void (*released)(u64, void*);
        void* context;
    } clear { released, context };
    return walk_range(
        root, start, end,
        [](u64, u64& entry, void* c) {
            auto& clear = *static_cast<Clear*>(c);
            u64 frame = entry & k_pte_address;
            entry = 0;
            clear.released(frame, clear.context);
        },
        &clear, hooks);
}

WalkStats protect_entries(u64* root, u64 start, u64 end, u32 protection, const PageTableHooks& hooks)
{
    u64 flags = leaf_flags(protection);
    return walk_range(
        root, start, end, [](u64, u64& entry, void* f) { entry = (entry & k_pte_address) | *static_cast<u64*>(f); },
        &flags, hooks);
}

}
