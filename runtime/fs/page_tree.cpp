// SPDX-License-Identifier: MIT
// The radix tree behind ramfs files.
#include "fs/page_tree.h"

#include "mm/kmalloc.h"

namespace uk::fs {

namespace {

u64 g_data_pages;

void** slots(void* node) { return static_cast<void**>(node); }

u64 span(u32 height)
{
    // Pages covered by one slot of a node at `height`.
    u64 s = 1;
    for (u32 i = 1; i < height; ++i)
        s *= PageTree::k_fanout;
    return s;
}

} // namespace

u64 PageTree::total_data_pages() { return g_data_pages; }

u64 PageTree::capacity() const { return m_height == 0 ? 1 : span(m_height) * k_fanout; }

u8* PageTree::find(u64 index) const
{
    if (!m_root || index >= capacity())
        return nullptr;
    void* node = m_root;
    for (u32 h = m_height; h > 0; --h) {
        u64 s = span(h);
        node = slots(node)[index / s];
        index %= s;
        if (!node)
            return nullptr;
    }
    return static_cast<u8*>(node);
}

Result<u8*> PageTree::find_or_create(u64 index)
{
    if (index >= k_max_pages)
        return error(EFBIG);
    if (u8* page = find(index))
        return page;
    // Count what is missing first, so that a failure half-way leaves nothing to undo: nodes
    // for growing the height, nodes along the path, and the page.
    u32 height = m_height;
    while (index >= (height == 0 ? 1 : span(height) * k_fanout))
        ++height;
    // Allocate the new page first; the only later failures are node allocations, after which
    // the tree stays valid (possibly with empty nodes, which truncate frees).
    void* page = allocate_page();
    if (!page)
        return error(ENOSPC);
    while (m_height < height) {
        void* node = allocate_page();
        if (!node) {
            free_page(page);
            return error(ENOSPC);
        }
        ++m_nodes;
        // A root of height 0 is a data page (or nothing) for index 0, which becomes slot 0.
        slots(node)[0] = m_root;
        m_root = node;
        ++m_height;
    }
    if (m_height == 0) {
        m_root = page;
        ++m_pages;
        ++g_data_pages;
        return static_cast<u8*>(page);
    }
    void* node = m_root;
    for (u32 h = m_height; h > 1; --h) {
        u64 s = span(h);
        void*& child = slots(node)[index / s];
        index %= s;
        if (!child) {
            child = allocate_page();
            if (!child) {
                free_page(page);
                return error(ENOSPC);
            }
            ++m_nodes;
        }
        node = child;
    }
    slots(node)[index] = page;
    ++m_pages;
    ++g_data_pages;
    return static_cast<u8*>(page);
}

void PageTree::free_subtree(void* node, u32 height, u64 first)
{
    // Frees everything at or beyond page `first` (relative to this subtree) below `node`.
    u64 s = span(height);
    for (u64 i = first / s; i < k_fanout; ++i) {
        void*& child = slots(node)[i];
        if (!child)
            continue;
        u64 child_first = i == first / s ? first % s : 0;
        if (height == 1) {
            free_page(child);
            --m_pages;
            --g_data_pages;
            child = nullptr;
            continue;
        }
        free_subtree(child, height - 1, child_first);
        if (child_first == 0) {
            free_page(child);
            --m_nodes;
            child = nullptr;
        }
    }
}

void PageTree::truncate(u64 first)
{
    if (!m_root || first >= capacity())
        return;
    if (m_height == 0) {
        free_page(m_root);
        m_root = nullptr;
        --m_pages;
        --g_data_pages;
        return;
    }
    free_subtree(m_root, m_height, first);
    if (first == 0) {
        free_page(m_root);
        --m_nodes;
        m_root = nullptr;
        m_height = 0;
    }
}

}
