// SPDX-License-Identifier: MIT
// Parsing and sanitising the PVH start info.
#include "boot/boot_info.h"

#include "lib/format.h"
#include "lib/string.h"

namespace uk {

namespace {

// [PVH] xen/include/public/arch-x86/hvm/start_info.h
struct HvmStartInfo {
    u32 magic;
    u32 version;
    u32 flags;
    u32 module_count;
    u64 module_list;
    u64 command_line;
    u64 rsdp;
    u64 memory_map; // Version 1 and later.
    u32 memory_map_entries;
    u32 reserved;
};
static_assert(sizeof(HvmStartInfo) == 56);

struct HvmModule {
    u64 address;
    u64 size;
    u64 command_line;
    u64 reserved;
};

constexpr u32 k_start_info_magic = 0x336ec578;
constexpr u32 k_memory_type_ram = 1;

char g_command_line[BootInfo::k_max_command_line];

} // namespace

size_t sanitize_memory_map(const MemoryMapEntry* entries, size_t count, mm::MemoryRange* out, size_t capacity)
{
    size_t n = 0;
    for (size_t i = 0; i < count && n < capacity; ++i) {
        const auto& e = entries[i];
        if (e.type != k_memory_type_ram || e.size == 0 || e.address + e.size < e.address)
            continue;
        out[n++] = { e.address, e.size };
    }
    // Insertion sort: the map is tiny.
    for (size_t i = 1; i < n; ++i)
        for (size_t j = i; j > 0 && out[j - 1].base > out[j].base; --j) {
            auto t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    // Merge overlapping or touching ranges.
    size_t merged = 0;
    for (size_t i = 0; i < n; ++i) {
        if (merged && out[i].base <= out[merged - 1].base + out[merged - 1].length) {
            u64 end = out[i].base + out[i].length;
            if (end > out[merged - 1].base + out[merged - 1].length)
                out[merged - 1].length = end - out[merged - 1].base;
        } else {
            out[merged++] = out[i];
        }
    }
    // Reserved entries win over RAM entries that overlap them.
    for (size_t r = 0; r < count; ++r) {
        const auto& e = entries[r];
        if (e.type == k_memory_type_ram || e.size == 0)
            continue;
        u64 rs = e.address, re = e.address + e.size;
        for (size_t i = 0; i < merged; ++i) {
            u64 s = out[i].base, end = s + out[i].length;
            if (re <= s || rs >= end)
                continue;
            if (rs <= s && re >= end) { // Fully covered: drop.
                for (size_t j = i; j + 1 < merged; ++j)
                    out[j] = out[j + 1];
                --merged;
                --i;
            } else if (rs <= s) {
                out[i] = { re, end - re };
            } else if (re >= end) {
                out[i].length = rs - s;
            } else if (merged < capacity) { // Split in two.
                for (size_t j = merged; j > i + 1; --j)
                    out[j] = out[j - 1];
                out[i + 1] = { re, end - re };
                out[i].length = rs - s;
                ++merged;
            } else {
                out[i].length = rs - s;
            }
        }
    }
    return merged;
}

Result<void> read_boot_info(u64 start_info, BootInfo& out)
{
    auto* info = reinterpret_cast<const HvmStartInfo*>(start_info);
    if (!info || info->magic != k_start_info_magic)
        return error(EINVAL);
    if (info->command_line) {
        const char* text = reinterpret_cast<const char*>(info->command_line);
        size_t n = copy_string(g_command_line, sizeof(g_command_line), text);
        if (text[n] != 0)
            printk("uk: warning: command line longer than %zu bytes was truncated\n", sizeof(g_command_line) - 1);
        out.command_line = g_command_line;
        out.command_line_length = n;
    }
    out.rsdp = info->rsdp;
    auto* modules = reinterpret_cast<const HvmModule*>(info->module_list);
    for (u32 i = 0; i < info->module_count && i < BootInfo::k_max_modules; ++i)
        out.modules[out.module_count++] = { modules[i].address, modules[i].size };
    if (info->version < 1 || !info->memory_map || !info->memory_map_entries)
        return error(ENODATA);
    out.ram_count = sanitize_memory_map(reinterpret_cast<const MemoryMapEntry*>(info->memory_map),
        info->memory_map_entries, out.ram, BootInfo::k_max_ram_ranges);
    return {};
}

}
