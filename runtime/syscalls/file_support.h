// SPDX-License-Identifier: MIT
// What the file-system system calls share: copying paths (and other strings) in from the program,
// choosing the directory a relative path starts from (AT_FDCWD or a descriptor), user-memory
// checks.
#pragma once

#include "fs/fd_table.h"
#include "fs/inode.h"
#include "lib/linux/fcntl.h"
#include "lib/result.h"
#include "syscalls/syscall.h"

namespace uk {

// A path copied out of the program's memory.
struct PathBuffer {
    char chars[fs::k_path_max];
};

// EFAULT for unreadable memory, ENAMETOOLONG past PATH_MAX, ENOENT for "" (unless allowed).
Result<void> copy_path(long user_path, PathBuffer& out, bool allow_empty = false);

// Copies the NUL-terminated string at `user_address` into out[0, capacity) and returns its length.
// EFAULT when a byte before its end is unreadable; ENAMETOOLONG when no NUL comes within
// `capacity` bytes (out then holds the first `capacity`, unterminated).
Result<size_t> copy_user_string(long user_address, char* out, size_t capacity);

// The directory `path` is relative to: the working directory for AT_FDCWD, else the directory
// `dirfd` is open on (EBADF, ENOTDIR). Absolute paths ignore dirfd, as on Linux.
Result<fs::Inode*> base_directory(long dirfd, const char* path);

bool user_readable(long address, u64 length);
bool user_writable(long address, u64 length);

// The inode behind a descriptor (EBADF if none, e.g. a pipe for *at() with AT_EMPTY_PATH).
Result<fs::Inode*> descriptor_inode(long fd);

}
