// SPDX-License-Identifier: MIT
// Global frame allocator and commit accounting, one lock for both. Interrupts are disabled while
// it is held and other CPUs run (any CPU allocates, including under the SchedulerLock, which
// interrupt handlers take: arch::SmpIrqLockGuard); pages are zeroed outside it.
#include "mm/frame_allocator.h"

#include "arch/spin_lock.h"
#include "lib/string.h"
#include "lib/verify.h"
#include "mm/frame_bitmap.h"

namespace uk::mm {

namespace {
FrameBitmap g_bitmap;
u64 g_uncommitted;
u64 g_total;
u64 g_ram_end;
constinit arch::SpinLock g_lock { arch::LockRank::Frames };
using Guard = arch::SmpIrqLockGuard<arch::SpinLock>;
}

void frames_init(const MemoryRange* ram, size_t count, const MemoryRange* reserved, size_t reserved_count)
{
    u64 end = 0;
    for (size_t i = 0; i < count; ++i)
        if (ram[i].base + ram[i].length > end)
            end = ram[i].base + ram[i].length;
    g_ram_end = end;
    u64 frames = end / k_page_size;
    u64 bitmap_bytes = align_up((frames + 63) / 64 * 8, k_page_size);
    // The bitmap itself lives in the first free RAM that can hold it.
    auto overlaps_reserved = [&](u64 base, u64 length) {
        for (size_t r = 0; r < reserved_count; ++r)
            if (base < reserved[r].base + reserved[r].length && reserved[r].base < base + length)
                return true;
        return false;
    };
    u64 bitmap_at = 0;
    for (size_t i = 0; i < count && !bitmap_at; ++i) {
        u64 base = align_up(ram[i].base > k_page_size ? ram[i].base : k_page_size, k_page_size);
        for (; base + bitmap_bytes <= ram[i].base + ram[i].length; base += k_page_size) {
            if (!overlaps_reserved(base, bitmap_bytes)) {
                bitmap_at = base;
                break;
            }
        }
    }
    VERIFY(bitmap_at != 0);
    g_bitmap.init(reinterpret_cast<u64*>(bitmap_at), frames);
    for (size_t i = 0; i < count; ++i) {
        u64 first = align_up(ram[i].base, k_page_size) / k_page_size;
        u64 last = align_down(ram[i].base + ram[i].length, k_page_size) / k_page_size;
        if (last > first)
            g_bitmap.release_range(first, last - first);
    }
    g_bitmap.claim_range(0, 1); // Page 0 stays unmapped: null pointers fault.
    g_bitmap.claim_range(bitmap_at / k_page_size, bitmap_bytes / k_page_size);
    for (size_t r = 0; r < reserved_count; ++r) {
        u64 first = align_down(reserved[r].base, k_page_size) / k_page_size;
        u64 last = align_up(reserved[r].base + reserved[r].length, k_page_size) / k_page_size;
        g_bitmap.claim_range(first, last - first);
    }
    g_total = g_bitmap.free_count();
    g_uncommitted = g_total;
}

void release_boot_range(const MemoryRange& range)
{
    // Only whole frames inside the range: its first and last frame may hold other boot data.
    u64 first = align_up(range.base, k_page_size) / k_page_size;
    u64 last = align_down(range.base + range.length, k_page_size) / k_page_size;
    if (last <= first)
        return;
    Guard guard(g_lock);
    u64 before = g_bitmap.free_count();
    g_bitmap.release_range(first, last - first);
    u64 gained = g_bitmap.free_count() - before;
    g_total += gained;
    g_uncommitted += gained;
}

bool commit(u64 pages)
{
    Guard guard(g_lock);
    if (pages > g_uncommitted)
        return false;
    g_uncommitted -= pages;
    return true;
}

void uncommit(u64 pages)
{
    Guard guard(g_lock);
    g_uncommitted += pages;
    VERIFY(g_uncommitted <= g_total);
}

u64 allocate_committed_frame()
{
    u64 frame;
    {
        Guard guard(g_lock);
        frame = g_bitmap.allocate();
    }
    if (!frame)
        return 0;
    u64 phys = frame * k_page_size;
    fill_bytes(reinterpret_cast<void*>(phys), 0, k_page_size);
    return phys;
}

u64 allocate_uncommitted_frame()
{
    // Commits on the spot: the frame stays charged until the page is unmapped.
    return allocate_kernel_frame();
}

void free_frame(u64 phys)
{
    Guard guard(g_lock);
    g_bitmap.release(phys / k_page_size);
}

u64 allocate_kernel_frame()
{
    if (!commit(1))
        return 0;
    u64 phys = allocate_committed_frame();
    if (!phys)
        uncommit(1);
    return phys;
}

void free_kernel_frame(u64 phys)
{
    Guard guard(g_lock);
    g_bitmap.release(phys / k_page_size);
    g_uncommitted += 1;
}

u64 total_frames() { return g_total; }
u64 free_frames()
{
    Guard guard(g_lock);
    return g_bitmap.free_count();
}
u64 uncommitted_frames() { return g_uncommitted; }
u64 ram_end() { return g_ram_end; }

}
