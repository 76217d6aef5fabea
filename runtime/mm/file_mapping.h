// SPDX-License-Identifier: MIT
// mmap of files whose pages are in memory (ramfs), and private copies of others. MAP_PRIVATE copies the file into an anonymous mapping (a private mapping
// of a file the program does not write concurrently behaves the same). MAP_SHARED maps the
// file's own pages, so stores through the mapping are the file's data at once and write()s
// show through the mapping; the address range is an anonymous MAP_NORESERVE region of the
// address space whose borrowed pages are taken out again before the region is unmapped, so
// that they go back to the file, not to the frame allocator.
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace uk::mm {

// A file as its mappings reach it. mm/ defines this interface and the file system implements it
// (fs/ for ramfs files), so mm/ never sees a file system's types; `file` is its own object.
struct FilePager {
    // A MAP_SHARED mapping now uses the file / no longer does: the file system counts them and
    // keeps the file alive meanwhile.
    void (*attach)(void* file);
    void (*detach)(void* file);
    // The file's page `index`: a frame the file owns, created zero-filled if missing; ENOMEM.
    Result<u64> (*page)(void* file, u64 index);
    // Copies the file's bytes at [offset, offset + length) into `address`; what lies past the
    // file's end is left as it is (zero).
    Result<void> (*read)(void* file, u64 offset, void* address, u64 length);
    u64 max_size; // The largest offset + length a mapping may reach (EOVERFLOW beyond).
};

struct MappedFile {
    const FilePager* pager;
    void* file;
};

Result<u64> map_file(u64 hint, u64 length, u32 protection, u32 flags, MappedFile file, u64 offset);
// MAP_PRIVATE of a file that has no pages in memory (a remote file): a new anonymous mapping,
// writable while `fill(context, address, offset, length)` copies the file's bytes into it (what
// it leaves stays zero), then given `protection`.
using FillMapping = Result<void> (*)(void* context, void* address, u64 offset, u64 length);
Result<u64> map_private_copy(u64 hint, u64 length, u32 protection, u32 flags, u64 offset, u64 max_size,
    FillMapping fill, void* context);
// Gives borrowed pages in [start, end) back to their files; mm::unmap runs it (munmap, MAP_FIXED,
// mremap all unmap through it).
void before_unmap(u64 start, u64 end);
// True when [start, end) touches a MAP_SHARED file mapping. Under the address-space lock or the
// RuntimeLock: the mappings change only under both.
bool overlaps_file_mapping(u64 start, u64 end);

// Changing a MAP_SHARED file mapping calls into the file system, which runs under the RuntimeLock
// (sched/locks.h); the mmap family of system calls runs without it (anonymous memory needs only
// the address-space lock). mm/ sits below sched/ and asks `permitted` (registered at boot) whether
// this CPU may: when it may not, an operation that meets a file mapping fails with
// k_needs_runtime_lock before it changes anything, and the system call repeats it under the lock.
// The code never reaches the program.
inline constexpr int k_needs_runtime_lock = 1000;
void set_file_mapping_permit(bool (*permitted)());
bool may_change_file_mappings();
// The file's pages numbered `first_page` and up are about to be freed (truncation): mappings
// let go of them (later touches get zeroed anonymous pages instead).
void file_pages_removed(void* file, u64 first_page);

}
