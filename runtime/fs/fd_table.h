// SPDX-License-Identifier: MIT
// The process's one file-descriptor table: descriptor numbers to open file descriptions, with
// the close-on-exec flag per descriptor, lowest-free allocation, and RLIMIT_NOFILE enforced:
// no new descriptor at or above the soft limit (1024 by default, as on Linux), which a program
// may raise up to k_max_descriptors.
#pragma once

#include "fs/file_description.h"

namespace uk::fs {

// The ceiling of RLIMIT_NOFILE (Linux's fs.nr_open): the default hard limit, and the most a
// program may ask for. Descriptors past the first 1024 take memory only once used.
inline constexpr int k_max_descriptors = 65536;
inline constexpr int k_default_descriptor_limit = 1024;
using uk::k_fd_cloexec; // lib/linux/fcntl.h

// Installs `description` (taking over the caller's reference) at the lowest free descriptor
// >= `minimum`; EMFILE when none is free below the limit (ENOMEM if the table cannot grow), and
// then the reference is dropped.
Result<int> install(FileDescription* description, u32 fd_flags, int minimum = 0);
// Installs at exactly `fd`, closing what was there (dup2); EBADF at or above the limit.
Result<void> install_at(int fd, FileDescription* description, u32 fd_flags);
// The description at `fd` with a new reference (hold it in a DescriptionRef); EBADF if none.
Result<FileDescription*> get(int fd);
Result<void> close(int fd);
Result<u32> fd_flags(int fd);
Result<void> set_fd_flags(int fd, u32 flags);
int open_count();

// RLIMIT_NOFILE's soft limit (0..k_max_descriptors). Lowering it leaves open descriptors open.
void set_descriptor_limit(int limit);
int descriptor_limit();
// One past the highest descriptor that may be open, for loops over the table.
int descriptor_end();

}
