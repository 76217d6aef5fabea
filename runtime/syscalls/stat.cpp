// SPDX-License-Identifier: MIT
// stat, lstat, fstat, newfstatat, statx.
#include "fs/file_description.h"
#include "fs/vfs.h"
#include "lib/string.h"
#include "syscalls/file_support.h"

namespace uk {

namespace {

constexpr u32 k_statx_basic_stats = 0x7ff, k_statx_btime = 0x800;

struct StatxTimestamp {
    i64 sec;
    u32 nsec;
    i32 reserved;
};

// Linux's struct statx.
struct Statx {
    u32 mask;
    u32 block_size;
    u64 attributes;
    u32 link_count;
    u32 uid;
    u32 gid;
    u16 mode;
    u16 spare0;
    u64 inode;
    u64 size;
    u64 blocks;
    u64 attributes_mask;
    StatxTimestamp access, birth, change, modify;
    u32 device_major, device_minor, fs_major, fs_minor;
    u64 mount_id;
    u32 dio_memory_align, dio_offset_align;
    u64 spare[12];
};
static_assert(sizeof(Statx) == 256);
static_assert(__builtin_offsetof(Statx, access) == 64 && __builtin_offsetof(Statx, device_major) == 128);

// The Stat of what (dirfd, path, flags) names, as fstatat resolves it.
Result<void> stat_at(long dirfd, long user_path, u32 flags, fs::Stat& out, i64* birth_ns)
{
    if (flags & ~(k_at_symlink_nofollow | k_at_empty_path | k_at_no_automount | k_at_statx_sync_type))
        return error(EINVAL);
    PathBuffer path;
    TRY(copy_path(user_path, path, flags & k_at_empty_path));
    if (!path.chars[0]) {
        if (dirfd == k_at_fdcwd) {
            TRY(fs::stat(fs::working_directory(), out));
            if (birth_ns)
                *birth_ns = fs::working_directory().birth_ns;
            return {};
        }
        auto* file = TRY(fs::get(static_cast<int>(dirfd)));
        fs::DescriptionRef hold(file);
        TRY(file->stat(out));
        if (birth_ns && file->inode())
            *birth_ns = file->inode()->birth_ns;
        return {};
    }
    fs::Inode* base = TRY(base_directory(dirfd, path.chars));
    u32 follow = (flags & k_at_symlink_nofollow) ? 0 : fs::k_resolve_follow;
    fs::Inode* inode = TRY(fs::resolve(*base, path.chars, follow));
    TRY(fs::stat(*inode, out));
    if (birth_ns)
        *birth_ns = inode->birth_ns;
    return {};
}

Result<void> put_stat(const fs::Stat& st, long user_buffer)
{
    if (!user_writable(user_buffer, sizeof(fs::Stat)))
        return error(EFAULT);
    copy_bytes(reinterpret_cast<void*>(user_buffer), &st, sizeof(st));
    return {};
}

Result<void> stat_path(long dirfd, long user_path, long user_buffer, u32 flags)
{
    fs::Stat st;
    TRY(stat_at(dirfd, user_path, flags, st, nullptr));
    return put_stat(st, user_buffer);
}

StatxTimestamp timestamp(i64 sec, i64 nsec) { return { sec, static_cast<u32>(nsec), 0 }; }

Result<void> statx(long dirfd, long user_path, u32 flags, u32 mask, long user_buffer)
{
    if (mask & 0x80000000u)
        return error(EINVAL); // STATX__RESERVED
    if (!user_writable(user_buffer, sizeof(Statx)))
        return error(EFAULT);
    fs::Stat st;
    i64 birth_ns = -1;
    TRY(stat_at(dirfd, user_path, flags, st, &birth_ns));
    Statx out {};
    out.mask = k_statx_basic_stats | (birth_ns >= 0 ? k_statx_btime : 0);
    out.block_size = static_cast<u32>(st.blksize);
    out.link_count = static_cast<u32>(st.nlink);
    out.uid = st.uid;
    out.gid = st.gid;
    out.mode = static_cast<u16>(st.mode);
    out.inode = st.ino;
    out.size = static_cast<u64>(st.size);
    out.blocks = static_cast<u64>(st.blocks);
    out.access = timestamp(st.atime_sec, st.atime_nsec);
    out.modify = timestamp(st.mtime_sec, st.mtime_nsec);
    out.change = timestamp(st.ctime_sec, st.ctime_nsec);
    if (birth_ns >= 0)
        out.birth = timestamp(birth_ns / 1'000'000'000, birth_ns % 1'000'000'000);
    out.device_major = static_cast<u32>(st.rdev >> 8);
    out.device_minor = static_cast<u32>(st.rdev & 0xff);
    out.fs_major = 0;
    out.fs_minor = static_cast<u32>(st.dev);
    copy_bytes(reinterpret_cast<void*>(user_buffer), &out, sizeof(out));
    return {};
}

} // namespace

}

using namespace uk;

UK_SYSCALL_HANDLER(stat)
{
    TRY(stat_path(k_at_fdcwd, a0, a1, 0));
    return 0;
}
UK_SYSCALL_HANDLER(lstat)
{
    TRY(stat_path(k_at_fdcwd, a0, a1, k_at_symlink_nofollow));
    return 0;
}
UK_SYSCALL_HANDLER(newfstatat)
{
    TRY(stat_path(a0, a1, a2, static_cast<u32>(a3)));
    return 0;
}

UK_SYSCALL_HANDLER(fstat)
{
    auto* file = TRY(fs::get(static_cast<int>(a0)));
    fs::DescriptionRef hold(file);
    fs::Stat st;
    TRY(file->stat(st));
    TRY(put_stat(st, a1));
    return 0;
}

UK_SYSCALL_HANDLER(statx)
{
    TRY(statx(a0, a1, static_cast<u32>(a2), static_cast<u32>(a3), a4));
    return 0;
}
