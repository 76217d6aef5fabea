// SPDX-License-Identifier: MIT
// 4-level x86_64 page tables: the identity map of RAM, the image's own permissions, and the
// 4 KiB mappings the address space manager creates. [SDM 3A 4.5]
//
// All CPUs share these tables. Every change happens under one lock, and a change that takes
// away or alters a mapping is followed by a TLB shootdown: the other CPUs drop their entries for
// the range (smp.cpp) before the frames that were mapped (and page tables freed on the way) go
// back to the frame allocator, so no CPU can still reach a frame someone else now uses.
// [SDM 3A 4.10.5]
#include "arch/arch.h"
#include "arch/spin_lock.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/page_range.h"
#include "arch/x86_64/per_cpu.h"
#include "lib/string.h"
#include "lib/verify.h"
#include "mm/frame_allocator.h"

extern "C" const unsigned char __ehdr_start[];
extern "C" char _end[];

namespace uk::arch {

namespace {

constexpr u64 k_present = k_pte_present;
constexpr u64 k_writable = k_pte_writable;
constexpr u64 k_large = k_pte_large;
constexpr u64 k_no_execute = k_pte_no_execute;
constexpr u64 k_address_mask = k_pte_address;
constexpr u64 k_large_page = 2ull << 20;
// Device registers: identity-mapped, uncached (PCD | PWT), never executable. [SDM 3A 11.12]
constexpr u64 k_uncached = (1ull << 4) | (1ull << 3);
constexpr u64 k_device_page = k_present | k_writable | k_no_execute | k_uncached;

u64* g_pml4;
constinit SpinLock g_lock { LockRank::PageTables };

u64* table_at(u64 entry) { return reinterpret_cast<u64*>(entry & k_address_mask); }

// A zeroed frame for a page table; null when memory is exhausted.
u64* new_table() { return reinterpret_cast<u64*>(mm::allocate_kernel_frame()); }

// What a change under g_lock has done so far that other CPUs have not seen: the range of pages
// it invalidated here (empty while start == end), and the frames and page tables it took out,
// which wait for the shootdown. All zero when nothing is pending, so that the 1 KiB of batches
// lives in .bss rather than in the image.
struct Pending {
    u64 start = 0, end = 0;
    void (*released)(u64 frame, void* context) = nullptr;
    void* context = nullptr;
    static constexpr size_t k_batch = 64;
    u64 frames[k_batch];
    size_t frame_count = 0;
    u64 tables[k_batch];
    size_t table_count = 0;
};
Pending g_pending;

// Makes the other CPUs drop what this change invalidated, then releases what it took out.
void finish_change()
{
    Pending& p = g_pending;
    if (p.start < p.end)
        shoot_down_tlb(p.start, p.end, p.table_count != 0);
    for (size_t i = 0; i < p.frame_count; ++i)
        p.released(p.frames[i], p.context);
    for (size_t i = 0; i < p.table_count; ++i)
        mm::free_kernel_frame(p.tables[i]);
    p.start = 0;
    p.end = 0;
    p.frame_count = 0;
    p.table_count = 0;
}

void invalidated(u64 virt)
{
    invalidate_page(virt);
    if (g_pending.start == g_pending.end) {
        g_pending.start = virt;
        g_pending.end = virt + k_page_size;
        return;
    }
    if (virt < g_pending.start)
        g_pending.start = virt;
    if (virt + k_page_size > g_pending.end)
        g_pending.end = virt + k_page_size;
}

// A walk hands over a frame (or table) before it invalidates the page that mapped it: a full
// batch is finished when the next one arrives, by which time every page in it is invalidated here.
void take_frame(u64 frame, void*)
{
    if (g_pending.frame_count == Pending::k_batch)
        finish_change();
    g_pending.frames[g_pending.frame_count++] = frame;
}

void take_table(u64 table)
{
    if (g_pending.table_count == Pending::k_batch)
        finish_change();
    g_pending.tables[g_pending.table_count++] = table;
}

const PageTableHooks k_hooks { invalidated, take_table };

// The page tables' lock, in a no-fault section (an interrupt meanwhile does not probe the stack:
// the fault handler would take this lock).
class TablesGuard {
public:
    TablesGuard()
    {
        enter_no_fault_section();
        g_lock.lock();
    }
    ~TablesGuard()
    {
        g_lock.unlock();
        leave_no_fault_section();
    }
    TablesGuard(const TablesGuard&) = delete;
    TablesGuard& operator=(const TablesGuard&) = delete;
};

// Holds the page tables' lock for a change and finishes it (the shootdown) at the end.
class Change {
public:
    Change() = default;
    ~Change() { finish_change(); }
    Change(const Change&) = delete;
    Change& operator=(const Change&) = delete;

private:
    TablesGuard m_guard;
};

// Returns the entry for `virt` at `level` (1 = page table, 2 = page directory), creating
// intermediate tables on the way when `create` is set.
u64* walk(u64 virt, int level, bool create)
{
    u64* table = g_pml4;
    for (int current = 4; current > level; --current) {
        unsigned index = (virt >> (12 + 9 * (current - 1))) & 511;
        u64& entry = table[index];
        if (!(entry & k_present)) {
            if (!create)
                return nullptr;
            u64* created = new_table();
            if (!created)
                return nullptr;
            entry = reinterpret_cast<u64>(created) | k_present | k_writable;
        }
        VERIFY(!(entry & k_large) || current == 2);
        if (entry & k_large)
            return nullptr;
        table = table_at(entry);
    }
    return &table[(virt >> (12 + 9 * (level - 1))) & 511];
}

struct ElfProgramHeader {
    u32 type, flags;
    u64 offset, vaddr, paddr, filesz, memsz, align;
};

// What a PT_LOAD segment's flags permit.
u32 segment_protection(const ElfProgramHeader& h)
{
    u32 prot = 0;
    if (h.flags & 4)
        prot |= k_prot_read;
    if (h.flags & 2)
        prot |= k_prot_write;
    if (h.flags & 1)
        prot |= k_prot_exec;
    return prot;
}

// Boot checked that RAM holds these tables (see boot/memory_check.h), so running out here is a bug.
u64* boot_walk(u64 virt, int level)
{
    u64* entry = walk(virt, level, true);
    VERIFY(entry != nullptr);
    return entry;
}

} // namespace

void paging_init(const mm::MemoryRange* ram, size_t count)
{
    g_pml4 = new_table();
    VERIFY(g_pml4 != nullptr);
    u64 small_end = align_up(reinterpret_cast<u64>(_end), k_large_page);
    // Below the image's end: 4 KiB pages, so page 0 can stay unmapped (null dereferences fault)
    // and text/rodata can be read-only. Each page table is walked to once, not once per page
    // (the per-page walk was a sixth of the instructions boot ran before main).
    u64* table = nullptr;
    u64 table_base = 0;
    auto small_entry = [&](u64 page) {
        if (!table || align_down(page, k_large_page) != table_base) {
            table_base = align_down(page, k_large_page);
            table = boot_walk(page, 1) - (page - table_base) / k_page_size;
        }
        return &table[(page - table_base) / k_page_size];
    };
    u64 data = leaf_flags(k_prot_read | k_prot_write);
    for (u64 page = k_page_size; page < small_end; page += k_page_size)
        *small_entry(page) = page | data;
    // Then each PT_LOAD segment's pages, last first: where two segments share a page, the first
    // one's permission wins.
    auto phoff = *reinterpret_cast<const u64*>(__ehdr_start + 32);
    auto phnum = *reinterpret_cast<const u16*>(__ehdr_start + 56);
    auto* headers = reinterpret_cast<const ElfProgramHeader*>(__ehdr_start + phoff);
    for (u16 i = phnum; i-- > 0;) {
        const ElfProgramHeader& h = headers[i];
        if (h.type != 1 || h.memsz == 0) // PT_LOAD
            continue;
        u64 flags = leaf_flags(segment_protection(h));
        u64 first = align_down(h.vaddr, k_page_size);
        if (first < k_page_size)
            first = k_page_size;
        for (u64 page = first; page < align_up(h.vaddr + h.memsz, k_page_size) && page < small_end; page += k_page_size)
            *small_entry(page) = page | flags;
    }
    // The rest of RAM: 2 MiB pages, data only. Holes stay unmapped for device memory.
    for (size_t i = 0; i < count; ++i) {
        u64 start = align_down(ram[i].base, k_large_page);
        u64 end = align_up(ram[i].base + ram[i].length, k_large_page);
        for (u64 addr = start > small_end ? start : small_end; addr < end; addr += k_large_page)
            if (u64* entry = boot_walk(addr, 2); !(*entry & k_present))
                *entry = addr | k_present | k_writable | k_large | k_no_execute;
    }
    write_cr3(reinterpret_cast<u64>(g_pml4));
}

u64 map_device(u64 phys)
{
    Change change;
    u64 page = align_down(phys, k_page_size);
    u64* entry = walk(page, 1, true);
    VERIFY(entry != nullptr);
    *entry = page | k_device_page;
    invalidate_page(page);
    return phys;
}

Result<u64> map_device_range(u64 phys, u64 length)
{
    u64 first = align_down(phys, k_page_size);
    if (length == 0 || phys + length < phys || phys + length > (1ull << 47))
        return error(EINVAL);
    Change change;
    u64 end = align_up(phys + length, k_page_size);
    // Check first, so that a refused range changes no mapping.
    for (u64 page = first; page < end; page += k_page_size) {
        u64* entry = walk(page, 1, true);
        // A large page or a normal 4 KiB mapping is RAM (or the image): never device memory.
        // (The CPU sets the accessed and dirty bits, 5 and 6, of pages it uses.)
        constexpr u64 k_accessed_dirty = (1ull << 5) | (1ull << 6);
        if (!entry || ((*entry & k_present) && (*entry & ~(k_address_mask | k_accessed_dirty)) != k_device_page))
            return error(EINVAL);
    }
    for (u64 page = first; page < end; page += k_page_size) {
        u64* entry = walk(page, 1, true);
        if (!(*entry & k_present)) {
            *entry = page | k_device_page;
            invalidate_page(page);
        }
    }
    return phys;
}

void map_firmware(u64 phys, u64 length)
{
    // Identity-mapped, read-only, never executable; pages RAM already covers are left alone.
    Change change;
    for (u64 page = align_down(phys, k_page_size); page < phys + length; page += k_page_size) {
        if (page == 0 || is_mapped(page))
            continue;
        u64* entry = walk(page, 1, true);
        VERIFY(entry != nullptr);
        *entry = page | k_present | k_no_execute;
        invalidate_page(page);
    }
}

Result<void> map_page(u64 virt, u64 phys, u32 protection)
{
    Change change;
    u64* entry = walk(virt, 1, true);
    if (!entry)
        return error(ENOMEM);
    bool was_present = *entry & k_present;
    *entry = phys | leaf_flags(protection);
    if (was_present)
        invalidated(virt);
    return {};
}

bool page_tables_locked_here() { return g_lock.is_held_here(); }

bool page_permits(u64 virt, u32 access)
{
    TablesGuard guard;
    u64* found = walk(virt, 1, false);
    u64 entry = found ? *found : 0;
    if (!(entry & k_present))
        return false;
    if ((access & k_prot_write) && !(entry & k_writable))
        return false;
    return !(access & k_prot_exec) || !(entry & k_no_execute);
}

u64 unmap_page(u64 virt)
{
    Change change;
    u64* entry = walk(virt, 1, false);
    if (!entry || !(*entry & k_address_mask))
        return 0;
    u64 phys = *entry & k_address_mask;
    *entry = 0;
    invalidated(virt);
    return phys;
}

u64 unmap_range(u64 start, u64 end, void (*released)(u64 frame, void* context), void* context)
{
    Change change;
    g_pending.released = released;
    g_pending.context = context;
    return clear_entries(g_pml4, start, end, take_frame, nullptr, k_hooks).pages;
}

u64 protect_range(u64 start, u64 end, u32 protection)
{
    Change change;
    return protect_entries(g_pml4, start, end, protection, k_hooks).pages;
}

u64 lowest_populated(u64 start, u64 end)
{
    TablesGuard guard;
    u64 lowest = end;
    walk_range(
        g_pml4, start, end,
        [](u64 virt, u64&, void* l) {
            u64& lowest = *static_cast<u64*>(l);
            if (virt < lowest)
                lowest = virt;
        },
        &lowest, k_hooks);
    return lowest;
}

Result<void> move_range(u64 from, u64 to, u64 length)
{
    Change change;
    struct Move {
        u64 delta;
        bool failed;
    } move { to - from, false };
    // First the target's tables, so that the move itself cannot fail half-way.
    walk_range(
        g_pml4, from, from + length,
        [](u64 virt, u64&, void* m) {
            auto& move = *static_cast<Move*>(m);
            if (!move.failed && !walk(virt + move.delta, 1, true))
                move.failed = true;
        },
        &move, k_hooks);
    if (move.failed) {
        clear_entries(g_pml4, to, to + length, take_frame, nullptr, k_hooks); // Frees the new, empty tables.
        return error(ENOMEM);
    }
    walk_range(
        g_pml4, from, from + length,
        [](u64 virt, u64& entry, void* m) {
            u64* target = walk(virt + static_cast<Move*>(m)->delta, 1, false);
            VERIFY(target && !*target);
            *target = entry;
            entry = 0;
        },
        &move, k_hooks);
    return {};
}

bool is_mapped(u64 virt, bool writable)
{
    if (virt >= (1ull << 47))
        return false;
    u64* table = g_pml4;
    if (!table)
        return true;
    // Read without the lock (crash reports call this, whatever lock a stopped CPU holds): a table
    // another CPU frees meanwhile may hold anything, so only addresses inside RAM are followed.
    for (int level = 4; level >= 1; --level) {
        u64 entry = __atomic_load_n(&table[(virt >> (12 + 9 * (level - 1))) & 511], __ATOMIC_RELAXED);
        if (!(entry & k_present))
            return false;
        if (level == 1 || (entry & k_large))
            return !writable || (entry & k_writable);
        if ((entry & k_address_mask) >= mm::ram_end())
            return false;
        table = table_at(entry);
    }
    return false;
}

}
