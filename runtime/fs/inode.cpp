// SPDX-License-Identifier: MIT
// Inode lifetime and regular-file data.
#include "fs/inode.h"

#include "arch/arch.h"
#include "fs/file_system.h"

#include "lib/string.h"
#include "lib/verify.h"
#include "mm/file_mapping.h"
#include "mm/kmalloc.h"
#include "sched/clock.h"

namespace uk::fs {

namespace {
u64 g_next_number = 1;
u64 g_live_inodes;
}

bool Name::equals(const char* other, size_t other_length) const
{
    if (length != other_length)
        return false;
    for (size_t i = 0; i < length; ++i)
        if (chars[i] != other[i])
            return false;
    return true;
}

// The deferred tree's builder (fs/init.cpp) fixes the time for what it creates. Only on its own
// CPU: it runs without preemption, and a pipe or socket written on another CPU meanwhile (those
// calls take no RuntimeLock) must still get the true time.
i64 g_fixed_time_ns;
u32 g_fixed_time_cpu;

i64 now_ns()
{
    i64 fixed = __atomic_load_n(&g_fixed_time_ns, __ATOMIC_ACQUIRE);
    if (fixed && __atomic_load_n(&g_fixed_time_cpu, __ATOMIC_RELAXED) == arch::this_cpu())
        return fixed;
    return static_cast<i64>(clock::realtime_ns());
}

void set_fixed_time_ns(i64 ns)
{
    __atomic_store_n(&g_fixed_time_cpu, arch::this_cpu(), __ATOMIC_RELAXED);
    __atomic_store_n(&g_fixed_time_ns, ns, __ATOMIC_RELEASE);
}

Inode* create_inode(u32 mode)
{
    auto* inode = make<Inode>();
    if (!inode)
        return nullptr;
    inode->file_system = &ramfs();
    inode->number = g_next_number++;
    inode->mode = mode;
    inode->references = 1;
    inode->next_cookie = 2; // 0 and 1 are "." and "..".
    i64 now = now_ns();
    inode->access_ns = inode->modify_ns = inode->change_ns = inode->birth_ns = now;
    ++g_live_inodes;
    return inode;
}

void ref(Inode& inode)
{
    ++inode.references;
    VERIFY(inode.references != 0);
}

void unref(Inode& inode)
{
    VERIFY(inode.references > 0);
    if (--inode.references == 0)
        inode.file_system->unreferenced(inode);
}

void maybe_free(Inode& inode)
{
    if (inode.references || inode.link_count)
        return;
    VERIFY(is_ramfs(inode));
    VERIFY(inode.entries.empty());
    VERIFY(!inode.name_buckets); // Freed with the directory's last entry.
    VERIFY(inode.shared_mappings == 0);
    inode.pages.clear();
    kfree(inode.link_target);
    --g_live_inodes;
    destroy(&inode);
}

u64 inode_count() { return g_live_inodes; }

void touch_modify(Inode& inode) { inode.modify_ns = inode.change_ns = now_ns(); }
void touch_change(Inode& inode) { inode.change_ns = now_ns(); }

size_t read_data(Inode& inode, u64 offset, void* buffer, size_t length)
{
    if (offset >= inode.size)
        return 0;
    if (length > inode.size - offset)
        length = static_cast<size_t>(inode.size - offset);
    auto* out = static_cast<u8*>(buffer);
    size_t done = 0;
    while (done < length) {
        u64 at = offset + done;
        size_t in_page = static_cast<size_t>(at % k_page_size);
        size_t n = k_page_size - in_page;
        if (n > length - done)
            n = length - done;
        if (const u8* page = inode.pages.find(at / k_page_size))
            copy_bytes(out + done, page + in_page, n);
        else
            fill_bytes(out + done, 0, n);
        done += n;
    }
    return length;
}

Result<size_t> write_data(Inode& inode, u64 offset, const void* buffer, size_t length)
{
    if (length == 0)
        return static_cast<size_t>(0);
    if (offset >= k_max_file_size)
        return error(EFBIG);
    if (length > k_max_file_size - offset)
        length = static_cast<size_t>(k_max_file_size - offset);
    auto* in = static_cast<const u8*>(buffer);
    size_t done = 0;
    while (done < length) {
        u64 at = offset + done;
        size_t in_page = static_cast<size_t>(at % k_page_size);
        size_t n = k_page_size - in_page;
        if (n > length - done)
            n = length - done;
        auto page = inode.pages.find_or_create(at / k_page_size);
        if (page.is_error()) {
            // A short write, as on a full disk; the next call reports the error.
            if (done)
                break;
            return error(page.error_code());
        }
        copy_bytes(page.value() + in_page, in + done, n);
        done += n;
    }
    if (offset + done > inode.size)
        inode.size = offset + done;
    touch_modify(inode);
    return done;
}

Result<void> set_size(Inode& inode, u64 size)
{
    if (size > k_max_file_size)
        return error(EFBIG);
    if (size < inode.size) {
        u64 first_whole = align_up(size, k_page_size) / k_page_size;
        if (inode.shared_mappings)
            mm::file_pages_removed(&inode, first_whole);
        // The tail of a partly kept page must read as zeros if the file grows again.
        if (size % k_page_size)
            if (u8* page = inode.pages.find(size / k_page_size))
                fill_bytes(page + size % k_page_size, 0, k_page_size - size % k_page_size);
        inode.pages.truncate(first_whole);
    }
    inode.size = size;
    touch_modify(inode);
    return {};
}

Result<void> allocate_range(Inode& inode, u64 offset, u64 length)
{
    if (offset + length < offset || offset + length > k_max_file_size)
        return error(EFBIG);
    u64 end = offset + length;
    for (u64 page = offset / k_page_size; page * k_page_size < end; ++page)
        TRY(inode.pages.find_or_create(page));
    if (end > inode.size) {
        inode.size = end;
        touch_modify(inode);
    }
    return {};
}

namespace {

// Ramfs files as their mappings reach them (mm/file_mapping.h): the pages are the file's own.
void attach_mapping(void* file)
{
    auto& inode = *static_cast<Inode*>(file);
    ref(inode);
    ++inode.shared_mappings;
}

void detach_mapping(void* file)
{
    auto& inode = *static_cast<Inode*>(file);
    --inode.shared_mappings;
    unref(inode);
}

Result<u64> mapping_page(void* file, u64 index)
{
    u8* page = TRY(static_cast<Inode*>(file)->pages.find_or_create(index));
    return reinterpret_cast<u64>(page);
}

Result<void> mapping_read(void* file, u64 offset, void* address, u64 length)
{
    auto& inode = *static_cast<Inode*>(file);
    u64 available = inode.size > offset ? inode.size - offset : 0;
    read_data(inode, offset, address, available < length ? available : length);
    return {};
}

constexpr mm::FilePager k_ramfs_pager { attach_mapping, detach_mapping, mapping_page, mapping_read, k_max_file_size };

} // namespace

mm::MappedFile mapped_file(Inode& inode) { return { &k_ramfs_pager, &inode }; }

}
