// SPDX-License-Identifier: MIT
// kmalloc over the frame allocator: frames come zeroed and identity-mapped, and are charged
// against RAM when taken (allocate_kernel_frame commits on the spot), so a full runtime heap is
// an allocation failure, never an overcommitted page.
#include "mm/kmalloc.h"

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

} // namespace

void* kmalloc(size_t size) { return g_slabs.allocate(size); }
void kfree(void* pointer) { g_slabs.release(pointer); }

void* allocate_page()
{
    void* page = page_from_frames();
    if (page)
        ++g_whole_pages;
    return page;
}

void free_page(void* page)
{
    if (!page)
        return;
    --g_whole_pages;
    page_to_frames(page);
}

u64 kernel_heap_pages() { return g_whole_pages + g_slabs.pages_in_use(); }

}
