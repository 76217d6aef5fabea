// SPDX-License-Identifier: MIT
// Pipes and FIFOs: a 64 KiB byte ring shared by read and write ends, with POSIX's blocking
// rules (readers wait for data or for the last writer to go; writers wait for room, writes of
// at most PIPE_BUF bytes are atomic; writing with no reader left is EPIPE and SIGPIPE).
#pragma once

#include "fs/file_description.h"

namespace uk::fs {

class Pipe;

inline constexpr size_t k_pipe_buf = 4096;
inline constexpr size_t k_pipe_capacity = 65536;

// Creates a pipe: ends[0] reads, ends[1] writes. `flags` may hold O_NONBLOCK (and O_CLOEXEC,
// which the caller applies to the descriptors).
Result<void> create_pipe(FileDescription* ends[2], u32 flags);
// Opens the FIFO `inode` (its reference passes to the description).
Result<FileDescription*> open_fifo(Inode& inode, u32 flags);

}
