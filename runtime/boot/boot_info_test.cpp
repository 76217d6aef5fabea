// SPDX-License-Identifier: MIT
// Unit tests of sanitize_memory_map, which turns the PVH memory map into usable RAM ranges.
//
// Runtime headers come first: lib/errno.h declares the errno names as enumerators, and GoogleTest
// pulls in <cerrno>, whose macros would rewrite them.
#include "boot/boot_info.h"

#include <gtest/gtest.h>

#include <ostream>
#include <vector>

namespace uk::mm {
// For GoogleTest's comparisons and failure messages.
bool operator==(const MemoryRange& a, const MemoryRange& b) { return a.base == b.base && a.length == b.length; }
void PrintTo(const MemoryRange& r, std::ostream* os)
{
    *os << std::hex << "[0x" << r.base << ", 0x" << r.base + r.length << ")";
}
}

namespace uk {
namespace {

using mm::MemoryRange;
using Ranges = std::vector<MemoryRange>;

// [E820] types, as PVH's memory map uses them.
constexpr u32 k_ram = 1;
constexpr u32 k_reserved = 2;
constexpr u32 k_acpi = 3;
constexpr u32 k_nvs = 4;
constexpr u32 k_unusable = 5;

constexpr u64 k_mib = 1 << 20;

MemoryRange range(u64 start, u64 end) { return { start, end - start }; }

Ranges sanitize(const std::vector<MemoryMapEntry>& map, size_t capacity = 64)
{
    // One spare slot past `capacity` holds a sentinel that must survive.
    std::vector<MemoryRange> out(capacity + 1, MemoryRange { 0xdead, 0xbeef });
    size_t n = sanitize_memory_map(map.data(), map.size(), out.data(), capacity);
    EXPECT_LE(n, capacity);
    EXPECT_EQ(out[capacity], (MemoryRange { 0xdead, 0xbeef })) << "wrote past capacity";
    out.resize(n);
    return out;
}

TEST(SanitizeMemoryMap, SortsUnsortedEntries)
{
    auto ram = sanitize({
        { 0x100000, 0x7ff00000, k_ram, 0 },
        { 0x0, 0x9fc00, k_ram, 0 },
        { 0x100000000, 0x40000000, k_ram, 0 },
    });
    EXPECT_EQ(ram, (Ranges { range(0, 0x9fc00), range(0x100000, 0x80000000), range(0x100000000, 0x140000000) }));
}

TEST(SanitizeMemoryMap, MicrovmStyleMapWithBogusTrailingZeroEntry)
{
    auto ram = sanitize({
        { 0x100000, 512 * k_mib - 0x100000, k_ram, 0 },
        { 0x0, 0x9fc00, k_ram, 0 },
        { 0x9fc00, 0x400, k_reserved, 0 },
        { 0xf0000, 0x10000, k_reserved, 0 },
        { 0xfeff8000, 0x8000, k_reserved, 0 },
        { 0, 0, 0, 0 },
    });
    EXPECT_EQ(ram, (Ranges { range(0, 0x9fc00), range(0x100000, 512 * k_mib) }));
}

TEST(SanitizeMemoryMap, DropsEmptyAndWrappingEntries)
{
    auto ram = sanitize({
        { 0x5000, 0, k_ram, 0 },
        { 0x1000, 0x1000, k_ram, 0 },
        { ~0ull - 0xfff, 0x2000, k_ram, 0 }, // Ends past 2^64.
        { 0, 0, k_ram, 0 },
    });
    EXPECT_EQ(ram, (Ranges { range(0x1000, 0x2000) }));
}

TEST(SanitizeMemoryMap, DropsNonRamTypes)
{
    auto ram = sanitize({
        { 0x1000, 0x1000, k_reserved, 0 },
        { 0x3000, 0x1000, k_acpi, 0 },
        { 0x5000, 0x1000, k_nvs, 0 },
        { 0x7000, 0x1000, k_unusable, 0 },
        { 0x9000, 0x1000, 0x12, 0 }, // Persistent memory.
        { 0xb000, 0x1000, k_ram, 0 },
    });
    EXPECT_EQ(ram, (Ranges { range(0xb000, 0xc000) }));
}

TEST(SanitizeMemoryMap, MergesOverlappingAndTouchingRam)
{
    auto ram = sanitize({
        { 0x2000, 0x2000, k_ram, 0 },  // [0x2000, 0x4000)
        { 0x1000, 0x2000, k_ram, 0 },  // [0x1000, 0x3000): overlaps.
        { 0x4000, 0x1000, k_ram, 0 },  // Touches.
        { 0x1800, 0x100, k_ram, 0 },   // Contained.
        { 0x6000, 0x1000, k_ram, 0 },  // A gap before it: stays apart.
        { 0x6800, 0x4000, k_ram, 0 },  // Extends it.
    });
    EXPECT_EQ(ram, (Ranges { range(0x1000, 0x5000), range(0x6000, 0xa800) }));
}

TEST(SanitizeMemoryMap, ReservedCarvesTheStart)
{
    auto ram = sanitize({ { 0x1000, 0xf000, k_ram, 0 }, { 0, 0x2000, k_reserved, 0 } });
    EXPECT_EQ(ram, (Ranges { range(0x2000, 0x10000) }));
}

TEST(SanitizeMemoryMap, ReservedCarvesTheEnd)
{
    auto ram = sanitize({ { 0xf000, 0x11000, k_reserved, 0 }, { 0x1000, 0xf000, k_ram, 0 } });
    EXPECT_EQ(ram, (Ranges { range(0x1000, 0xf000) }));
}

TEST(SanitizeMemoryMap, ReservedSplitsTheMiddle)
{
    auto ram = sanitize({
        { 0x1000, 0xf000, k_ram, 0 },
        { 0x20000, 0x1000, k_ram, 0 },
        { 0x4000, 0x1000, k_reserved, 0 },
    });
    EXPECT_EQ(ram, (Ranges { range(0x1000, 0x4000), range(0x5000, 0x10000), range(0x20000, 0x21000) }));
}

TEST(SanitizeMemoryMap, ReservedCoveringARangeDropsIt)
{
    auto ram = sanitize({
        { 0x1000, 0x1000, k_ram, 0 },
        { 0x3000, 0x1000, k_ram, 0 },
        { 0x5000, 0x1000, k_ram, 0 },
        { 0x1000, 0x1000, k_reserved, 0 }, // Exactly the first range.
        { 0x2800, 0x2000, k_reserved, 0 }, // More than the second.
    });
    EXPECT_EQ(ram, (Ranges { range(0x5000, 0x6000) }));
}

TEST(SanitizeMemoryMap, ReservedCoveringEverything)
{
    auto ram = sanitize({
        { 0x1000, 0x1000, k_ram, 0 },
        { 0x3000, 0x1000, k_ram, 0 },
        { 0, 0x10000, k_reserved, 0 },
    });
    EXPECT_TRUE(ram.empty());
}

TEST(SanitizeMemoryMap, ReservedSpanningTwoRanges)
{
    auto ram = sanitize({
        { 0x1000, 0x2000, k_ram, 0 },
        { 0x4000, 0x2000, k_ram, 0 },
        { 0x2000, 0x3000, k_reserved, 0 },
    });
    EXPECT_EQ(ram, (Ranges { range(0x1000, 0x2000), range(0x5000, 0x6000) }));
}

TEST(SanitizeMemoryMap, ReservedWinsOverOverlappingRamWhateverTheOrder)
{
    auto ram = sanitize({
        { 0x4000, 0x1000, k_reserved, 0 },
        { 0x1000, 0xf000, k_ram, 0 },
        { 0x8000, 0x1000, k_acpi, 0 },
    });
    EXPECT_EQ(ram, (Ranges { range(0x1000, 0x4000), range(0x5000, 0x8000), range(0x9000, 0x10000) }));
}

TEST(SanitizeMemoryMap, EmptyMap)
{
    EXPECT_TRUE(sanitize({}).empty());
    EXPECT_TRUE(sanitize({ { 0, 0, 0, 0 } }).empty());
}

TEST(SanitizeMemoryMap, RespectsCapacity)
{
    std::vector<MemoryMapEntry> map {
        { 0x1000, 0x1000, k_ram, 0 },
        { 0x3000, 0x1000, k_ram, 0 },
        { 0x5000, 0x1000, k_ram, 0 },
    };
    EXPECT_TRUE(sanitize(map, 0).empty());
    EXPECT_EQ(sanitize(map, 2).size(), 2u);
    EXPECT_EQ(sanitize(map, 3).size(), 3u);
}

TEST(SanitizeMemoryMap, SplitAtCapacityKeepsTheLowerPart)
{
    auto ram = sanitize(
        {
            { 0x1000, 0xf000, k_ram, 0 },
            { 0x20000, 0x1000, k_ram, 0 },
            { 0x4000, 0x1000, k_reserved, 0 },
        },
        2);
    EXPECT_EQ(ram, (Ranges { range(0x1000, 0x4000), range(0x20000, 0x21000) }));
}

} // namespace
} // namespace uk
