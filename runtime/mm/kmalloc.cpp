// SPDX-License-Identifier: MIT
// kmalloc over the frame allocator: frames come zeroed and identity-mapped, and are charged
// against RAM when taken (allocate_kernel_frame commits on the spot), so a full runtime heap is
// an allocation failure, never an overcommitted page.
#include "mm/kmalloc.h"

#include "arch/spin_lock.h"
#include "mm/frame_allocator.h"
#include "mm/slab.h"

namespace uk {

namespace {

u64 g_whole_pages;

void* page_from_frames() { return reinterpret_cast<void*>(mm::allocate_kernel_frame()); }

void page_to_frames(void* page)
{
    mm::free_frame(reinterpret_cast<u64>(page));
    mm::uncommit(1);
}

constinit mm::SlabAllocator g_slabs { mm::PageSource { page_from_frames, page_to_frames } };
// Any CPU allocates, the SchedulerLock's holders included (it comes before this lock), so
// interrupts are disabled while it is held and other CPUs run (arch::SmpIrqLockGuard): an
// interrupt handler taking the SchedulerLock on top of it could otherwise deadlock with a CPU
// that holds the SchedulerLock and allocates.
constinit arch::SpinLock g_lock { arch::LockRank::Heap };

} // namespace

void* kmalloc(size_t size)
{
    arch::SmpIrqLockGuard guard(g_lock);
    return g_slabs.allocate(size);
}

void kfree(void* pointer)
{
    arch::SmpIrqLockGuard guard(g_lock);
    g_slabs.release(pointer);
}

void* allocate_page()
{
    void* page = page_from_frames();
    if (page)
        __atomic_fetch_add(&g_whole_pages, 1, __ATOMIC_RELAXED);
    return page;
}

void free_page(void* page)
{
    if (!page)
        return;
    __atomic_fetch_sub(&g_whole_pages, 1, __ATOMIC_RELAXED);
    page_to_frames(page);
}

u64 kernel_heap_pages() { return g_whole_pages + g_slabs.pages_in_use(); }

}
