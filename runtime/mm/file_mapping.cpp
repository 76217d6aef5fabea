// SPDX-License-Identifier: MIT
// File mappings (see file_mapping.h for the design).
#include "mm/file_mapping.h"

#include "arch/arch.h"
#include "lib/verify.h"
#include "mm/address_space.h"

namespace uk::mm {

namespace {

// One MAP_SHARED mapping (or the part of it that munmap left). Its first `borrowed` pages are
// the file's pages from `first_page` on, mapped in place.
struct SharedMapping {
    u64 start, end;
    MappedFile file;
    u64 first_page;
    u64 borrowed;
};

constexpr size_t k_max_mappings = 512;
// Changed only with both the RuntimeLock (may_change_file_mappings()) and the address-space lock
// held; read under either.
SharedMapping g_mappings[k_max_mappings];
size_t g_count;
bool (*g_permitted)();

void release_pages(u64 start, u64 end)
{
    AddressSpaceGuard guard;
    for (u64 page = start; page < end; page += k_page_size)
        arch::unmap_page(page);
}

void drop(size_t index)
{
    MappedFile file = g_mappings[index].file;
    g_mappings[index] = g_mappings[--g_count];
    file.pager->detach(file.file);
}

} // namespace

void set_file_mapping_permit(bool (*permitted)()) { g_permitted = permitted; }
bool may_change_file_mappings() { return !g_permitted || g_permitted(); }

bool overlaps_file_mapping(u64 start, u64 end)
{
    for (size_t i = 0; i < g_count; ++i)
        if (g_mappings[i].start < end && start < g_mappings[i].end)
            return true;
    return false;
}

void before_unmap(u64 start, u64 end)
{
    for (size_t i = 0; i < g_count;) {
        SharedMapping& m = g_mappings[i];
        if (m.end <= start || end <= m.start) {
            ++i;
            continue;
        }
        u64 borrowed_end = m.start + m.borrowed * k_page_size;
        u64 cut_start = start > m.start ? start : m.start;
        u64 cut_end = end < m.end ? end : m.end;
        release_pages(cut_start, cut_end < borrowed_end ? cut_end : borrowed_end);
        if (cut_start == m.start && cut_end == m.end) {
            drop(i);
            continue;
        }
        if (cut_start == m.start) {
            // The front goes.
            u64 pages = (cut_end - m.start) / k_page_size;
            m.borrowed = m.borrowed > pages ? m.borrowed - pages : 0;
            m.first_page += pages;
            m.start = cut_end;
        } else if (cut_end == m.end) {
            // The tail goes.
            u64 kept = (cut_start - m.start) / k_page_size;
            if (m.borrowed > kept)
                m.borrowed = kept;
            m.end = cut_start;
        } else {
            // A hole in the middle: the tail becomes a mapping of its own, if there is room to
            // remember it; otherwise its pages are let go (they become anonymous on touch).
            u64 tail_pages = (cut_end - m.start) / k_page_size;
            if (g_count < k_max_mappings) {
                SharedMapping tail { cut_end, m.end, m.file, m.first_page + tail_pages,
                    m.borrowed > tail_pages ? m.borrowed - tail_pages : 0 };
                m.file.pager->attach(m.file.file);
                g_mappings[g_count++] = tail;
            } else {
                release_pages(cut_end, borrowed_end > cut_end ? borrowed_end : cut_end);
            }
            u64 kept = (cut_start - m.start) / k_page_size;
            if (m.borrowed > kept)
                m.borrowed = kept;
            m.end = cut_start;
        }
        ++i;
    }
}

void file_pages_removed(void* file, u64 first_page)
{
    for (size_t i = 0; i < g_count; ++i) {
        SharedMapping& m = g_mappings[i];
        if (m.file.file != file || m.first_page + m.borrowed <= first_page)
            continue;
        u64 keep = first_page > m.first_page ? first_page - m.first_page : 0;
        release_pages(m.start + keep * k_page_size, m.start + m.borrowed * k_page_size);
        m.borrowed = keep;
    }
}

Result<u64> map_private_copy(u64 hint, u64 length, u32 protection, u32 flags, u64 offset, u64 max_size,
    FillMapping fill, void* context)
{
    if (length == 0 || offset % k_page_size)
        return error(EINVAL);
    u64 aligned = align_up(length, k_page_size);
    if (aligned < length || offset + aligned < offset || offset + aligned > max_size)
        return error(EOVERFLOW);
    u32 fixed = flags & (k_map_fixed | k_map_fixed_noreplace);
    u32 writable = protection | arch::k_prot_read | arch::k_prot_write;
    u64 start = TRY(map_anonymous(hint, aligned, writable, fixed | k_map_private | k_map_anonymous));
    // The copy touches the pages from runtime code; the page-fault handler backs them.
    auto filled = fill(context, reinterpret_cast<void*>(start), offset, aligned);
    if (filled.is_error()) {
        (void)unmap(start, aligned);
        return error(filled.error_code());
    }
    if (writable != protection) {
        auto changed = protect(start, aligned, protection);
        if (changed.is_error()) {
            (void)unmap(start, aligned);
            return error(changed.error_code());
        }
    }
    return start;
}

Result<u64> map_file(u64 hint, u64 length, u32 protection, u32 flags, MappedFile file, u64 offset)
{
    if (!(flags & k_map_shared)) {
        auto fill = [](void* context, void* address, u64 at, u64 bytes) -> Result<void> {
            auto& mapped = *static_cast<MappedFile*>(context);
            return mapped.pager->read(mapped.file, at, address, bytes);
        };
        return map_private_copy(hint, length, protection, flags, offset, file.pager->max_size, fill, &file);
    }
    if (length == 0 || offset % k_page_size)
        return error(EINVAL);
    u64 aligned = align_up(length, k_page_size);
    if (aligned < length || offset + aligned < offset || offset + aligned > file.pager->max_size)
        return error(EOVERFLOW);
    u32 fixed = flags & (k_map_fixed | k_map_fixed_noreplace);

    VERIFY(may_change_file_mappings());
    // One hold from the range's creation to its record: a page fault or an munmap on another CPU
    // meanwhile would find a region without its file.
    AddressSpaceGuard guard;
    if (g_count == k_max_mappings)
        return error(ENOMEM);
    u64 start = TRY(map_anonymous(hint, aligned, protection, fixed | k_map_shared | k_map_anonymous | k_map_noreserve));
    u64 pages = aligned / k_page_size;
    for (u64 i = 0; i < pages; ++i) {
        auto page = file.pager->page(file.file, offset / k_page_size + i);
        Result<void> mapped = page.is_error() ? Result<void>(error(ENOMEM))
                                              : arch::map_page(start + i * k_page_size, page.value(),
                                                    protection == arch::k_prot_none ? arch::k_prot_none : protection);
        if (mapped.is_error()) {
            release_pages(start, start + i * k_page_size);
            (void)unmap(start, aligned);
            return error(ENOMEM);
        }
    }
    file.pager->attach(file.file);
    g_mappings[g_count++] = { start, start + aligned, file, offset / k_page_size, pages };
    return start;
}

}
