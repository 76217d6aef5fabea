// SPDX-License-Identifier: MIT
// 4-level x86_64 page tables: the identity map of RAM, the image's own permissions, and the
// 4 KiB mappings the address space manager creates. [SDM 3A 4.5]
#include "arch/arch.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"
#include "lib/verify.h"
#include "mm/frame_allocator.h"

extern "C" const unsigned char __ehdr_start[];
extern "C" char _end[];

namespace uk::arch {

namespace {

constexpr u64 k_present = 1ull << 0;
constexpr u64 k_writable = 1ull << 1;
constexpr u64 k_large = 1ull << 7;
constexpr u64 k_no_execute = 1ull << 63;
constexpr u64 k_address_mask = 0x000ffffffffff000ull;
constexpr u64 k_large_page = 2ull << 20;
// Device registers: identity-mapped, uncached (PCD | PWT), never executable. [SDM 3A 11.12]
constexpr u64 k_uncached = (1ull << 4) | (1ull << 3);
constexpr u64 k_device_page = k_present | k_writable | k_no_execute | k_uncached;

u64* g_pml4;

u64* table_at(u64 entry) { return reinterpret_cast<u64*>(entry & k_address_mask); }

u64 leaf_flags(u32 protection)
{
    if (protection == k_prot_none)
        return 0;
    u64 flags = k_present;
    if (protection & k_prot_write)
        flags |= k_writable;
    if (!(protection & k_prot_exec))
        flags |= k_no_execute;
    return flags;
}

u64* new_table()
{
    u64 frame = mm::allocate_kernel_frame();
    VERIFY(frame != 0);
    return reinterpret_cast<u64*>(frame); // Frames come zeroed.
}

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
            entry = reinterpret_cast<u64>(new_table()) | k_present | k_writable;
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

// The permission of each image page, from the PT_LOAD segments' flags.
u32 image_protection(u64 page)
{
    auto phoff = *reinterpret_cast<const u64*>(__ehdr_start + 32);
    auto phnum = *reinterpret_cast<const u16*>(__ehdr_start + 56);
    auto* headers = reinterpret_cast<const ElfProgramHeader*>(__ehdr_start + phoff);
    for (u16 i = 0; i < phnum; ++i) {
        const auto& h = headers[i];
        if (h.type != 1) // PT_LOAD
            continue;
        if (page >= align_down(h.vaddr, k_page_size) && page < align_up(h.vaddr + h.memsz, k_page_size)) {
            u32 prot = 0;
            if (h.flags & 4)
                prot |= k_prot_read;
            if (h.flags & 2)
                prot |= k_prot_write;
            if (h.flags & 1)
                prot |= k_prot_exec;
            return prot;
        }
    }
    return k_prot_read | k_prot_write;
}

} // namespace

void paging_init(const mm::MemoryRange* ram, size_t count)
{
    g_pml4 = new_table();
    u64 small_end = align_up(reinterpret_cast<u64>(_end), k_large_page);
    // Below the image's end: 4 KiB pages, so page 0 can stay unmapped (null dereferences fault)
    // and text/rodata can be read-only.
    for (u64 page = k_page_size; page < small_end; page += k_page_size) {
        u32 prot = page >= reinterpret_cast<u64>(__ehdr_start) ? image_protection(page) : k_prot_read | k_prot_write;
        *walk(page, 1, true) = page | leaf_flags(prot);
    }
    // The rest of RAM: 2 MiB pages, data only. Holes stay unmapped for device memory.
    for (size_t i = 0; i < count; ++i) {
        u64 start = align_down(ram[i].base, k_large_page);
        u64 end = align_up(ram[i].base + ram[i].length, k_large_page);
        for (u64 addr = start > small_end ? start : small_end; addr < end; addr += k_large_page)
            if (u64* entry = walk(addr, 2, true); !(*entry & k_present))
                *entry = addr | k_present | k_writable | k_large | k_no_execute;
    }
    write_cr3(reinterpret_cast<u64>(g_pml4));
}

u64 map_device(u64 phys)
{
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
    u64* entry = walk(virt, 1, true);
    if (!entry)
        return error(ENOMEM);
    bool was_present = *entry & k_present;
    *entry = phys | leaf_flags(protection);
    if (was_present)
        invalidate_page(virt);
    return {};
}

u64 unmap_page(u64 virt)
{
    u64* entry = walk(virt, 1, false);
    if (!entry || !(*entry & k_address_mask))
        return 0;
    u64 phys = *entry & k_address_mask;
    *entry = 0;
    invalidate_page(virt);
    return phys;
}

void protect_page(u64 virt, u32 protection)
{
    u64* entry = walk(virt, 1, false);
    if (!entry || !(*entry & k_address_mask))
        return;
    // A PROT_NONE page keeps its frame (not present, address kept) so a later mprotect restores it.
    *entry = (*entry & k_address_mask) | leaf_flags(protection);
    invalidate_page(virt);
}

bool is_mapped(u64 virt, bool writable)
{
    if (virt >= (1ull << 47))
        return false;
    u64* table = g_pml4;
    if (!table)
        return true;
    for (int level = 4; level >= 1; --level) {
        u64 entry = table[(virt >> (12 + 9 * (level - 1))) & 511];
        if (!(entry & k_present))
            return false;
        if (level == 1 || (entry & k_large))
            return !writable || (entry & k_writable);
        table = table_at(entry);
    }
    return false;
}

}
