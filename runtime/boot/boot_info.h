// SPDX-License-Identifier: MIT
// What the hypervisor tells us at boot ([PVH] struct hvm_start_info), copied out of low memory.
#pragma once

#include "lib/result.h"
#include "lib/types.h"
#include "mm/frame_allocator.h"

namespace uk {

struct BootModule {
    u64 address;
    u64 size;
};

struct BootInfo {
    static constexpr size_t k_max_ram_ranges = 64;
    static constexpr size_t k_max_command_line = 65536;
    static constexpr size_t k_max_modules = 8;

    mm::MemoryRange ram[k_max_ram_ranges];
    size_t ram_count = 0;
    const char* command_line = "";
    size_t command_line_length = 0;
    BootModule modules[k_max_modules];
    size_t module_count = 0;
    u64 rsdp = 0;
};

struct MemoryMapEntry {
    u64 address;
    u64 size;
    u32 type;
    u32 reserved;
};

// Turns a firmware memory map into sorted, non-overlapping RAM ranges: drops empty and non-RAM
// entries, sorts (microvm's map is unsorted and ends with a bogus zero entry), merges overlaps,
// and removes anything overlapping a reserved entry. Portable; host-tested.
size_t sanitize_memory_map(const MemoryMapEntry* entries, size_t count, mm::MemoryRange* out, size_t capacity);

// Reads the PVH start info at physical address `start_info`.
Result<void> read_boot_info(u64 start_info, BootInfo& out);

}
