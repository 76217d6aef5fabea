// SPDX-License-Identifier: MIT
// The ramfs behind the FileSystem interface: the tree's changes on inodes and directory entries
// in memory (fs/inode.cpp, fs/directory.cpp), made after fs/vfs.cpp's checks.
#include "fs/directory.h"
#include "fs/file_description.h"
#include "fs/ramfs.h"
#include "fs/vfs.h"
#include "lib/string.h"
#include "lib/verify.h"
#include "mm/kmalloc.h"

namespace uk::fs {

namespace {

constexpr u32 k_falloc_keep_size = 1, k_falloc_punch_hole = 2, k_falloc_zero_range = 0x10;

class Ramfs final : public FileSystem {
public:
    constexpr Ramfs() = default;

    Result<Inode*> lookup(Inode& directory, Name name) override
    {
        DirEntry* entry = find_entry(directory, name);
        return entry ? entry->inode : nullptr;
    }

    Result<const char*> link_target(Inode& link) override
    {
        link.access_ns = now_ns();
        return static_cast<const char*>(link.link_target);
    }

    Result<void> refresh(Inode&) override { return {}; }

    Result<Inode*> create(Inode& directory, Name name, u32 mode, u32 device_number) override
    {
        Inode* inode = create_inode(mode);
        if (!inode)
            return error(ENOSPC);
        inode->device_number = device_number;
        auto added = add_entry(directory, name, *inode);
        unref(*inode); // The directory entry holds it now, or nothing does and it is freed.
        if (added.is_error())
            return error(added.error_code());
        return inode;
    }

    Result<Inode*> create_symlink(Inode& directory, Name name, const char* target) override
    {
        size_t length = string_length(target);
        // Symlink targets of up to 2015 bytes fit a slab block.
        if (length + 1 > 2016)
            return error(ENAMETOOLONG);
        char* copy = static_cast<char*>(kmalloc(length + 1));
        if (!copy)
            return error(ENOSPC);
        copy_bytes(copy, target, length + 1);
        Inode* inode = create_inode(k_mode_symlink | 0777);
        if (!inode) {
            kfree(copy);
            return error(ENOSPC);
        }
        inode->link_target = copy;
        inode->size = length;
        auto added = add_entry(directory, name, *inode);
        unref(*inode);
        if (added.is_error())
            return error(added.error_code());
        return inode;
    }

    Result<void> link(Inode& target, Inode& directory, Name name) override
    {
        return add_entry(directory, name, target);
    }

    Result<void> unlink(Inode& directory, Name name, Inode&) override
    {
        DirEntry* entry = find_entry(directory, name);
        VERIFY(entry);
        remove_entry(directory, *entry);
        return {};
    }

    Result<void> remove_directory(Inode& directory, Name name, Inode& child) override
    {
        if (!is_empty(child))
            return error(ENOTEMPTY);
        DirEntry* entry = find_entry(directory, name);
        VERIFY(entry);
        remove_entry(directory, *entry);
        return {};
    }

    Result<void> rename(Lookup& from, Lookup& to, u32 flags) override;

    Result<FileDescription*> open(Inode& inode, u32 flags) override
    {
        if (!(flags & k_o_path) && (flags & k_o_trunc) && inode.is_regular() && !inode.generator)
            TRY(set_size(inode, 0));
        ref(inode);
        return open_ramfs_node(inode, flags);
    }

    Result<FileDescription*> create_and_open(Inode& directory, Name name, u32 flags, u32 mode) override
    {
        Inode* inode = create_inode(k_mode_regular | mode);
        if (!inode)
            return error(ENOSPC);
        auto added = add_entry(directory, name, *inode);
        if (added.is_error()) {
            unref(*inode);
            return error(added.error_code());
        }
        return open_ramfs_node(*inode, flags); // create_inode's reference becomes the description's.
    }

    Result<FileDescription*> open_unnamed(Inode&, u32 flags, u32 mode) override
    {
        Inode* inode = create_inode(k_mode_regular | mode);
        if (!inode)
            return error(ENOSPC);
        return open_ramfs_node(*inode, flags);
    }

    Result<void> change_attributes(Inode& inode, const AttributeChange& change) override
    {
        if (change.mask & AttributeChange::k_size)
            TRY(set_size(inode, change.size));
        i64 now = now_ns();
        if (change.mask & AttributeChange::k_mode)
            inode.mode = (inode.mode & k_mode_type_mask) | (change.mode & 07777);
        if (change.mask & AttributeChange::k_uid)
            inode.uid = change.uid;
        if (change.mask & AttributeChange::k_gid)
            inode.gid = change.gid;
        if (change.mask & AttributeChange::k_access_time)
            inode.access_ns = change.access_now ? now : change.access_ns;
        if (change.mask & AttributeChange::k_modify_time)
            inode.modify_ns = change.modify_now ? now : change.modify_ns;
        inode.change_ns = now;
        return {};
    }

    Result<void> allocate(Inode& inode, u32 mode, u64 offset, u64 length) override;

    Result<void> statistics(Inode&, FileSystemStatistics& out) override
    {
        ramfs_statistics(out);
        return {};
    }

    Result<Name> name_of(Inode& directory, Inode& child) override
    {
        DirEntry* entry = directory.entries.find_first([&](DirEntry& e) { return e.inode == &child; });
        if (!entry)
            return error(ENOENT);
        return entry->as_name();
    }

    void unreferenced(Inode& inode) override { maybe_free(inode); }
};

Result<void> Ramfs::rename(Lookup& from, Lookup& to, u32 flags)
{
    Inode& moving = *from.inode;
    if (flags & k_rename_exchange) {
        Inode& other = *to.inode;
        DirEntry* a = find_entry(*from.parent, from.last);
        DirEntry* b = find_entry(*to.parent, to.last);
        VERIFY(a && b);
        // Swap the entries' targets, then fix the directories' link counts and parents.
        a->inode = &other;
        b->inode = &moving;
        if (moving.is_directory()) {
            --from.parent->link_count;
            ++to.parent->link_count;
            moving.parent = to.parent;
        }
        if (other.is_directory()) {
            --to.parent->link_count;
            ++from.parent->link_count;
            other.parent = from.parent;
        }
        touch_modify(*from.parent);
        touch_modify(*to.parent);
        touch_change(moving);
        touch_change(other);
        return {};
    }
    if (to.inode && moving.is_directory() && !is_empty(*to.inode))
        return error(ENOTEMPTY);

    ref(moving); // Keeps it alive while it has no entry.
    DirEntry* old_entry = find_entry(*from.parent, from.last);
    VERIFY(old_entry);
    if (to.inode) {
        DirEntry* target_entry = find_entry(*to.parent, to.last);
        VERIFY(target_entry);
        // Replace first: it cannot fail, and the old name is removed only afterwards.
        remove_entry(*from.parent, *old_entry);
        replace_entry(*to.parent, *target_entry, moving);
    } else {
        // Adding can fail for lack of memory; do it before removing the old name.
        Inode* saved_parent = moving.parent;
        u32 saved_links = moving.link_count;
        auto added = add_entry(*to.parent, to.last, moving);
        if (added.is_error()) {
            unref(moving);
            return error(added.error_code());
        }
        if (moving.is_directory()) {
            // add_entry counted a new "." for a directory that already had one, and the old
            // parent still counts this directory's "..".
            moving.link_count = saved_links;
            --saved_parent->link_count;
            drop_entry(*saved_parent, *old_entry);
            touch_modify(*saved_parent);
        } else {
            remove_entry(*from.parent, *old_entry);
        }
    }
    unref(moving);
    return {};
}

Result<void> Ramfs::allocate(Inode& inode, u32 mode, u64 offset, u64 length)
{
    if (offset + length < offset || offset + length > k_max_file_size)
        return error(EFBIG);
    if (mode == 0 || mode == k_falloc_keep_size) {
        u64 old_size = inode.size;
        auto allocated = allocate_range(inode, offset, length);
        if (mode == k_falloc_keep_size && inode.size != old_size)
            inode.size = old_size;
        return allocated;
    }
    if (mode == (k_falloc_punch_hole | k_falloc_keep_size) || mode == k_falloc_zero_range
        || mode == (k_falloc_zero_range | k_falloc_keep_size)) {
        // Zero the range in place (holes and zeros read the same).
        u64 end = offset + length;
        if (!(mode & k_falloc_keep_size) && end > inode.size)
            TRY(set_size(inode, end));
        for (u64 at = offset; at < end && at < inode.size;) {
            u64 page_end = align_down(at, k_page_size) + k_page_size;
            u64 stop = end < page_end ? end : page_end;
            if (u8* page = inode.pages.find(at / k_page_size))
                fill_bytes(page + at % k_page_size, 0, stop - at);
            at = stop;
        }
        touch_modify(inode);
        return {};
    }
    return error(EOPNOTSUPP);
}

constinit Ramfs g_ramfs;

} // namespace

FileSystem& ramfs() { return g_ramfs; }

}
