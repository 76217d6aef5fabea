// SPDX-License-Identifier: MIT
// Unit tests of the region table behind mmap, munmap and mprotect.
//
// Runtime headers come first: lib/errno.h declares the errno names as enumerators, and GoogleTest
// pulls in <cerrno>, whose macros would rewrite them.
#include "mm/region_map.h"

#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <vector>

namespace uk::mm {
// For GoogleTest's comparisons and failure messages.
bool operator==(const Region& a, const Region& b)
{
    return a.start == b.start && a.end == b.end && a.protection == b.protection && a.flags == b.flags;
}
void PrintTo(const Region& r, std::ostream* os)
{
    *os << std::hex << "[0x" << r.start << ", 0x" << r.end << ") prot " << r.protection << " flags " << r.flags;
}
}

namespace uk::mm {
namespace {

using Regions = std::vector<Region>;

constexpr u32 k_r = 1;
constexpr u32 k_rw = 3;
constexpr u32 k_rx = 5;
constexpr u64 k_page = 0x1000;

// Page numbers keep the tables readable.
Region region(u64 first_page, u64 end_page, u32 protection = k_rw, u32 flags = 0)
{
    return { first_page * k_page, end_page * k_page, protection, flags };
}

Regions regions_of(const RegionMap& map)
{
    Regions out;
    for (size_t i = 0; i < map.count(); ++i)
        out.push_back(map.at(i));
    return out;
}

// RegionMap holds k_capacity entries inline (about 200 KiB), too much for a test's stack frame.
std::unique_ptr<RegionMap> map_of(const Regions& regions)
{
    auto map = std::make_unique<RegionMap>();
    for (const auto& r : regions)
        EXPECT_FALSE(map->insert(r).is_error()) << ::testing::PrintToString(r);
    return map;
}

TEST(RegionMap, InsertKeepsRegionsSorted)
{
    auto map = map_of({ region(30, 40), region(10, 20, k_r), region(50, 60, k_rx) });
    EXPECT_EQ(regions_of(*map), (Regions { region(10, 20, k_r), region(30, 40), region(50, 60, k_rx) }));
}

TEST(RegionMap, InsertMergesEqualNeighbours)
{
    auto left = map_of({ region(10, 20), region(20, 30) });
    EXPECT_EQ(regions_of(*left), (Regions { region(10, 30) }));

    auto right = map_of({ region(20, 30), region(10, 20) });
    EXPECT_EQ(regions_of(*right), (Regions { region(10, 30) }));

    auto both = map_of({ region(10, 20), region(30, 40), region(20, 30) });
    EXPECT_EQ(regions_of(*both), (Regions { region(10, 40) }));

    auto committed = map_of({ region(10, 20, k_r, k_region_committed), region(20, 30, k_r, k_region_committed) });
    EXPECT_EQ(regions_of(*committed), (Regions { region(10, 30, k_r, k_region_committed) }));
}

TEST(RegionMap, InsertDoesNotMergeDifferentNeighbours)
{
    Regions expected { region(10, 20, k_r), region(20, 30, k_rw), region(30, 40, k_rw, k_region_committed),
        region(40, 50, k_rw, k_region_guard) };
    auto map = map_of({ expected[0], expected[3], expected[1], expected[2] });
    EXPECT_EQ(regions_of(*map), expected);

    // Equal but not adjacent.
    auto apart = map_of({ region(10, 20), region(21, 30) });
    EXPECT_EQ(apart->count(), 2u);
}

TEST(RegionMap, InsertRejectsOverlapAndEmptyRegions)
{
    auto map = map_of({ region(10, 20) });
    EXPECT_EQ(map->insert(region(15, 25)).error_code(), EINVAL);
    EXPECT_EQ(map->insert(region(5, 11)).error_code(), EINVAL);
    EXPECT_EQ(map->insert(region(12, 13)).error_code(), EINVAL);
    EXPECT_EQ(map->insert(region(0, 100)).error_code(), EINVAL);
    EXPECT_EQ(map->insert(region(30, 30)).error_code(), EINVAL);
    EXPECT_EQ(map->insert(region(31, 30)).error_code(), EINVAL);
    EXPECT_EQ(regions_of(*map), (Regions { region(10, 20) }));
}

TEST(RegionMap, Find)
{
    auto map = map_of({ region(10, 20, k_r), region(30, 40) });
    EXPECT_EQ(map->find(0), nullptr);
    EXPECT_EQ(map->find(10 * k_page - 1), nullptr);
    ASSERT_NE(map->find(10 * k_page), nullptr);
    EXPECT_EQ(*map->find(10 * k_page), region(10, 20, k_r));
    EXPECT_EQ(*map->find(20 * k_page - 1), region(10, 20, k_r));
    EXPECT_EQ(map->find(20 * k_page), nullptr); // The end is exclusive.
    EXPECT_EQ(map->find(25 * k_page), nullptr);
    EXPECT_EQ(*map->find(35 * k_page + 123), region(30, 40));
    EXPECT_EQ(map->find(40 * k_page), nullptr);
    EXPECT_EQ(map->find(~0ull), nullptr);
    EXPECT_EQ(map_of({})->find(0x1000), nullptr);
}

TEST(RegionMap, FindGapInAnEmptyMap)
{
    auto map = map_of({});
    EXPECT_EQ(map->find_gap(4 * k_page, 16 * k_page, 100 * k_page), 16 * k_page);
    EXPECT_EQ(map->find_gap(84 * k_page, 16 * k_page, 100 * k_page), 16 * k_page);
    EXPECT_EQ(map->find_gap(85 * k_page, 16 * k_page, 100 * k_page), 0u);
}

TEST(RegionMap, FindGapTakesTheFirstGapThatFits)
{
    // Gaps: [20, 22) two pages, [30, 40) ten pages, [50, ...).
    auto map = map_of({ region(10, 20), region(22, 30, k_r), region(40, 50) });
    EXPECT_EQ(map->find_gap(1 * k_page, 10 * k_page, 100 * k_page), 20 * k_page);
    EXPECT_EQ(map->find_gap(2 * k_page, 10 * k_page, 100 * k_page), 20 * k_page);
    EXPECT_EQ(map->find_gap(3 * k_page, 10 * k_page, 100 * k_page), 30 * k_page);
    EXPECT_EQ(map->find_gap(10 * k_page, 10 * k_page, 100 * k_page), 30 * k_page);
    EXPECT_EQ(map->find_gap(11 * k_page, 10 * k_page, 100 * k_page), 50 * k_page);
    // A gap before the first region counts when `low` leaves room for it.
    EXPECT_EQ(map->find_gap(5 * k_page, 5 * k_page, 100 * k_page), 5 * k_page);
    EXPECT_EQ(map->find_gap(6 * k_page, 5 * k_page, 100 * k_page), 30 * k_page);
}

TEST(RegionMap, FindGapRespectsLowAndHigh)
{
    auto map = map_of({ region(10, 20), region(30, 40) });
    // `low` inside a region: the gap starts at that region's end.
    EXPECT_EQ(map->find_gap(k_page, 15 * k_page, 100 * k_page), 20 * k_page);
    // `low` inside a gap.
    EXPECT_EQ(map->find_gap(k_page, 25 * k_page, 100 * k_page), 25 * k_page);
    EXPECT_EQ(map->find_gap(6 * k_page, 25 * k_page, 100 * k_page), 40 * k_page);
    // Regions entirely below `low` do not matter.
    EXPECT_EQ(map->find_gap(k_page, 45 * k_page, 100 * k_page), 45 * k_page);
    // The gap must end by `high`; ending exactly at it is fine.
    EXPECT_EQ(map->find_gap(10 * k_page, 10 * k_page, 30 * k_page), 20 * k_page);
    EXPECT_EQ(map->find_gap(10 * k_page, 10 * k_page, 29 * k_page), 0u);
    EXPECT_EQ(map->find_gap(5 * k_page, 30 * k_page, 45 * k_page), 40 * k_page);
    EXPECT_EQ(map->find_gap(6 * k_page, 30 * k_page, 45 * k_page), 0u);
}

TEST(RegionMap, FindGapReturnsZeroWithoutRoom)
{
    auto map = map_of({ region(10, 20), region(21, 30) });
    EXPECT_EQ(map->find_gap(2 * k_page, 10 * k_page, 30 * k_page), 0u);
    EXPECT_EQ(map->find_gap(0, 10 * k_page, 100 * k_page), 0u);           // Nothing to find.
    EXPECT_EQ(map->find_gap(200 * k_page, 10 * k_page, 100 * k_page), 0u); // Longer than the window.
    EXPECT_EQ(map->find_gap(k_page, 10 * k_page, 10 * k_page), 0u);        // An empty window.
    // Near the top of the address space the end must not wrap around.
    EXPECT_EQ(map->find_gap(2 * k_page, ~0ull - k_page + 1, ~0ull), 0u);
}

TEST(RegionMap, IsFreeAndIsCovered)
{
    auto map = map_of({ region(10, 20), region(20, 30, k_r), region(40, 50) });
    EXPECT_TRUE(map->is_free(0, 10 * k_page));
    EXPECT_TRUE(map->is_free(30 * k_page, 40 * k_page));
    EXPECT_TRUE(map->is_free(50 * k_page, 1000 * k_page));
    EXPECT_FALSE(map->is_free(0, 10 * k_page + 1));
    EXPECT_FALSE(map->is_free(29 * k_page, 31 * k_page));
    EXPECT_FALSE(map->is_free(0, 100 * k_page));
    EXPECT_FALSE(map->is_free(45 * k_page, 46 * k_page));

    EXPECT_TRUE(map->is_covered(10 * k_page, 30 * k_page)); // Across two touching regions.
    EXPECT_TRUE(map->is_covered(15 * k_page, 25 * k_page));
    EXPECT_TRUE(map->is_covered(40 * k_page, 50 * k_page));
    EXPECT_FALSE(map->is_covered(10 * k_page, 31 * k_page));
    EXPECT_FALSE(map->is_covered(9 * k_page, 20 * k_page));
    EXPECT_FALSE(map->is_covered(25 * k_page, 45 * k_page)); // A hole in the middle.
    EXPECT_FALSE(map->is_covered(35 * k_page, 36 * k_page));
    EXPECT_FALSE(map->is_covered(45 * k_page, 51 * k_page));
}

struct Removed {
    Regions pieces;
    void operator()(const Region& r) { pieces.push_back(r); }
};

TEST(RegionMap, RemoveFromTheMiddleSplitsTheRegion)
{
    auto map = map_of({ region(10, 20, k_rw, k_region_committed) });
    Removed removed;
    ASSERT_FALSE(map->remove(14 * k_page, 15 * k_page, removed).is_error());
    EXPECT_EQ(removed.pieces, (Regions { region(14, 15, k_rw, k_region_committed) }));
    EXPECT_EQ(regions_of(*map),
        (Regions { region(10, 14, k_rw, k_region_committed), region(15, 20, k_rw, k_region_committed) }));
}

TEST(RegionMap, RemoveAcrossSeveralRegionsAndHoles)
{
    auto map = map_of({ region(10, 20, k_r), region(25, 30, k_rw), region(30, 35, k_rx), region(40, 50, k_r),
        region(60, 70) });
    Removed removed;
    ASSERT_FALSE(map->remove(15 * k_page, 45 * k_page, removed).is_error());
    EXPECT_EQ(removed.pieces,
        (Regions { region(15, 20, k_r), region(25, 30, k_rw), region(30, 35, k_rx), region(40, 45, k_r) }));
    EXPECT_EQ(regions_of(*map), (Regions { region(10, 15, k_r), region(45, 50, k_r), region(60, 70) }));
}

TEST(RegionMap, RemoveWholeRegionsAndNothing)
{
    auto map = map_of({ region(10, 20, k_r), region(30, 40) });
    Removed nothing;
    ASSERT_FALSE(map->remove(20 * k_page, 30 * k_page, nothing).is_error());
    ASSERT_FALSE(map->remove(100 * k_page, 200 * k_page, nothing).is_error());
    EXPECT_TRUE(nothing.pieces.empty());
    EXPECT_EQ(map->count(), 2u);

    Removed removed;
    ASSERT_FALSE(map->remove(0, 100 * k_page, removed).is_error());
    EXPECT_EQ(removed.pieces, (Regions { region(10, 20, k_r), region(30, 40) }));
    EXPECT_EQ(map->count(), 0u);
}

struct Protected {
    struct Call {
        Region before;
        u32 protection;
    };
    std::vector<Call> calls;
    void operator()(const Region& r, u32 protection) { calls.push_back({ r, protection }); }
};

TEST(RegionMap, ProtectPartOfARegionSplitsItThenMergesBack)
{
    auto map = map_of({ region(10, 20) });
    Protected seen;
    ASSERT_FALSE(map->protect(14 * k_page, 16 * k_page, k_r, 0, seen).is_error());
    ASSERT_EQ(seen.calls.size(), 1u);
    EXPECT_EQ(seen.calls[0].before, region(14, 16, k_rw));
    EXPECT_EQ(seen.calls[0].protection, k_r);
    EXPECT_EQ(regions_of(*map), (Regions { region(10, 14), region(14, 16, k_r), region(16, 20) }));

    Protected back;
    ASSERT_FALSE(map->protect(14 * k_page, 16 * k_page, k_rw, 0, back).is_error());
    ASSERT_EQ(back.calls.size(), 1u);
    EXPECT_EQ(back.calls[0].before, region(14, 16, k_r));
    EXPECT_EQ(regions_of(*map), (Regions { region(10, 20) }));
}

TEST(RegionMap, ProtectMergesWithOutsideNeighbours)
{
    auto map = map_of({ region(10, 20, k_r), region(20, 30, k_rw), region(30, 40, k_r) });
    Protected seen;
    ASSERT_FALSE(map->protect(20 * k_page, 30 * k_page, k_r, 0, seen).is_error());
    EXPECT_EQ(regions_of(*map), (Regions { region(10, 40, k_r) }));
}

TEST(RegionMap, ProtectAcrossRegionsVisitsEachPiece)
{
    auto map = map_of({ region(10, 20, k_r), region(20, 30, k_rx), region(30, 40, k_r) });
    Protected seen;
    ASSERT_FALSE(map->protect(15 * k_page, 35 * k_page, k_rw, 0, seen).is_error());
    ASSERT_EQ(seen.calls.size(), 3u);
    EXPECT_EQ(seen.calls[0].before, region(15, 20, k_r));
    EXPECT_EQ(seen.calls[1].before, region(20, 30, k_rx));
    EXPECT_EQ(seen.calls[2].before, region(30, 35, k_r));
    EXPECT_EQ(regions_of(*map), (Regions { region(10, 15, k_r), region(15, 35, k_rw), region(35, 40, k_r) }));
}

TEST(RegionMap, ProtectAddsFlagsToTheProtectedPieceOnly)
{
    auto map = map_of({ region(10, 20, k_r) });
    Protected seen;
    ASSERT_FALSE(map->protect(12 * k_page, 14 * k_page, k_rw, k_region_committed, seen).is_error());
    EXPECT_EQ(regions_of(*map),
        (Regions { region(10, 12, k_r), region(12, 14, k_rw, k_region_committed), region(14, 20, k_r) }));

    // Protection equal again, flags not: the pieces stay apart.
    ASSERT_FALSE(map->protect(12 * k_page, 14 * k_page, k_r, 0, seen).is_error());
    EXPECT_EQ(regions_of(*map),
        (Regions { region(10, 12, k_r), region(12, 14, k_r, k_region_committed), region(14, 20, k_r) }));
}

TEST(RegionMap, ProtectOverAHoleIsEnomemAndChangesNothing)
{
    Regions before { region(10, 20, k_r), region(25, 30, k_r) };
    auto map = map_of(before);
    Protected seen;
    EXPECT_EQ(map->protect(15 * k_page, 28 * k_page, k_rw, 0, seen).error_code(), ENOMEM);
    EXPECT_EQ(map->protect(5 * k_page, 15 * k_page, k_rw, 0, seen).error_code(), ENOMEM);
    EXPECT_EQ(map->protect(28 * k_page, 31 * k_page, k_rw, 0, seen).error_code(), ENOMEM);
    EXPECT_EQ(map->protect(40 * k_page, 41 * k_page, k_rw, 0, seen).error_code(), ENOMEM);
    EXPECT_TRUE(seen.calls.empty());
    EXPECT_EQ(regions_of(*map), before);
}

Regions last_regions(const RegionMap& map)
{
    Regions out;
    for (size_t i = map.count() > 3 ? map.count() - 3 : 0; i < map.count(); ++i)
        out.push_back(map.at(i));
    return out;
}

// Fills the table with one-page regions of alternating protection, so that none merge.
std::unique_ptr<RegionMap> full_map(size_t count)
{
    auto map = std::make_unique<RegionMap>();
    for (size_t i = 0; i < count; ++i) {
        if (map->insert(region(16 + i, 17 + i, i % 2 ? k_r : k_rw)).is_error()) {
            ADD_FAILURE() << "insert " << i << " failed";
            break;
        }
    }
    EXPECT_EQ(map->count(), count);
    return map;
}

TEST(RegionMap, CapacityExhaustionIsEnomem)
{
    auto map = full_map(RegionMap::k_capacity);
    u64 end_page = 16 + RegionMap::k_capacity; // The first page past the last region.
    u32 last_protection = (RegionMap::k_capacity - 1) % 2 ? k_r : k_rw;
    u32 other_protection = last_protection == k_r ? k_rw : k_r;

    // A new entry does not fit...
    EXPECT_EQ(map->insert(region(end_page + 1, end_page + 2)).error_code(), ENOMEM);
    EXPECT_EQ(map->insert(region(end_page, end_page + 1, other_protection)).error_code(), ENOMEM);
    EXPECT_EQ(map->count(), RegionMap::k_capacity);

    // ...but one that merges into a neighbour needs no entry.
    ASSERT_FALSE(map->insert(region(end_page, end_page + 2, last_protection)).is_error());
    EXPECT_EQ(map->count(), RegionMap::k_capacity);
    Region last = map->at(RegionMap::k_capacity - 1);
    EXPECT_EQ(last, region(end_page - 1, end_page + 2, last_protection));

    // Splitting needs an entry too.
    Removed removed;
    EXPECT_EQ(map->remove(end_page * k_page, (end_page + 1) * k_page, removed).error_code(), ENOMEM);
    EXPECT_TRUE(removed.pieces.empty());
    Protected seen;
    EXPECT_EQ(map->protect(end_page * k_page, (end_page + 1) * k_page, other_protection, 0, seen).error_code(), ENOMEM);
    EXPECT_TRUE(seen.calls.empty());
    EXPECT_EQ(map->at(RegionMap::k_capacity - 1), last);
    EXPECT_EQ(map->count(), RegionMap::k_capacity);

    // Operations that need no new entry still work, and free one.
    ASSERT_FALSE(map->remove(16 * k_page, 17 * k_page, removed).is_error());
    EXPECT_EQ(map->count(), RegionMap::k_capacity - 1);
    EXPECT_FALSE(map->insert(region(end_page + 10, end_page + 11)).is_error());
    EXPECT_EQ(map->count(), RegionMap::k_capacity);
}

// Regression: protect() and remove() split at `start` before finding out that the split at `end`
// did not fit, and returned ENOMEM leaving that first split behind.
TEST(RegionMap, FailedSplitAtCapacityLeavesTheTableUnchanged)
{
    // One entry left: a 3-page region whose middle page needs two more to split off.
    u64 end_page = 16 + RegionMap::k_capacity - 2;
    auto with_one_entry_left = [&] {
        auto map = full_map(RegionMap::k_capacity - 2);
        EXPECT_FALSE(map->insert(region(end_page + 1, end_page + 4, k_rx)).is_error());
        return map;
    };

    auto map = with_one_entry_left();
    // Only the last regions can change; comparing just them keeps a failure's output short.
    Regions before = last_regions(*map);
    Protected seen;
    EXPECT_EQ(map->protect((end_page + 2) * k_page, (end_page + 3) * k_page, k_r, 0, seen).error_code(), ENOMEM);
    EXPECT_TRUE(seen.calls.empty());
    EXPECT_EQ(map->count(), RegionMap::k_capacity - 1);
    EXPECT_EQ(last_regions(*map), before);

    map = with_one_entry_left();
    Removed removed;
    EXPECT_EQ(map->remove((end_page + 2) * k_page, (end_page + 3) * k_page, removed).error_code(), ENOMEM);
    EXPECT_TRUE(removed.pieces.empty());
    EXPECT_EQ(map->count(), RegionMap::k_capacity - 1);
    EXPECT_EQ(last_regions(*map), before);
}

// The range operations of munmap, mprotect and madvise over reservations the size of libc-test's
// malloc-oom (2^46 bytes): every answer comes from the few regions involved, so a range's size
// cannot make them slow (the vm test memory.huge-reservation times them in the guest).
constexpr u64 k_tib = 1ull << 40;
constexpr u64 k_base = 0x100000000000ull;

TEST(RegionMap, ForEachInVisitsOnlyOverlappingRegions)
{
    auto map = map_of({ region(10, 20, k_r), region(30, 40), region(50, 60, k_rx), region(70, 80) });
    Regions seen;
    map->for_each_in(15 * k_page, 55 * k_page, [&](const Region& r) { seen.push_back(r); });
    EXPECT_EQ(seen, (Regions { region(10, 20, k_r), region(30, 40), region(50, 60, k_rx) }));
    seen.clear();
    map->for_each_in(20 * k_page, 30 * k_page, [&](const Region& r) { seen.push_back(r); });
    EXPECT_TRUE(seen.empty()); // Both ends touch regions; neither overlaps.
    map->for_each_in(0, ~0ull & ~(k_page - 1), [&](const Region& r) { seen.push_back(r); });
    EXPECT_EQ(seen.size(), 4u);
}

TEST(RegionMap, HugeReservationRemovedAsOnePiece)
{
    auto map = map_of({ region(1, 2), { k_base, k_base + (1ull << 46), 0, 0 } });
    Removed removed;
    ASSERT_FALSE(map->remove(k_base, k_base + (1ull << 46), removed).is_error());
    EXPECT_EQ(removed.pieces, (Regions { { k_base, k_base + (1ull << 46), 0, 0 } }));
    EXPECT_EQ(regions_of(*map), (Regions { region(1, 2) }));
}

TEST(RegionMap, HugeRangeOverFewRegionsVisitsOnlyThem)
{
    // A 1 TiB PROT_NONE reservation with two used windows inside, as an allocator makes them.
    const u64 end = k_base + k_tib;
    auto map = map_of({ { k_base, end, 0, 0 } });
    Protected opened;
    ASSERT_FALSE(map->protect(k_base + 5 * k_page, k_base + 9 * k_page, k_rw, 0, opened).is_error());
    ASSERT_FALSE(map->protect(end - 2 * k_page, end, k_rw, 0, opened).is_error());
    ASSERT_EQ(map->count(), 4u);
    ASSERT_TRUE(map->is_covered(k_base, end));

    // Closing all of it again visits the four pieces and merges them back into one region.
    Protected closed;
    ASSERT_FALSE(map->protect(k_base, end, 0, 0, closed).is_error());
    ASSERT_EQ(closed.calls.size(), 4u);
    EXPECT_EQ(closed.calls[1].before, (Region { k_base + 5 * k_page, k_base + 9 * k_page, k_rw, 0 }));
    EXPECT_EQ(regions_of(*map), (Regions { { k_base, end, 0, 0 } }));

    Removed removed;
    ASSERT_FALSE(map->remove(k_base - k_tib, end + k_tib, removed).is_error());
    EXPECT_EQ(removed.pieces.size(), 1u);
    EXPECT_EQ(map->count(), 0u);
}

TEST(RegionMap, RemoveTheMiddleOfAHugeReservation)
{
    const u64 end = k_base + (1ull << 46);
    auto map = map_of({ { k_base, end, 0, 0 } });
    Removed removed;
    ASSERT_FALSE(map->remove(k_base + k_tib, k_base + 2 * k_tib, removed).is_error());
    EXPECT_EQ(removed.pieces, (Regions { { k_base + k_tib, k_base + 2 * k_tib, 0, 0 } }));
    EXPECT_EQ(regions_of(*map), (Regions { { k_base, k_base + k_tib, 0, 0 }, { k_base + 2 * k_tib, end, 0, 0 } }));
    EXPECT_EQ(map->find_gap(k_tib, k_base, end), k_base + k_tib);
    EXPECT_TRUE(map->is_free(k_base + k_tib, k_base + 2 * k_tib));
    EXPECT_FALSE(map->is_covered(k_base, end));
}

TEST(RegionMap, ProtectDoesNotMarkNoreservePiecesCommitted)
{
    // One mprotect over a PROT_NONE mapping (charged now) and a MAP_NORESERVE one (never charged
    // as a whole): only the first becomes committed, or munmap would give back a charge never taken.
    auto map = map_of({ region(10, 20, 0), region(20, 30, k_rw, k_region_noreserve) });
    Protected seen;
    ASSERT_FALSE(map->protect(10 * k_page, 30 * k_page, k_r, k_region_committed, seen).is_error());
    EXPECT_EQ(regions_of(*map),
        (Regions { region(10, 20, k_r, k_region_committed), region(20, 30, k_r, k_region_noreserve) }));
}

} // namespace
} // namespace uk::mm
