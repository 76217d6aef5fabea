// SPDX-License-Identifier: MIT
// The process's one file-descriptor table: descriptor numbers to open file descriptions, with
// the close-on-exec flag per descriptor, lowest-free allocation, and RLIMIT_NOFILE's default
// of 1024 descriptors.
#pragma once

#include "fs/file_description.h"

namespace uk::fs {

inline constexpr int k_max_descriptors = 1024;
using uk::k_fd_cloexec; // lib/linux/fcntl.h

// Installs `description` (taking over the caller's reference) at the lowest free descriptor
// >= `minimum`; EMFILE when none is free, and then the reference is dropped.
Result<int> install(FileDescription* description, u32 fd_flags, int minimum = 0);
// Installs at exactly `fd`, closing what was there (dup2).
Result<void> install_at(int fd, FileDescription* description, u32 fd_flags);
// The description at `fd` with a new reference (hold it in a DescriptionRef); EBADF if none.
Result<FileDescription*> get(int fd);
Result<void> close(int fd);
Result<u32> fd_flags(int fd);
Result<void> set_fd_flags(int fd, u32 flags);
int open_count();

}
