// SPDX-License-Identifier: MIT
// Path operations on the ramfs tree. Errors follow Linux's order of checks closely enough that
// the common failure paths give the same errno (see tests/vm/fs/errno.c).
#include "fs/vfs.h"

#include "fs/directory.h"
#include "fs/file_description.h"
#include "lib/string.h"
#include "lib/verify.h"
#include "mm/kmalloc.h"

namespace uk::fs {

namespace {

Inode* g_root;
Inode* g_working_directory;
u32 g_umask = 022;

// A directory whose last link is gone (removed while someone was inside): nothing can be
// created in it any more, as on Linux.
bool is_dead(const Inode& directory) { return directory.link_count == 0; }

// Lookup for the operations that create `last`: "/" , "." and ".." already exist.
Result<Lookup> lookup_for_create(Inode& base, const char* path)
{
    auto found = TRY(lookup(base, path, 0));
    if (found.last.length == 0 || found.last.is_dot() || found.last.is_dot_dot())
        return error(EEXIST);
    if (found.inode)
        return error(EEXIST);
    if (is_dead(*found.parent))
        return error(ENOENT);
    return found;
}

} // namespace

bool create_root()
{
    if (g_root)
        return true;
    g_root = create_inode(k_mode_directory | 0755);
    if (!g_root)
        return false;
    g_root->link_count = 2;
    g_root->parent = g_root;
    g_working_directory = g_root;
    ref(*g_root); // The working directory's reference.
    return true;
}

Inode& root()
{
    VERIFY(g_root);
    return *g_root;
}

Inode& working_directory() { return *g_working_directory; }

void set_working_directory(Inode& directory)
{
    ref(directory);
    Inode* old = g_working_directory;
    g_working_directory = &directory;
    unref(*old);
}

u32 umask() { return g_umask; }

u32 set_umask(u32 mask)
{
    u32 old = g_umask;
    g_umask = mask & 0777;
    return old;
}

Result<Inode*> create_node(Inode& base, const char* path, u32 mode, u32 device_number)
{
    auto found = TRY(lookup_for_create(base, path));
    if (found.trailing_slash && (mode & k_mode_type_mask) != k_mode_directory)
        return error(ENOENT);
    Inode* inode = create_inode((mode & k_mode_type_mask) | (mode & 07777 & ~g_umask));
    if (!inode)
        return error(ENOSPC);
    inode->device_number = device_number;
    auto added = add_entry(*found.parent, found.last, *inode);
    unref(*inode); // The directory entry holds it now, or nothing does and it is freed.
    if (added.is_error())
        return error(added.error_code());
    return inode;
}

Result<Inode*> create_symlink(Inode& base, const char* path, const char* target)
{
    size_t length = string_length(target);
    if (length == 0)
        return error(ENOENT);
    if (length >= k_path_max)
        return error(ENAMETOOLONG);
    auto found = TRY(lookup_for_create(base, path));
    if (found.trailing_slash)
        return error(ENOENT);
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
    auto added = add_entry(*found.parent, found.last, *inode);
    unref(*inode);
    if (added.is_error())
        return error(added.error_code());
    return inode;
}

Result<void> create_link(Inode& old_base, const char* old_path, Inode& new_base, const char* new_path, u32 flags)
{
    Inode* target = TRY(resolve(old_base, old_path, flags & k_resolve_follow));
    if (target->is_directory())
        return error(EPERM);
    auto found = TRY(lookup_for_create(new_base, new_path));
    if (found.trailing_slash)
        return error(ENOENT);
    if (target->link_count == 0)
        return error(ENOENT); // Linking an unlinked (open) file back in is not allowed without O_TMPFILE.
    TRY(add_entry(*found.parent, found.last, *target));
    return {};
}

Result<void> unlink(Inode& base, const char* path)
{
    auto found = TRY(lookup(base, path, 0));
    if (!found.inode)
        return error(ENOENT);
    if (found.inode->is_directory())
        return error(EISDIR);
    if (found.trailing_slash)
        return error(ENOTDIR);
    DirEntry* entry = find_entry(*found.parent, found.last);
    VERIFY(entry);
    remove_entry(*found.parent, *entry);
    return {};
}

Result<void> remove_directory(Inode& base, const char* path)
{
    auto found = TRY(lookup(base, path, 0));
    if (!found.inode)
        return error(ENOENT);
    if (!found.inode->is_directory())
        return error(ENOTDIR);
    if (found.last.is_dot())
        return error(EINVAL);
    if (found.last.is_dot_dot())
        return error(ENOTEMPTY);
    if (found.inode == g_root || found.last.length == 0)
        return error(EBUSY);
    if (!is_empty(*found.inode))
        return error(ENOTEMPTY);
    DirEntry* entry = find_entry(*found.parent, found.last);
    VERIFY(entry);
    remove_entry(*found.parent, *entry);
    return {};
}

Result<void> rename(Inode& old_base, const char* old_path, Inode& new_base, const char* new_path, u32 flags)
{
    if (flags & ~(k_rename_noreplace | k_rename_exchange | k_rename_whiteout))
        return error(EINVAL);
    if ((flags & k_rename_exchange) && (flags & k_rename_noreplace))
        return error(EINVAL);
    if (flags & k_rename_whiteout)
        return error(EINVAL);
    auto from = TRY(lookup(old_base, old_path, 0));
    if (!from.inode)
        return error(ENOENT);
    if (from.last.length == 0 || from.last.is_dot() || from.last.is_dot_dot())
        return error(from.last.length == 0 ? EBUSY : EINVAL);
    if (from.trailing_slash && !from.inode->is_directory())
        return error(ENOTDIR);
    auto to = TRY(lookup(new_base, new_path, 0));
    if (to.last.length == 0 || to.last.is_dot() || to.last.is_dot_dot())
        return error(to.last.length == 0 ? EBUSY : (to.inode ? EEXIST : EINVAL));
    if (is_dead(*to.parent))
        return error(ENOENT);
    Inode& moving = *from.inode;
    if (to.trailing_slash && !moving.is_directory())
        return error(ENOTDIR);
    // A directory cannot move into its own subtree.
    if (moving.is_directory() && is_ancestor(moving, *to.parent))
        return error(EINVAL);

    if (flags & k_rename_exchange) {
        if (!to.inode)
            return error(ENOENT);
        Inode& other = *to.inode;
        if (other.is_directory() && is_ancestor(other, *from.parent))
            return error(EINVAL);
        if (&moving == &other)
            return {};
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

    if (to.inode) {
        if (flags & k_rename_noreplace)
            return error(EEXIST);
        // Renaming a file onto another link of itself does nothing (POSIX).
        if (to.inode == &moving)
            return {};
        if (moving.is_directory()) {
            if (!to.inode->is_directory())
                return error(ENOTDIR);
            if (!is_empty(*to.inode))
                return error(ENOTEMPTY);
        } else if (to.inode->is_directory()) {
            return error(EISDIR);
        }
    }

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
            IntrusiveList<DirEntry>::remove(*old_entry);
            kfree(old_entry);
            --saved_parent->entry_count;
            touch_modify(*saved_parent);
        } else {
            remove_entry(*from.parent, *old_entry);
        }
    }
    unref(moving);
    return {};
}

Result<size_t> read_link(Inode& base, const char* path, char* buffer, size_t size)
{
    Inode* inode = TRY(resolve(base, path, 0));
    if (!inode->is_symlink())
        return error(EINVAL);
    size_t length = string_length(inode->link_target);
    if (length > size)
        length = size;
    copy_bytes(buffer, inode->link_target, length);
    inode->access_ns = now_ns();
    return length;
}

Result<Inode*> open_inode(Inode& base, const char* path, u32 open_flags, u32 mode)
{
    u32 follow = (open_flags & k_o_nofollow) ? 0u : static_cast<u32>(k_resolve_follow);
    if ((open_flags & k_o_creat) && (open_flags & k_o_excl))
        follow = 0; // O_EXCL: a symlink at the name counts as existing.
    auto found = TRY(lookup(base, path, follow));
    Inode* inode = found.inode;
    if (!inode) {
        if (!(open_flags & k_o_creat))
            return error(ENOENT);
        if (found.trailing_slash)
            return error(EISDIR);
        if (found.last.length == 0 || found.last.is_dot() || found.last.is_dot_dot())
            return error(EISDIR);
        if (is_dead(*found.parent))
            return error(ENOENT);
        inode = create_inode(k_mode_regular | (mode & 07777 & ~g_umask));
        if (!inode)
            return error(ENOSPC);
        auto added = add_entry(*found.parent, found.last, *inode);
        if (added.is_error()) {
            unref(*inode);
            return error(added.error_code());
        }
        return inode; // create_inode's reference becomes the caller's.
    }
    if ((open_flags & k_o_creat) && (open_flags & k_o_excl))
        return error(EEXIST);
    if (inode->is_symlink()) {
        // Only reached with O_NOFOLLOW (or O_EXCL): Linux's ELOOP, except that O_PATH opens
        // the link itself.
        if (!(open_flags & k_o_path))
            return error(ELOOP);
    }
    if (inode->is_directory() && (open_flags & k_o_creat) && !(open_flags & k_o_path))
        return error(EISDIR);
    if ((open_flags & k_o_directory) && !inode->is_directory())
        return error(ENOTDIR);
    ref(*inode);
    return inode;
}

Result<Inode*> make_directories(const char* path)
{
    char partial[k_path_max];
    size_t length = string_length(path);
    if (length >= k_path_max)
        return error(ENAMETOOLONG);
    Inode* directory = g_root;
    for (size_t at = 0; at <= length; ++at) {
        if (at != length && path[at] != '/')
            continue;
        if (at == 0)
            continue;
        copy_bytes(partial, path, at);
        partial[at] = 0;
        auto found = TRY(lookup(*g_root, partial, k_resolve_follow));
        if (!found.inode) {
            if (found.last.length == 0)
                continue;
            Inode* made = TRY(create_node(*g_root, partial, k_mode_directory | 0755));
            directory = made;
        } else if (!found.inode->is_directory()) {
            return error(ENOTDIR);
        } else {
            directory = found.inode;
        }
    }
    return directory;
}

Result<Inode*> write_file(const char* path, const void* data, size_t length, u32 mode)
{
    Inode* inode = TRY(open_inode(*g_root, path, k_o_creat | k_o_wronly, mode));
    auto sized = set_size(*inode, 0);
    auto written = sized.is_error() ? Result<size_t>(error(sized.error_code())) : write_data(*inode, 0, data, length);
    unref(*inode);
    if (written.is_error())
        return error(written.error_code());
    if (written.value() != length)
        return error(ENOSPC);
    return inode;
}

}
