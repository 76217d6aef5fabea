// SPDX-License-Identifier: MIT
// Size-class slabs. Every page starts with a SlabPage header; its free blocks form a singly
// linked list threaded through the blocks themselves. Pages with a free block sit on their
// class's partial list; a page whose last block is released goes straight back to the source,
// so that memory freed by deleting files is available again to the program's mmap.
#include "mm/slab.h"

#include "lib/string.h"
#include "lib/verify.h"

namespace uk::mm {

struct SlabPage : ListLink<> {
    u32 magic;
    u16 class_index;
    u16 free_count;
    u16 capacity;
    void* free_list;
};

namespace {

constexpr u32 k_magic = 0x51ab51ab;
constexpr size_t k_header_size = 48;
static_assert(sizeof(SlabPage) <= k_header_size);
// Multiples of 16 chosen so that the tail left over in a page stays small for the big classes:
// 1344 fits three times and 2016 twice in the 4048 bytes after the header.
constexpr u16 k_sizes[SlabAllocator::k_class_count] = { 16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 672, 1008,
    1344, 2016 };
static_assert(k_sizes[SlabAllocator::k_class_count - 1] == SlabAllocator::k_max_size);
static_assert(k_header_size + 2 * SlabAllocator::k_max_size <= k_page_size);

size_t class_for(size_t size)
{
    for (size_t i = 0; i < SlabAllocator::k_class_count; ++i)
        if (size <= k_sizes[i])
            return i;
    return SlabAllocator::k_class_count;
}

SlabPage* page_of(const void* pointer)
{
    auto* page = reinterpret_cast<SlabPage*>(align_down(reinterpret_cast<uptr>(pointer), k_page_size));
    VERIFY(page->magic == k_magic);
    return page;
}

} // namespace

void* SlabAllocator::allocate(size_t size)
{
    size_t index = class_for(size == 0 ? 1 : size);
    if (index == k_class_count)
        return nullptr;
    SlabPage* page = m_partial[index].front();
    if (!page) {
        void* memory = m_source.allocate ? m_source.allocate() : nullptr;
        if (!memory)
            return nullptr;
        VERIFY(reinterpret_cast<uptr>(memory) % k_page_size == 0);
        // The page comes zeroed, which is an unlinked SlabPage.
        page = static_cast<SlabPage*>(memory);
        page->magic = k_magic;
        page->class_index = static_cast<u16>(index);
        page->capacity = static_cast<u16>((k_page_size - k_header_size) / k_sizes[index]);
        page->free_count = page->capacity;
        // Thread the free list from the last block to the first, so blocks are handed out in
        // address order.
        void* next = nullptr;
        for (size_t i = page->capacity; i-- > 0;) {
            void* block = reinterpret_cast<u8*>(memory) + k_header_size + i * k_sizes[index];
            *static_cast<void**>(block) = next;
            next = block;
        }
        page->free_list = next;
        m_partial[index].push_back(*page);
        ++m_pages;
    }
    void* block = page->free_list;
    VERIFY(block != nullptr && page->free_count > 0);
    page->free_list = *static_cast<void**>(block);
    if (--page->free_count == 0)
        IntrusiveList<SlabPage>::remove(*page);
    fill_bytes(block, 0, k_sizes[index]);
    return block;
}

void SlabAllocator::release(void* pointer)
{
    if (!pointer)
        return;
    SlabPage* page = page_of(pointer);
    size_t size = k_sizes[page->class_index];
    auto offset = reinterpret_cast<uptr>(pointer) - reinterpret_cast<uptr>(page) - k_header_size;
    VERIFY(offset % size == 0 && offset / size < page->capacity);
    // Poison the block so that a use after free reads garbage rather than plausible data.
    fill_bytes(pointer, 0x5a, size);
    *static_cast<void**>(pointer) = page->free_list;
    page->free_list = pointer;
    if (page->free_count++ == 0)
        m_partial[page->class_index].push_back(*page);
    VERIFY(page->free_count <= page->capacity);
    if (page->free_count == page->capacity) {
        IntrusiveList<SlabPage>::remove(*page);
        page->magic = 0;
        --m_pages;
        m_source.release(page);
    }
}

size_t SlabAllocator::block_size(const void* pointer) { return k_sizes[page_of(pointer)->class_index]; }

}
