// SPDX-License-Identifier: MIT
// Unit tests of the page-table range walks behind munmap, mprotect, mremap and madvise, on page
// tables built in host memory (a table entry holds the host address of the next table, which is
// page-aligned and below 2^47 like a physical address).
//
// Runtime headers come first: lib/errno.h declares the errno names as enumerators, and GoogleTest
// pulls in <cerrno>, whose macros would rewrite them.
#include "arch/arch.h"
#include "arch/x86_64/page_range.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <set>
#include <vector>

namespace uk::arch {
namespace {

constexpr u64 k_page = 4096;
constexpr u64 k_tib = 1ull << 40;
constexpr u64 k_base = 0x100000000000ull; // Where the runtime puts program mappings.

std::set<u64> g_tables;
std::vector<u64> g_invalidated;

u64 new_table()
{
    void* table = std::aligned_alloc(k_page, k_page);
    std::memset(table, 0, k_page);
    g_tables.insert(reinterpret_cast<u64>(table));
    return reinterpret_cast<u64>(table);
}

const PageTableHooks k_hooks {
    [](u64 virt) { g_invalidated.push_back(virt); },
    [](u64 table) {
        ASSERT_EQ(g_tables.erase(table), 1u) << "freed a table twice or one it never made";
        std::free(reinterpret_cast<void*>(table));
    },
};

class PageRange : public ::testing::Test {
protected:
    void SetUp() override
    {
        g_tables.clear();
        g_invalidated.clear();
        m_root = reinterpret_cast<u64*>(new_table());
        g_tables.erase(reinterpret_cast<u64>(m_root)); // The root is the test's own.
    }
    void TearDown() override
    {
        for (u64 table : g_tables)
            std::free(reinterpret_cast<void*>(table));
        std::free(m_root);
    }

    // The level-1 entry for `virt`, with the tables above it made on the way.
    u64& leaf(u64 virt)
    {
        u64* table = m_root;
        for (int level = 4; level > 1; --level) {
            u64& entry = table[(virt >> (12 + 9 * (level - 1))) & 511];
            if (!entry)
                entry = new_table() | k_pte_present | k_pte_writable;
            table = reinterpret_cast<u64*>(entry & k_pte_address);
        }
        return table[(virt >> 12) & 511];
    }
    // Maps `virt` to a fake frame number (distinct per page) with `protection`.
    void map(u64 virt, u32 protection = k_prot_read | k_prot_write)
    {
        leaf(virt) = frame_of(virt) | leaf_flags(protection);
    }
    static u64 frame_of(u64 virt) { return (0x40000000ull + (virt >> 12) * k_page) & k_pte_address; }

    bool root_is_empty() const
    {
        for (int i = 0; i < 512; ++i)
            if (m_root[i])
                return false;
        return true;
    }

    u64* m_root = nullptr;
};

std::vector<u64> clear(u64* root, u64 start, u64 end, WalkStats* stats = nullptr)
{
    std::vector<u64> released;
    WalkStats s = clear_entries(
        root, start, end, [](u64 frame, void* out) { static_cast<std::vector<u64>*>(out)->push_back(frame); },
        &released, k_hooks);
    if (stats)
        *stats = s;
    return released;
}

TEST_F(PageRange, ClearingAnEmptyTerabyteReadsOnlyTheRoot)
{
    WalkStats stats;
    EXPECT_TRUE(clear(m_root, k_base, k_base + k_tib, &stats).empty());
    EXPECT_EQ(stats.tables_visited, 0u);
    EXPECT_EQ(stats.pages, 0u);
    stats = protect_entries(m_root, 0, k_walk_limit, k_prot_read, k_hooks);
    EXPECT_EQ(stats.tables_visited, 0u);
    EXPECT_TRUE(g_invalidated.empty());
}

TEST_F(PageRange, ClearingAHugeRangeCostsWhatIsMapped)
{
    // Three pages scattered over 2^46 bytes: three chains of three tables each.
    const u64 pages[] = { k_base, k_base + 3 * k_tib + 5 * k_page, k_base + 63 * k_tib };
    for (u64 p : pages)
        map(p);
    ASSERT_EQ(g_tables.size(), 9u);

    WalkStats stats;
    auto released = clear(m_root, k_base, k_base + (1ull << 46), &stats);
    EXPECT_EQ(released, (std::vector<u64> { frame_of(pages[0]), frame_of(pages[1]), frame_of(pages[2]) }));
    EXPECT_EQ(stats.pages, 3u);
    EXPECT_EQ(stats.tables_visited, 9u);
    EXPECT_EQ(stats.tables_freed, 9u);
    EXPECT_TRUE(g_tables.empty());
    EXPECT_TRUE(root_is_empty());
    for (u64 p : pages)
        EXPECT_NE(std::find(g_invalidated.begin(), g_invalidated.end(), p), g_invalidated.end());
}

TEST_F(PageRange, PartialClearKeepsTheRestAndItsTables)
{
    for (u64 i = 0; i < 8; ++i)
        map(k_base + i * k_page);
    auto released = clear(m_root, k_base + 2 * k_page, k_base + 5 * k_page);
    EXPECT_EQ(released.size(), 3u);
    EXPECT_EQ(g_tables.size(), 3u); // The page table still holds pages 0, 1 and 5..7.
    EXPECT_EQ(leaf(k_base + 1 * k_page), frame_of(k_base + k_page) | leaf_flags(k_prot_read | k_prot_write));
    EXPECT_EQ(leaf(k_base + 3 * k_page), 0u);
    EXPECT_EQ(clear(m_root, k_base, k_base + k_tib).size(), 5u);
    EXPECT_TRUE(g_tables.empty());
}

TEST_F(PageRange, ATableSharedWithPagesOutsideTheRangeStays)
{
    // Two pages in one page table; clearing the range of one leaves the table to the other.
    map(k_base + 100 * k_page);
    map(k_base + 101 * k_page);
    WalkStats stats;
    clear(m_root, k_base + 101 * k_page, k_base + k_tib, &stats);
    EXPECT_EQ(stats.tables_freed, 0u);
    EXPECT_NE(leaf(k_base + 100 * k_page), 0u);
}

TEST_F(PageRange, ProtectKeepsFramesAndProtNoneKeepsThemTooButNotPresent)
{
    map(k_base);
    map(k_base + 2 * k_page, k_prot_read);
    WalkStats stats = protect_entries(m_root, k_base, k_base + k_tib, k_prot_none, k_hooks);
    EXPECT_EQ(stats.pages, 2u);
    EXPECT_EQ(leaf(k_base), frame_of(k_base));
    EXPECT_FALSE(leaf(k_base) & k_pte_present);
    EXPECT_EQ(leaf(k_base + k_page), 0u); // Never populated: stays empty.
    EXPECT_EQ(g_invalidated.size(), 2u);

    protect_entries(m_root, k_base, k_base + k_tib, k_prot_read | k_prot_write | k_prot_exec, k_hooks);
    EXPECT_EQ(leaf(k_base), frame_of(k_base) | k_pte_present | k_pte_writable);
    EXPECT_EQ(leaf(k_base + 2 * k_page), frame_of(k_base + 2 * k_page) | k_pte_present | k_pte_writable);
    // A PROT_NONE page is "populated" for clearing: its frame must be released.
    protect_entries(m_root, k_base, k_base + k_page, k_prot_none, k_hooks);
    EXPECT_EQ(clear(m_root, k_base, k_base + k_page).size(), 1u);
}

TEST_F(PageRange, UnchangedEntriesAreNotInvalidated)
{
    map(k_base, k_prot_read);
    protect_entries(m_root, k_base, k_base + k_page, k_prot_read, k_hooks);
    EXPECT_TRUE(g_invalidated.empty());
}

TEST_F(PageRange, LargePagesAreNotTouched)
{
    // The runtime's identity map of RAM: a 2 MiB page under the same PML4 entry as a mapping.
    u64& pdpt_entry = m_root[0];
    pdpt_entry = new_table() | k_pte_present | k_pte_writable;
    u64* pdpt = reinterpret_cast<u64*>(pdpt_entry & k_pte_address);
    pdpt[0] = new_table() | k_pte_present | k_pte_writable;
    u64* pd = reinterpret_cast<u64*>(pdpt[0] & k_pte_address);
    pd[1] = (2ull << 20) | k_pte_present | k_pte_writable | k_pte_large;
    map(8ull << 20);
    auto released = clear(m_root, 0, 1ull << 30);
    EXPECT_EQ(released, (std::vector<u64> { frame_of(8ull << 20) }));
    EXPECT_EQ(pd[1], (2ull << 20) | k_pte_present | k_pte_writable | k_pte_large);
    EXPECT_EQ(g_tables.size(), 2u); // The directory holding the large page, and its PDPT.
}

TEST_F(PageRange, VisitorSeesEveryPopulatedPageOnce)
{
    for (u64 i = 0; i < 1030; i += 3)
        map(k_base + i * k_page); // Crosses two page-table boundaries.
    std::vector<u64> seen;
    WalkStats stats = walk_range(
        m_root, k_base, k_base + k_tib,
        [](u64 virt, u64&, void* out) { static_cast<std::vector<u64>*>(out)->push_back(virt); }, &seen, k_hooks);
    ASSERT_EQ(seen.size(), 344u);
    for (size_t i = 0; i < seen.size(); ++i)
        EXPECT_EQ(seen[i], k_base + 3 * i * k_page);
    EXPECT_EQ(stats.tables_visited, 5u); // PDPT, directory, three page tables.
    EXPECT_EQ(stats.tables_freed, 0u);
}

} // namespace
} // namespace uk::arch
