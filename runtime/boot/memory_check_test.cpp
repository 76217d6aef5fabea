// SPDX-License-Identifier: MIT
// Unit tests of the boot-time memory check, on the memory maps QEMU's microvm gives for small -m
// sizes: RAM at [0, 639 KiB) and [1 MiB, size), the image at 2 MiB.
#include "boot/memory_check.h"

#include <gtest/gtest.h>

namespace uk {
namespace {

constexpr u64 k_kib = 1024, k_mib = 1024 * k_kib;
constexpr u64 k_image_base = 2 * k_mib;

struct Machine {
    mm::MemoryRange ram[2];
    mm::MemoryRange modules[2] {};
    size_t module_count = 0;
    mm::MemoryRange image;

    Machine(u64 size, u64 image_end)
        : ram { { 0, 639 * k_kib }, { k_mib, size - k_mib } }
        , image { k_image_base, image_end - k_image_base }
    {
    }
    void add_module(u64 base, u64 size) { modules[module_count++] = { base, size }; }
    MemoryVerdict check() const { return check_memory({ ram, 2, image, modules, module_count }); }
};

TEST(MemoryCheck, LowMemoryAndTheMiBBelowTheImageCount)
{
    // samples/hello ends at about 2.9 MiB: RAM below the image is plenty for the boot.
    Machine m(3 * k_mib, 2957 * k_kib);
    MemoryVerdict v = m.check();
    EXPECT_TRUE(v.enough);
    EXPECT_EQ(v.machine_bytes, 3 * k_mib);
}

TEST(MemoryCheck, ABigImageWithoutRoomAroundItIsShortByTheDeficit)
{
    // No low memory, RAM ending right after the image: every boot frame is missing.
    mm::MemoryRange ram[] = { { k_mib, 3 * k_mib } }; // [1 MiB, 4 MiB), the image fills [1, 4).
    mm::MemoryRange image { k_mib, 3 * k_mib };
    MemoryVerdict v = check_memory({ ram, 1, image, nullptr, 0 });
    EXPECT_FALSE(v.enough);
    EXPECT_EQ(v.machine_bytes, 4 * k_mib);
    EXPECT_EQ(v.needed_bytes, 4 * k_mib + boot_frames_needed(4 * k_mib, 4 * k_mib) * k_page_size);
}

TEST(MemoryCheck, NeededIsEnough)
{
    // Whatever it answers, a machine of the needed size passes.
    for (u64 image_end : { 2957 * k_kib, 3 * k_mib, 7 * k_mib + 5 * k_kib }) {
        mm::MemoryRange image { k_mib, image_end - k_mib };
        for (u64 size = image_end; size < image_end + k_mib; size += 64 * k_kib) {
            mm::MemoryRange ram[] = { { k_mib, size - k_mib } };
            MemoryVerdict v = check_memory({ ram, 1, image, nullptr, 0 });
            mm::MemoryRange bigger[] = { { k_mib, v.needed_bytes - k_mib } };
            EXPECT_TRUE(check_memory({ bigger, 1, image, nullptr, 0 }).enough) << size << " " << v.needed_bytes;
            EXPECT_EQ(v.enough, v.needed_bytes == size) << size;
        }
    }
}

TEST(MemoryCheck, AModuleOnTheImageNeedsRoomForBoth)
{
    // QEMU loads the initrd at the top of RAM; with 3 MiB, 300 KiB of it land on the image.
    Machine m(3 * k_mib, 2957 * k_kib);
    m.add_module(3 * k_mib - 300 * k_kib, 300 * k_kib);
    MemoryVerdict v = m.check();
    EXPECT_FALSE(v.enough);
    EXPECT_GE(v.needed_bytes, 2960 * k_kib + 300 * k_kib);
    EXPECT_LE(v.needed_bytes, 4 * k_mib);
}

TEST(MemoryCheck, ModulesAreNotFreeMemory)
{
    Machine without(64 * k_mib, 2957 * k_kib);
    Machine with(64 * k_mib, 2957 * k_kib);
    with.add_module(60 * k_mib, 4 * k_mib);
    with.add_module(59 * k_mib, 2 * k_mib); // Overlapping the first: counted once.
    EXPECT_TRUE(with.check().enough);
    // 5 MiB fewer frames: visible through a machine so small that the deficit shows.
    mm::MemoryRange ram[] = { { k_mib, 8 * k_mib } };
    mm::MemoryRange image { k_mib, 4 * k_mib };
    mm::MemoryRange modules[] = { { 5 * k_mib, 4 * k_mib - k_page_size * 10 } };
    MemoryVerdict v = check_memory({ ram, 1, image, modules, 1 });
    EXPECT_FALSE(v.enough);
    EXPECT_EQ(v.needed_bytes - v.machine_bytes, (boot_frames_needed(9 * k_mib, 5 * k_mib) - 10) * k_page_size);
    (void)without;
}

TEST(MemoryCheck, PageTablesGrowWithRam)
{
    EXPECT_GT(boot_frames_needed(4ull << 30, 3 * k_mib), boot_frames_needed(64 * k_mib, 3 * k_mib));
    EXPECT_GE(boot_frames_needed(3 * k_mib, 3 * k_mib), k_boot_reserve / k_page_size + 4);
}

} // namespace
} // namespace uk
