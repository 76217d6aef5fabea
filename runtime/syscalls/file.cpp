// SPDX-License-Identifier: MIT
// Opening and changing files: open, openat, creat, truncate, ftruncate, fallocate, fsync,
// fdatasync, sync, syncfs, flock, fadvise64, access, faccessat(2), chmod family, chown family,
// utimensat family, statfs, fstatfs, mknod(at). Everything runs as root, so permission bits are
// recorded and reported but only execute permission is ever checked (as Linux does for root).
#include "fs/file_description.h"
#include "fs/vfs.h"
#include "lib/linux/time.h"
#include "lib/string.h"
#include "sched/clock.h"
#include "syscalls/file_support.h"

namespace uk {

namespace {

constexpr u32 k_access_f = 0, k_access_x = 1, k_access_w = 2, k_access_r = 4;
constexpr long k_utime_now = (1l << 30) - 1, k_utime_omit = (1l << 30) - 2;
constexpr u32 k_lock_sh = 1, k_lock_ex = 2, k_lock_nb = 4, k_lock_un = 8;

Result<int> open_at(long dirfd, long user_path, u32 flags, u32 mode)
{
    PathBuffer path;
    TRY(copy_path(user_path, path));
    if ((flags & k_o_accmode) == k_o_accmode && !(flags & k_o_path))
        return error(EINVAL);
    if (flags & k_o_path)
        flags &= k_o_path | k_o_cloexec | k_o_directory | k_o_nofollow;
    fs::Inode* base = TRY(base_directory(dirfd, path.chars));
    auto* description = TRY(fs::open(*base, path.chars, flags, mode));
    return fs::install(description, (flags & k_o_cloexec) ? k_fd_cloexec : 0);
}

Result<void> check_access(long dirfd, long user_path, u32 mode, u32 flags)
{
    if (mode & ~7u)
        return error(EINVAL);
    if (flags & ~(k_at_eaccess | k_at_symlink_nofollow | k_at_empty_path))
        return error(EINVAL);
    PathBuffer path;
    TRY(copy_path(user_path, path, flags & k_at_empty_path));
    fs::Inode* inode;
    if (!path.chars[0]) {
        inode = TRY(descriptor_inode(dirfd));
    } else {
        fs::Inode* base = TRY(base_directory(dirfd, path.chars));
        inode = TRY(fs::resolve(*base, path.chars, (flags & k_at_symlink_nofollow) ? 0 : fs::k_resolve_follow));
    }
    TRY(fs::refresh(*inode));
    // Root may read and write anything; it may execute what has an execute bit (directories:
    // search them).
    if ((mode & k_access_x) && !inode->is_directory() && !(inode->mode & 0111))
        return error(EACCES);
    (void)k_access_f, (void)k_access_r, (void)k_access_w;
    return {};
}

// The node a *at() call with flags (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH) names.
Result<fs::Inode*> node_at(long dirfd, long user_path, u32 flags, bool follow_default = true)
{
    PathBuffer path;
    TRY(copy_path(user_path, path, flags & k_at_empty_path));
    if (!path.chars[0])
        return descriptor_inode(dirfd);
    fs::Inode* base = TRY(base_directory(dirfd, path.chars));
    bool follow = follow_default && !(flags & k_at_symlink_nofollow);
    return fs::resolve(*base, path.chars, follow ? fs::k_resolve_follow : 0);
}

Result<void> change_mode(fs::Inode& inode, u32 mode)
{
    fs::AttributeChange change;
    change.mask = fs::AttributeChange::k_mode;
    change.mode = mode & 07777;
    return fs::change_attributes(inode, change);
}

Result<void> change_owner(fs::Inode& inode, long uid, long gid)
{
    fs::AttributeChange change;
    if (static_cast<u32>(uid) != 0xffffffffu) {
        change.mask |= fs::AttributeChange::k_uid;
        change.uid = static_cast<u32>(uid);
    }
    if (static_cast<u32>(gid) != 0xffffffffu) {
        change.mask |= fs::AttributeChange::k_gid;
        change.gid = static_cast<u32>(gid);
    }
    return fs::change_attributes(inode, change);
}

Result<void> set_times(fs::Inode& inode, const Timespec* times)
{
    fs::AttributeChange change;
    change.mask = fs::AttributeChange::k_access_time | fs::AttributeChange::k_modify_time;
    if (!times) {
        change.access_now = change.modify_now = true;
        return fs::change_attributes(inode, change);
    }
    change.mask = 0;
    for (int i = 0; i < 2; ++i) {
        i64 nsec = times[i].nanoseconds;
        if (nsec == k_utime_omit)
            continue;
        bool now = nsec == k_utime_now;
        if (!now && (nsec < 0 || nsec >= 1'000'000'000))
            return error(EINVAL);
        i64 value = now ? 0 : times[i].seconds * 1'000'000'000 + nsec;
        if (i == 0) {
            change.mask |= fs::AttributeChange::k_access_time;
            change.access_now = now;
            change.access_ns = value;
        } else {
            change.mask |= fs::AttributeChange::k_modify_time;
            change.modify_now = now;
            change.modify_ns = value;
        }
    }
    // Both omitted: only ctime would change (Linux does not even do that); nothing to ask.
    if (change.mask == 0)
        return {};
    return fs::change_attributes(inode, change);
}

Result<void> set_times_at(long dirfd, long user_path, long user_times, u32 flags)
{
    if (flags & ~(k_at_symlink_nofollow | k_at_empty_path))
        return error(EINVAL);
    Timespec times[2];
    if (user_times) {
        if (!user_readable(user_times, sizeof(times)))
            return error(EFAULT);
        copy_bytes(times, reinterpret_cast<const void*>(user_times), sizeof(times));
    }
    fs::Inode* inode;
    if (!user_path) {
        inode = TRY(descriptor_inode(dirfd)); // futimens
    } else {
        inode = TRY(node_at(dirfd, user_path, flags));
    }
    return set_times(*inode, user_times ? times : nullptr);
}

Result<void> set_times_from_timevals(long dirfd, long user_path, long user_times)
{
    fs::Inode* inode = TRY(node_at(dirfd, user_path, 0));
    if (!user_times)
        return set_times(*inode, nullptr);
    if (!user_readable(user_times, 2 * sizeof(Timeval)))
        return error(EFAULT);
    auto* tv = reinterpret_cast<const Timeval*>(user_times);
    Timespec times[2];
    for (int i = 0; i < 2; ++i) {
        if (tv[i].microseconds < 0 || tv[i].microseconds >= 1'000'000)
            return error(EINVAL);
        times[i] = { tv[i].seconds, tv[i].microseconds * 1000 };
    }
    return set_times(*inode, times);
}

// Linux's struct statfs for x86_64.
struct StatFs {
    i64 type, block_size;
    u64 blocks, blocks_free, blocks_available, files, files_free;
    i32 fsid[2];
    i64 name_length, fragment_size, flags;
    i64 spare[4];
};
static_assert(sizeof(StatFs) == 120);

Result<void> fill_statfs(fs::Inode& inode, long user_buffer)
{
    if (!user_writable(user_buffer, sizeof(StatFs)))
        return error(EFAULT);
    fs::FileSystemStatistics stats;
    TRY(fs::statistics(inode, stats));
    StatFs out {};
    out.type = stats.type;
    out.block_size = stats.block_size;
    out.blocks = stats.blocks;
    out.blocks_free = stats.blocks_free;
    out.blocks_available = stats.blocks_available;
    out.files = stats.files;
    out.files_free = stats.files_free;
    out.fsid[0] = stats.fsid[0];
    out.fsid[1] = stats.fsid[1];
    out.name_length = stats.name_length;
    out.fragment_size = stats.fragment_size;
    out.flags = stats.flags;
    copy_bytes(reinterpret_cast<void*>(user_buffer), &out, sizeof(out));
    return {};
}

Result<void> make_node_at(long dirfd, long user_path, u32 mode, u32 device)
{
    PathBuffer path;
    TRY(copy_path(user_path, path));
    fs::Inode* base = TRY(base_directory(dirfd, path.chars));
    u32 type = mode & fs::k_mode_type_mask;
    if (type == 0)
        type = fs::k_mode_regular;
    if (type == fs::k_mode_directory)
        return error(EPERM);
    if (type != fs::k_mode_regular && type != fs::k_mode_fifo && type != fs::k_mode_char_device
        && type != fs::k_mode_block_device && type != fs::k_mode_socket)
        return error(EINVAL);
    // Linux's dev_t encoding: major in bits 8-19, minor in 0-7 and 20-31.
    u32 number = ((device >> 8) & 0xfff) << 8 | (device & 0xff);
    TRY(fs::create_node(*base, path.chars, type | (mode & 07777), number));
    return {};
}

} // namespace

}

using namespace uk;

UK_SYSCALL_HANDLER(open) { return open_at(k_at_fdcwd, a0, static_cast<u32>(a1), static_cast<u32>(a2)); }
UK_SYSCALL_HANDLER(openat) { return open_at(a0, a1, static_cast<u32>(a2), static_cast<u32>(a3)); }
UK_SYSCALL_HANDLER(creat)
{
    return open_at(k_at_fdcwd, a0, k_o_creat | k_o_wronly | k_o_trunc, static_cast<u32>(a1));
}

UK_SYSCALL_HANDLER(truncate)
{
    if (a1 < 0)
        return error(EINVAL);
    PathBuffer path;
    TRY(copy_path(a0, path));
    fs::Inode* inode = TRY(fs::resolve(fs::working_directory(), path.chars, fs::k_resolve_follow));
    TRY(fs::refresh(*inode));
    if (inode->is_directory())
        return error(EISDIR);
    if (!inode->is_regular() || inode->generator)
        return error(EINVAL);
    fs::AttributeChange change;
    change.mask = fs::AttributeChange::k_size;
    change.size = static_cast<u64>(a1);
    TRY(fs::change_attributes(*inode, change));
    return 0;
}

UK_SYSCALL_HANDLER(ftruncate)
{
    auto* file = TRY(fs::get(static_cast<int>(a0)));
    fs::DescriptionRef hold(file);
    if (a1 < 0)
        return error(EINVAL);
    if (!file->can_write() || !file->inode() || !file->inode()->is_regular())
        return error(file->is_path_only() ? EBADF : EINVAL);
    TRY(file->truncate(static_cast<u64>(a1)));
    return 0;
}

UK_SYSCALL_HANDLER(fallocate)
{
    auto* file = TRY(fs::get(static_cast<int>(a0)));
    fs::DescriptionRef hold(file);
    u32 mode = static_cast<u32>(a1);
    if (a2 < 0 || a3 <= 0)
        return error(EINVAL);
    if (!file->can_write())
        return error(EBADF);
    fs::Inode* inode = file->inode();
    if (!inode)
        return error(ESPIPE);
    if (inode->is_directory())
        return error(EISDIR);
    if (!inode->is_regular())
        return error(ENODEV);
    TRY(fs::allocate(*inode, mode, static_cast<u64>(a2), static_cast<u64>(a3)));
    return 0;
}

UK_SYSCALL_HANDLER(fsync)
{
    auto* file = TRY(fs::get(static_cast<int>(a0)));
    fs::DescriptionRef hold(file);
    TRY(file->sync());
    return 0;
}
UK_SYSCALL_HANDLER(fdatasync) { return sys_fsync(a0, 0, 0, 0, 0, 0); }
// Memory is the only storage: there is nothing to write back.
UK_SYSCALL_HANDLER(sync) { return 0; }
UK_SYSCALL_HANDLER(syncfs)
{
    TRY(fs::fd_flags(static_cast<int>(a0)));
    return 0;
}
UK_SYSCALL_HANDLER(sync_file_range)
{
    TRY(fs::fd_flags(static_cast<int>(a0)));
    return 0;
}

// One process: every lock it asks for is granted (as the issue specifies).
UK_SYSCALL_HANDLER(flock)
{
    auto* file = TRY(fs::get(static_cast<int>(a0)));
    fs::DescriptionRef hold(file);
    u32 operation = static_cast<u32>(a1) & ~k_lock_nb;
    if (operation != k_lock_sh && operation != k_lock_ex && operation != k_lock_un)
        return error(EINVAL);
    if (file->is_path_only())
        return error(EBADF);
    return 0;
}

UK_SYSCALL_HANDLER(fadvise64)
{
    auto* file = TRY(fs::get(static_cast<int>(a0)));
    fs::DescriptionRef hold(file);
    if (!file->inode() || file->inode()->type() == fs::k_mode_fifo)
        return error(ESPIPE);
    if (a3 < 0 || a3 > 5)
        return error(EINVAL);
    return 0;
}
UK_SYSCALL_HANDLER(readahead)
{
    TRY(fs::fd_flags(static_cast<int>(a0)));
    return 0;
}

UK_SYSCALL_HANDLER(access)
{
    TRY(check_access(k_at_fdcwd, a0, static_cast<u32>(a1), 0));
    return 0;
}
UK_SYSCALL_HANDLER(faccessat)
{
    TRY(check_access(a0, a1, static_cast<u32>(a2), 0));
    return 0;
}
UK_SYSCALL_HANDLER(faccessat2)
{
    TRY(check_access(a0, a1, static_cast<u32>(a2), static_cast<u32>(a3)));
    return 0;
}

UK_SYSCALL_HANDLER(chmod)
{
    fs::Inode* inode = TRY(node_at(k_at_fdcwd, a0, 0));
    TRY(change_mode(*inode, static_cast<u32>(a1)));
    return 0;
}
UK_SYSCALL_HANDLER(fchmod)
{
    fs::Inode* inode = TRY(descriptor_inode(a0));
    TRY(change_mode(*inode, static_cast<u32>(a1)));
    return 0;
}
UK_SYSCALL_HANDLER(fchmodat)
{
    fs::Inode* inode = TRY(node_at(a0, a1, 0));
    TRY(change_mode(*inode, static_cast<u32>(a2)));
    return 0;
}

UK_SYSCALL_HANDLER(chown)
{
    fs::Inode* inode = TRY(node_at(k_at_fdcwd, a0, 0));
    TRY(change_owner(*inode, a1, a2));
    return 0;
}
UK_SYSCALL_HANDLER(lchown)
{
    fs::Inode* inode = TRY(node_at(k_at_fdcwd, a0, k_at_symlink_nofollow));
    TRY(change_owner(*inode, a1, a2));
    return 0;
}
UK_SYSCALL_HANDLER(fchown)
{
    fs::Inode* inode = TRY(descriptor_inode(a0));
    TRY(change_owner(*inode, a1, a2));
    return 0;
}
UK_SYSCALL_HANDLER(fchownat)
{
    if (a4 & ~static_cast<long>(k_at_symlink_nofollow | k_at_empty_path))
        return error(EINVAL);
    fs::Inode* inode = TRY(node_at(a0, a1, static_cast<u32>(a4)));
    TRY(change_owner(*inode, a2, a3));
    return 0;
}

UK_SYSCALL_HANDLER(utimensat)
{
    TRY(set_times_at(a0, a1, a2, static_cast<u32>(a3)));
    return 0;
}
UK_SYSCALL_HANDLER(futimesat)
{
    TRY(set_times_from_timevals(a0, a1, a2));
    return 0;
}
UK_SYSCALL_HANDLER(utimes)
{
    TRY(set_times_from_timevals(k_at_fdcwd, a0, a1));
    return 0;
}
UK_SYSCALL_HANDLER(utime)
{
    fs::Inode* inode = TRY(node_at(k_at_fdcwd, a0, 0));
    if (!a1) {
        TRY(set_times(*inode, nullptr));
        return 0;
    }
    if (!user_readable(a1, 16))
        return error(EFAULT);
    auto* seconds = user_pointer<const i64>(a1);
    Timespec times[2] = { { seconds[0], 0 }, { seconds[1], 0 } };
    TRY(set_times(*inode, times));
    return 0;
}

UK_SYSCALL_HANDLER(statfs)
{
    fs::Inode* inode = TRY(node_at(k_at_fdcwd, a0, 0));
    TRY(fill_statfs(*inode, a1));
    return 0;
}
UK_SYSCALL_HANDLER(fstatfs)
{
    auto* file = TRY(fs::get(static_cast<int>(a0)));
    fs::DescriptionRef hold(file);
    // Pipes, sockets and the console have no node: they live in memory like the ramfs.
    fs::Inode* inode = file->inode();
    TRY(fill_statfs(inode ? *inode : fs::root(), a1));
    return 0;
}

UK_SYSCALL_HANDLER(mknod)
{
    TRY(make_node_at(k_at_fdcwd, a0, static_cast<u32>(a1), static_cast<u32>(a2)));
    return 0;
}
UK_SYSCALL_HANDLER(mknodat)
{
    TRY(make_node_at(a0, a1, static_cast<u32>(a2), static_cast<u32>(a3)));
    return 0;
}

UK_SYSCALL_HANDLER(chroot) { return error(EPERM); }
