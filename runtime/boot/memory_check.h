// SPDX-License-Identifier: MIT
// Whether the machine's RAM holds this image and what it needs to boot, decided before any of
// it is used, so that too little memory is one clear line instead of a VERIFY deep in paging.
// Portable; host-tested.
#pragma once

#include "mm/frame_allocator.h"

namespace uk {

// Room the runtime keeps for itself and the program's first allocations beyond the frame
// bitmap and page tables: samples/hello's boot uses about 100 KiB (the file tree, the first
// thread, the main stack's top pages, musl's start-up), the rest is for main() to begin with.
inline constexpr u64 k_boot_reserve = 256ull << 10;

struct MemoryLayout {
    const mm::MemoryRange* ram;
    size_t ram_count;
    mm::MemoryRange image; // From the ELF header to the end of .bss.
    const mm::MemoryRange* modules;
    size_t module_count;
};

struct MemoryVerdict {
    bool enough;
    u64 machine_bytes; // The highest RAM address: what `-m` gave the machine.
    u64 needed_bytes;  // The smallest such size that boots this image with these modules.
};

// The frames the runtime takes at boot for itself: the frame bitmap, the page tables of the
// identity map, and k_boot_reserve.
u64 boot_frames_needed(u64 ram_end, u64 image_end);
MemoryVerdict check_memory(const MemoryLayout& layout);

}
