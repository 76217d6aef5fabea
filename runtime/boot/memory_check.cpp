// SPDX-License-Identifier: MIT
// The boot-time memory check (see memory_check.h).
#include "boot/memory_check.h"

#include "lib/verify.h"

namespace uk {

namespace {

constexpr u64 k_large_page = 2ull << 20;
constexpr u64 k_gib = 1ull << 30;
constexpr u64 k_pml4_span = 512 * k_gib;
constexpr size_t k_max_reserved = 2 + 14; // Page 0, the image, and up to 14 modules.

u64 divide_up(u64 value, u64 unit) { return (value + unit - 1) / unit; }

bool overlaps(const mm::MemoryRange& a, const mm::MemoryRange& b)
{
    return a.base < b.base + b.length && b.base < a.base + a.length;
}

struct Interval {
    u64 start, end;
};

// Page 0, the image and the modules, page-aligned, sorted and merged: what RAM frames cannot be
// used for. Returns how many intervals `out` holds.
size_t reserved_intervals(const MemoryLayout& layout, Interval (&out)[k_max_reserved])
{
    Interval all[k_max_reserved];
    size_t count = 0;
    auto add = [&](u64 base, u64 length) {
        if (length && count < k_max_reserved)
            all[count++] = { align_down(base, k_page_size), align_up(base + length, k_page_size) };
    };
    add(0, k_page_size);
    add(layout.image.base, layout.image.length);
    for (size_t i = 0; i < layout.module_count; ++i)
        add(layout.modules[i].base, layout.modules[i].length);
    for (size_t i = 1; i < count; ++i) // Insertion sort: a handful of entries.
        for (size_t j = i; j > 0 && all[j].start < all[j - 1].start; --j) {
            Interval t = all[j];
            all[j] = all[j - 1];
            all[j - 1] = t;
        }
    size_t merged = 0;
    for (size_t i = 0; i < count; ++i) {
        if (merged && all[i].start <= out[merged - 1].end) {
            if (all[i].end > out[merged - 1].end)
                out[merged - 1].end = all[i].end;
        } else {
            out[merged++] = all[i];
        }
    }
    return merged;
}

} // namespace

u64 boot_frames_needed(u64 ram_end, u64 image_end)
{
    u64 frames = divide_up(ram_end / k_page_size, 8 * k_page_size); // The bitmap, a bit per frame.
    // Page tables: 4 KiB pages up to the image's end, 2 MiB pages above; one more chain for the
    // local APIC's page below 4 GiB.
    u64 mapped = ram_end > image_end ? ram_end : image_end;
    frames += 1 + divide_up(mapped, k_pml4_span) + divide_up(mapped, k_gib) + divide_up(image_end, k_large_page);
    frames += 2;
    return frames + k_boot_reserve / k_page_size;
}

MemoryVerdict check_memory(const MemoryLayout& layout)
{
    VERIFY(layout.module_count + 2 <= k_max_reserved);
    Interval reserved[k_max_reserved];
    size_t reserved_count = reserved_intervals(layout, reserved);
    u64 machine = 0, available = 0;
    for (size_t i = 0; i < layout.ram_count; ++i) {
        const mm::MemoryRange& r = layout.ram[i];
        if (r.base + r.length > machine)
            machine = r.base + r.length;
        u64 start = align_up(r.base, k_page_size), end = align_down(r.base + r.length, k_page_size);
        if (end <= start)
            continue;
        u64 bytes = end - start;
        for (size_t k = 0; k < reserved_count; ++k) {
            u64 s = reserved[k].start > start ? reserved[k].start : start;
            u64 e = reserved[k].end < end ? reserved[k].end : end;
            if (e > s)
                bytes -= e - s;
        }
        available += bytes / k_page_size;
    }
    u64 image_end = align_up(layout.image.base + layout.image.length, k_page_size);
    // QEMU puts modules at the top of RAM; with too little of it they land on the image.
    u64 modules = 0;
    bool collide = false;
    for (size_t i = 0; i < layout.module_count; ++i) {
        modules += align_up(layout.modules[i].length, k_page_size);
        collide |= overlaps(layout.modules[i], layout.image);
    }
    u64 needed_frames = boot_frames_needed(machine, image_end);
    u64 deficit = available < needed_frames ? (needed_frames - available) * k_page_size : 0;
    // With more RAM, the machine grows at its top: the deficit is what it lacks there.
    u64 needed = deficit ? align_up(machine, k_page_size) + deficit : machine;
    if (collide && needed < image_end + modules)
        needed = image_end + modules;
    return { !collide && deficit == 0, machine, needed };
}

}
