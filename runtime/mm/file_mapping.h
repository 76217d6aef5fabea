// SPDX-License-Identifier: MIT
// mmap of ramfs files. MAP_PRIVATE copies the file into an anonymous mapping (a private mapping
// of a file the program does not write concurrently behaves the same). MAP_SHARED maps the
// file's own pages, so stores through the mapping are the file's data at once and write()s
// show through the mapping; the address range is an anonymous MAP_NORESERVE region of the
// address space whose borrowed pages are taken out again before the region is unmapped, so
// that they go back to the file, not to the frame allocator.
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace uk::fs {
struct Inode;
}

namespace uk::mm {

Result<u64> map_file(u64 hint, u64 length, u32 protection, u32 flags, fs::Inode& inode, u64 offset);
// MAP_PRIVATE of a file that has no pages in memory (a remote file): a new anonymous mapping,
// writable while `fill(context, address, offset, length)` copies the file's bytes into it (what
// it leaves stays zero), then given `protection`.
using FillMapping = Result<void> (*)(void* context, void* address, u64 offset, u64 length);
Result<u64> map_private_copy(u64 hint, u64 length, u32 protection, u32 flags, u64 offset, FillMapping fill,
    void* context);
// Must run before [start, end) is unmapped or replaced (munmap, MAP_FIXED, mremap).
void before_unmap(u64 start, u64 end);
// True when [start, end) touches a MAP_SHARED file mapping.
bool overlaps_file_mapping(u64 start, u64 end);
// The file's pages numbered `first_page` and up are about to be freed (truncation): mappings
// let go of them (later touches get zeroed anonymous pages instead).
void file_pages_removed(fs::Inode& inode, u64 first_page);

}
