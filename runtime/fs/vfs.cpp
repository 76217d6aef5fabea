// SPDX-License-Identifier: MIT
// Path operations on the file tree. Errors follow Linux's order of checks closely enough that
// the common failure paths give the same errno (see tests/vm/fs/errno.c); the change itself is
// the business of the file system holding the directory.
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
u32 g_umask = k_default_umask;
void (*g_deferred_tree)();

// A directory whose last link is gone (removed while someone was inside): nothing can be
// created in it any more, as on Linux.
bool is_dead(const Inode& directory) { return directory.link_count == 0; }

Result<void> writable(const Inode& node)
{
    if (node.file_system->is_read_only())
        return error(EROFS);
    return {};
}

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
    TRY(writable(*found.parent));
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

void defer_tree(void (*build)()) { g_deferred_tree = build; }

void build_deferred_tree()
{
    // Cleared first: the builder itself goes through root() and the helpers below.
    if (auto* build = g_deferred_tree) {
        g_deferred_tree = nullptr;
        build();
    }
}

Inode& root()
{
    VERIFY(g_root);
    build_deferred_tree();
    return *g_root;
}

Inode& working_directory()
{
    build_deferred_tree();
    return *g_working_directory;
}

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
    InodeRef hold(found.parent);
    return found.parent->file_system->create(*found.parent, found.last,
        (mode & k_mode_type_mask) | (mode & 07777 & ~g_umask), device_number);
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
    InodeRef hold(found.parent);
    return found.parent->file_system->create_symlink(*found.parent, found.last, target);
}

namespace {

// Links `target` (no directory) at `new_path`. An unlinked file may be linked back only when
// it was made unnamed on purpose (O_TMPFILE: a regular file).
Result<void> link_into(Inode& target, Inode& new_base, const char* new_path, bool from_descriptor)
{
    InodeRef hold_target(&target);
    auto found = TRY(lookup_for_create(new_base, new_path));
    if (found.trailing_slash)
        return error(ENOENT);
    if (target.link_count == 0 && (!from_descriptor || !target.is_regular()))
        return error(ENOENT);
    if (target.file_system != found.parent->file_system)
        return error(EXDEV);
    InodeRef hold(found.parent);
    return found.parent->file_system->link(target, *found.parent, found.last);
}

} // namespace

Result<void> link_node(Inode& target, Inode& new_base, const char* new_path)
{
    if (target.is_directory())
        return error(EPERM);
    return link_into(target, new_base, new_path, true);
}

Result<void> create_link(Inode& old_base, const char* old_path, Inode& new_base, const char* new_path, u32 flags)
{
    InodeRef hold_base(&new_base);
    Inode* target = TRY(resolve(old_base, old_path, flags & k_resolve_follow));
    if (target->is_directory())
        return error(EPERM);
    return link_into(*target, new_base, new_path, false);
}

Result<void> unlink(Inode& base, const char* path)
{
    auto found = TRY(lookup(base, path, 0));
    TRY(writable(*found.parent));
    if (!found.inode)
        return error(ENOENT);
    if (found.inode->is_directory())
        return error(EISDIR);
    if (found.trailing_slash)
        return error(ENOTDIR);
    InodeRef hold_parent(found.parent);
    InodeRef hold_child(found.inode);
    return found.parent->file_system->unlink(*found.parent, found.last, *found.inode);
}

Result<void> remove_directory(Inode& base, const char* path)
{
    auto found = TRY(lookup(base, path, 0));
    if (found.inode && found.last.length && !found.last.is_dot() && !found.last.is_dot_dot())
        TRY(writable(*found.parent));
    if (!found.inode)
        return error(ENOENT);
    if (!found.inode->is_directory())
        return error(ENOTDIR);
    if (found.last.is_dot())
        return error(EINVAL);
    if (found.last.is_dot_dot())
        return error(ENOTEMPTY);
    if (found.inode == g_root || found.last.length == 0 || found.inode->is_mount_root)
        return error(EBUSY);
    InodeRef hold_parent(found.parent);
    InodeRef hold_child(found.inode);
    return found.parent->file_system->remove_directory(*found.parent, found.last, *found.inode);
}

Result<void> rename(Inode& old_base, const char* old_path, Inode& new_base, const char* new_path, u32 flags)
{
    if (flags & ~(k_rename_noreplace | k_rename_exchange | k_rename_whiteout))
        return error(EINVAL);
    if ((flags & k_rename_exchange) && (flags & k_rename_noreplace))
        return error(EINVAL);
    if (flags & k_rename_whiteout)
        return error(EINVAL);
    InodeRef hold_new_base(&new_base);
    auto from = TRY(lookup(old_base, old_path, 0));
    // The second lookup may sleep: everything of the first stays referenced meanwhile.
    InodeRef hold_from_parent(from.parent);
    InodeRef hold_from(from.inode);
    auto to = TRY(lookup(new_base, new_path, 0));
    InodeRef hold_to_parent(to.parent);
    InodeRef hold_to(to.inode);
    // Linux compares the mounts before looking at the names.
    if (from.parent->file_system != to.parent->file_system)
        return error(EXDEV);
    TRY(writable(*from.parent));
    if (!from.inode)
        return error(ENOENT);
    if (from.last.length == 0 || from.last.is_dot() || from.last.is_dot_dot())
        return error(from.last.length == 0 ? EBUSY : EINVAL);
    if (from.inode->is_mount_root || (to.inode && to.inode->is_mount_root))
        return error(EBUSY);
    if (from.trailing_slash && !from.inode->is_directory())
        return error(ENOTDIR);
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
    } else if (to.inode) {
        if (flags & k_rename_noreplace)
            return error(EEXIST);
        // Renaming a file onto another link of itself does nothing (POSIX).
        if (to.inode == &moving)
            return {};
        if (moving.is_directory()) {
            if (!to.inode->is_directory())
                return error(ENOTDIR);
        } else if (to.inode->is_directory()) {
            return error(EISDIR);
        }
    }
    return from.parent->file_system->rename(from, to, flags);
}

Result<size_t> read_link_of(Inode& link, char* buffer, size_t size)
{
    if (!link.is_symlink())
        return error(ENOENT);
    InodeRef hold(&link);
    const char* target = TRY(link.file_system->link_target(link));
    size_t length = string_length(target);
    if (length > size)
        length = size;
    copy_bytes(buffer, target, length);
    return length;
}

Result<size_t> read_link(Inode& base, const char* path, char* buffer, size_t size)
{
    Inode* inode = TRY(resolve(base, path, 0));
    if (!inode->is_symlink())
        return error(EINVAL);
    return read_link_of(*inode, buffer, size);
}

Result<FileDescription*> open(Inode& base, const char* path, u32 open_flags, u32 mode)
{
    if ((open_flags & k_o_tmpfile) == k_o_tmpfile) {
        // An unnamed file in the given directory (linkat with AT_EMPTY_PATH may name it).
        if ((open_flags & k_o_accmode) == k_o_rdonly)
            return error(EINVAL);
        Inode* directory = TRY(resolve(base, path, k_resolve_follow));
        if (!directory->is_directory())
            return error(ENOTDIR);
        TRY(writable(*directory));
        InodeRef hold(directory);
        return directory->file_system->open_unnamed(*directory, open_flags, mode & 07777 & ~g_umask);
    }
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
        TRY(writable(*found.parent));
        InodeRef hold(found.parent);
        return found.parent->file_system->create_and_open(*found.parent, found.last, open_flags,
            mode & 07777 & ~g_umask);
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
    if (!(open_flags & k_o_path)) {
        u32 access = open_flags & k_o_accmode;
        if (inode->is_directory() && access != k_o_rdonly)
            return error(EISDIR);
        if ((access != k_o_rdonly || (open_flags & k_o_trunc)) && !inode->is_symlink())
            TRY(writable(*inode));
    }
    InodeRef hold(inode);
    return inode->file_system->open(*inode, open_flags);
}

Result<Inode*> open_inode(Inode& base, const char* path, u32 open_flags, u32 mode)
{
    auto found = TRY(lookup(base, path, k_resolve_follow));
    Inode* inode = found.inode;
    if (!inode) {
        if (!(open_flags & k_o_creat))
            return error(ENOENT);
        if (found.trailing_slash || found.last.length == 0 || found.last.is_dot() || found.last.is_dot_dot())
            return error(EISDIR);
        if (is_dead(*found.parent))
            return error(ENOENT);
        TRY(writable(*found.parent));
        InodeRef hold(found.parent);
        inode = TRY(found.parent->file_system->create(*found.parent, found.last,
            k_mode_regular | (mode & 07777 & ~g_umask), 0));
        ref(*inode);
        return inode;
    }
    if ((open_flags & k_o_creat) && (open_flags & k_o_excl))
        return error(EEXIST);
    if (inode->is_directory() && (open_flags & k_o_creat))
        return error(EISDIR);
    ref(*inode);
    return inode;
}

Result<void> refresh(Inode& inode)
{
    InodeRef hold(&inode);
    return inode.file_system->refresh(inode);
}

void stat_inode(const Inode& inode, Stat& out)
{
    fill_bytes(&out, 0, sizeof(out));
    out.dev = inode.file_system->device_number();
    out.ino = inode.number;
    out.nlink = inode.link_count;
    out.mode = inode.mode;
    out.uid = inode.uid;
    out.gid = inode.gid;
    out.rdev = inode.device_number;
    if (is_ramfs(inode)) {
        out.size = static_cast<i64>(inode.is_directory() ? (inode.entry_count + 2) * 32 : inode.size);
        out.blksize = k_page_size;
        out.blocks = static_cast<i64>(inode.pages.page_count() * (k_page_size / 512));
    } else {
        out.size = static_cast<i64>(inode.size);
        out.blksize = inode.block_size;
        out.blocks = static_cast<i64>(inode.block_count);
    }
    out.atime_sec = inode.access_ns / 1'000'000'000;
    out.atime_nsec = inode.access_ns % 1'000'000'000;
    out.mtime_sec = inode.modify_ns / 1'000'000'000;
    out.mtime_nsec = inode.modify_ns % 1'000'000'000;
    out.ctime_sec = inode.change_ns / 1'000'000'000;
    out.ctime_nsec = inode.change_ns % 1'000'000'000;
    // Times before 1970 have a negative second and a non-negative nanosecond.
    if (out.atime_nsec < 0) { out.atime_nsec += 1'000'000'000; --out.atime_sec; }
    if (out.mtime_nsec < 0) { out.mtime_nsec += 1'000'000'000; --out.mtime_sec; }
    if (out.ctime_nsec < 0) { out.ctime_nsec += 1'000'000'000; --out.ctime_sec; }
}

Result<void> stat(Inode& inode, Stat& out)
{
    TRY(refresh(inode));
    stat_inode(inode, out);
    return {};
}

Result<void> change_attributes(Inode& inode, const AttributeChange& change)
{
    TRY(writable(inode));
    InodeRef hold(&inode);
    return inode.file_system->change_attributes(inode, change);
}

Result<void> allocate(Inode& inode, u32 mode, u64 offset, u64 length)
{
    TRY(writable(inode));
    InodeRef hold(&inode);
    return inode.file_system->allocate(inode, mode, offset, length);
}

Result<void> statistics(Inode& inode, FileSystemStatistics& out)
{
    fill_bytes(&out, 0, sizeof(out));
    InodeRef hold(&inode);
    TRY(inode.file_system->statistics(inode, out));
    if (inode.file_system->is_read_only())
        out.flags |= k_statfs_read_only;
    return {};
}

Result<size_t> path_of(Inode& directory, char* out, size_t size)
{
    if (directory.link_count == 0)
        return error(ENOENT); // The working directory was removed.
    char reversed[k_path_max];
    size_t length = 0;
    for (Inode* at = &directory; at != g_root;) {
        Inode* parent = at->parent;
        if (!parent || parent == at)
            return error(ENOENT);
        Name name = TRY(parent->file_system->name_of(*parent, *at));
        if (length + name.length + 1 >= sizeof(reversed))
            return error(ENAMETOOLONG);
        for (size_t i = name.length; i-- > 0;)
            reversed[length++] = name.chars[i];
        reversed[length++] = '/';
        at = parent;
    }
    if (length == 0)
        reversed[length++] = '/';
    if (length + 1 > size)
        return error(ERANGE);
    for (size_t i = 0; i < length; ++i)
        out[i] = reversed[length - 1 - i];
    out[length] = 0;
    return length + 1;
}

Result<Inode*> make_directories(const char* path)
{
    char partial[k_path_max];
    size_t length = string_length(path);
    if (length >= k_path_max)
        return error(ENAMETOOLONG);
    build_deferred_tree();
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
    Inode* inode = TRY(open_inode(root(), path, k_o_creat | k_o_wronly, mode));
    VERIFY(is_ramfs(*inode));
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
