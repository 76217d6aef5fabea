// SPDX-License-Identifier: MIT
// The physical memory of the machine: frames, and the commit charge that keeps every mapping
// the runtime promised backed by a frame (so running out of memory is ENOMEM at mmap time,
// never a crash at first touch).
#pragma once

#include "lib/types.h"

namespace uk::mm {

struct MemoryRange {
    u64 base;
    u64 length;
};

// `ram` lists usable RAM; page 0 and the frames of the `reserved` ranges (the image, boot modules
// such as the initrd) stay in use. Everything else is free, low memory included: the boot data
// the hypervisor left there (start info, command line) must have been copied out before.
void frames_init(const MemoryRange* ram, size_t count, const MemoryRange* reserved, size_t reserved_count);
// Returns a range reserved at boot to the allocator once its contents are no longer needed.
void release_boot_range(const MemoryRange& range);

// Promises `pages` frames for later allocate_committed_frame() calls; false if not available.
bool commit(u64 pages);
void uncommit(u64 pages);
// A zeroed frame's physical address, from a promise made earlier; 0 only without a promise
// (used by lazy MAP_NORESERVE mappings, which may run out).
u64 allocate_committed_frame();
u64 allocate_uncommitted_frame();
void free_frame(u64 phys);
// A zeroed frame for the runtime's own use (page tables), committed on the spot; 0 if none.
u64 allocate_kernel_frame();
// Gives back a frame from allocate_kernel_frame() with its charge.
void free_kernel_frame(u64 phys);

u64 total_frames();
u64 free_frames();
u64 uncommitted_frames();
u64 ram_end();

}
