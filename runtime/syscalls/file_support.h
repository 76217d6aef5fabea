// SPDX-License-Identifier: MIT
// What the file-system system calls share: copying paths in from the program, choosing the
// directory a relative path starts from (AT_FDCWD or a descriptor), user-memory checks.
#pragma once

#include "fs/fd_table.h"
#include "fs/inode.h"
#include "lib/result.h"
#include "syscalls/syscall.h"

namespace uk {

inline constexpr int k_at_fdcwd = -100;
enum AtFlags : u32 {
    k_at_symlink_nofollow = 0x100,
    k_at_removedir = 0x200,
    k_at_eaccess = 0x200,
    k_at_symlink_follow = 0x400,
    k_at_no_automount = 0x800,
    k_at_empty_path = 0x1000,
    k_at_statx_sync_type = 0x6000,
};

// A path copied out of the program's memory.
struct PathBuffer {
    char chars[fs::k_path_max];
};

// EFAULT for unreadable memory, ENAMETOOLONG past PATH_MAX, ENOENT for "" (unless allowed).
Result<void> copy_path(long user_path, PathBuffer& out, bool allow_empty = false);

// The directory `path` is relative to: the working directory for AT_FDCWD, else the directory
// `dirfd` is open on (EBADF, ENOTDIR). Absolute paths ignore dirfd, as on Linux.
Result<fs::Inode*> base_directory(long dirfd, const char* path);

bool user_readable(long address, u64 length);
bool user_writable(long address, u64 length);

// The inode behind a descriptor (EBADF if none, e.g. a pipe for *at() with AT_EMPTY_PATH).
Result<fs::Inode*> descriptor_inode(long fd);

}
