// SPDX-License-Identifier: MIT
// The tree's shape: getdents64, mkdir(at), rmdir, unlink(at), rename(at)(2), link(at),
// symlink(at), readlink(at), getcwd, chdir, fchdir.
#include "fs/vfs.h"
#include "lib/string.h"
#include "syscalls/file_support.h"

namespace uk {

namespace {

Result<void> make_directory_at(long dirfd, long user_path, u32 mode)
{
    PathBuffer path;
    TRY(copy_path(user_path, path));
    fs::Inode* base = TRY(base_directory(dirfd, path.chars));
    TRY(fs::create_node(*base, path.chars, fs::k_mode_directory | (mode & 07777)));
    return {};
}

Result<void> unlink_at(long dirfd, long user_path, u32 flags)
{
    if (flags & ~static_cast<u32>(k_at_removedir))
        return error(EINVAL);
    PathBuffer path;
    TRY(copy_path(user_path, path));
    fs::Inode* base = TRY(base_directory(dirfd, path.chars));
    if (flags & k_at_removedir)
        return fs::remove_directory(*base, path.chars);
    return fs::unlink(*base, path.chars);
}

Result<void> rename_at(long old_dirfd, long old_user_path, long new_dirfd, long new_user_path, u32 flags)
{
    PathBuffer old_path, new_path;
    TRY(copy_path(old_user_path, old_path));
    TRY(copy_path(new_user_path, new_path));
    fs::Inode* old_base = TRY(base_directory(old_dirfd, old_path.chars));
    fs::Inode* new_base = TRY(base_directory(new_dirfd, new_path.chars));
    return fs::rename(*old_base, old_path.chars, *new_base, new_path.chars, flags);
}

Result<void> link_at(long old_dirfd, long old_user_path, long new_dirfd, long new_user_path, u32 flags)
{
    if (flags & ~(k_at_symlink_follow | k_at_empty_path))
        return error(EINVAL);
    PathBuffer old_path, new_path;
    TRY(copy_path(old_user_path, old_path, flags & k_at_empty_path));
    TRY(copy_path(new_user_path, new_path));
    fs::Inode* new_base = TRY(base_directory(new_dirfd, new_path.chars));
    if (!old_path.chars[0]) {
        // linkat(fd, "", ..., AT_EMPTY_PATH): give an open file a name.
        fs::Inode* inode = TRY(descriptor_inode(old_dirfd));
        return fs::link_node(*inode, *new_base, new_path.chars);
    }
    fs::Inode* old_base = TRY(base_directory(old_dirfd, old_path.chars));
    return fs::create_link(*old_base, old_path.chars, *new_base, new_path.chars,
        (flags & k_at_symlink_follow) ? fs::k_resolve_follow : 0);
}

Result<void> symlink_at(long user_target, long dirfd, long user_path)
{
    PathBuffer target, path;
    TRY(copy_path(user_target, target));
    TRY(copy_path(user_path, path));
    fs::Inode* base = TRY(base_directory(dirfd, path.chars));
    TRY(fs::create_symlink(*base, path.chars, target.chars));
    return {};
}

Result<size_t> readlink_at(long dirfd, long user_path, long user_buffer, long size)
{
    if (size <= 0)
        return error(EINVAL);
    PathBuffer path;
    TRY(copy_path(user_path, path, true));
    if (!user_writable(user_buffer, static_cast<u64>(size)))
        return error(EFAULT);
    if (!path.chars[0]) {
        fs::Inode* inode = TRY(descriptor_inode(dirfd));
        return fs::read_link_of(*inode, reinterpret_cast<char*>(user_buffer), static_cast<size_t>(size));
    }
    fs::Inode* base = TRY(base_directory(dirfd, path.chars));
    return fs::read_link(*base, path.chars, reinterpret_cast<char*>(user_buffer), static_cast<size_t>(size));
}

Result<void> change_directory(fs::Inode& inode)
{
    if (!inode.is_directory())
        return error(ENOTDIR);
    fs::set_working_directory(inode);
    return {};
}

} // namespace

}

using namespace uk;

UK_SYSCALL_HANDLER(getdents64)
{
    auto* file = TRY(fs::get(static_cast<int>(a0)));
    fs::DescriptionRef hold(file);
    if (!user_writable(a1, static_cast<u64>(a2)))
        return error(EFAULT);
    if (file->is_path_only())
        return error(EBADF);
    return TRY(file->read_directory(user_pointer<void>(a1), static_cast<size_t>(a2)));
}

UK_SYSCALL_HANDLER(mkdir)
{
    TRY(make_directory_at(k_at_fdcwd, a0, static_cast<u32>(a1)));
    return 0;
}
UK_SYSCALL_HANDLER(mkdirat)
{
    TRY(make_directory_at(a0, a1, static_cast<u32>(a2)));
    return 0;
}
UK_SYSCALL_HANDLER(rmdir)
{
    TRY(unlink_at(k_at_fdcwd, a0, k_at_removedir));
    return 0;
}
UK_SYSCALL_HANDLER(unlink)
{
    TRY(unlink_at(k_at_fdcwd, a0, 0));
    return 0;
}
UK_SYSCALL_HANDLER(unlinkat)
{
    TRY(unlink_at(a0, a1, static_cast<u32>(a2)));
    return 0;
}
UK_SYSCALL_HANDLER(rename)
{
    TRY(rename_at(k_at_fdcwd, a0, k_at_fdcwd, a1, 0));
    return 0;
}
UK_SYSCALL_HANDLER(renameat)
{
    TRY(rename_at(a0, a1, a2, a3, 0));
    return 0;
}
UK_SYSCALL_HANDLER(renameat2)
{
    TRY(rename_at(a0, a1, a2, a3, static_cast<u32>(a4)));
    return 0;
}
UK_SYSCALL_HANDLER(link)
{
    TRY(link_at(k_at_fdcwd, a0, k_at_fdcwd, a1, 0));
    return 0;
}
UK_SYSCALL_HANDLER(linkat)
{
    TRY(link_at(a0, a1, a2, a3, static_cast<u32>(a4)));
    return 0;
}
UK_SYSCALL_HANDLER(symlink)
{
    TRY(symlink_at(a0, k_at_fdcwd, a1));
    return 0;
}
UK_SYSCALL_HANDLER(symlinkat)
{
    TRY(symlink_at(a0, a1, a2));
    return 0;
}
UK_SYSCALL_HANDLER(readlink) { return TRY(readlink_at(k_at_fdcwd, a0, a1, a2)); }
UK_SYSCALL_HANDLER(readlinkat) { return TRY(readlink_at(a0, a1, a2, a3)); }

UK_SYSCALL_HANDLER(getcwd)
{
    if (!user_writable(a0, static_cast<u64>(a1)))
        return error(EFAULT);
    return TRY(fs::path_of(fs::working_directory(), user_pointer<char>(a0), static_cast<size_t>(a1)));
}

UK_SYSCALL_HANDLER(chdir)
{
    PathBuffer path;
    TRY(copy_path(a0, path));
    fs::Inode* inode = TRY(fs::resolve(fs::working_directory(), path.chars, fs::k_resolve_follow));
    TRY(change_directory(*inode));
    return 0;
}

UK_SYSCALL_HANDLER(fchdir)
{
    fs::Inode* inode = TRY(descriptor_inode(a0));
    TRY(change_directory(*inode));
    return 0;
}
