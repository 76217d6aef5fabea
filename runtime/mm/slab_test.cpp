// SPDX-License-Identifier: MIT
#include "mm/slab.h"

#include <gtest/gtest.h>
#include <set>
#include <stdlib.h>
#include <string.h>
#include <vector>

namespace {

int g_pages;
int g_limit = 1 << 30;

void* allocate()
{
    if (g_pages >= g_limit)
        return nullptr;
    ++g_pages;
    void* p = aligned_alloc(4096, 4096);
    memset(p, 0, 4096);
    return p;
}

void release(void* p)
{
    --g_pages;
    free(p);
}

struct SlabTest : testing::Test {
    void SetUp() override
    {
        g_pages = 0;
        g_limit = 1 << 30;
    }
    uk::mm::SlabAllocator slabs { uk::mm::PageSource { allocate, release } };
};

TEST_F(SlabTest, BlocksAreZeroedAlignedAndDistinct)
{
    std::set<void*> seen;
    for (size_t size : { 1, 8, 16, 17, 100, 500, 1000, 2016 }) {
        for (int i = 0; i < 50; ++i) {
            auto* p = static_cast<unsigned char*>(slabs.allocate(size));
            ASSERT_NE(p, nullptr);
            EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 16, 0u);
            for (size_t k = 0; k < size; ++k)
                ASSERT_EQ(p[k], 0);
            EXPECT_GE(uk::mm::SlabAllocator::block_size(p), size);
            memset(p, 0xab, size);
            EXPECT_TRUE(seen.insert(p).second);
        }
    }
    for (void* p : seen)
        slabs.release(p);
    EXPECT_EQ(g_pages, 0); // Empty pages go back to the source.
    EXPECT_EQ(slabs.pages_in_use(), 0u);
}

TEST_F(SlabTest, TooLargeIsRefused) { EXPECT_EQ(slabs.allocate(2017), nullptr); }

TEST_F(SlabTest, ExhaustionIsNullAndRecoverable)
{
    g_limit = 3;
    std::vector<void*> blocks;
    while (void* p = slabs.allocate(1000))
        blocks.push_back(p);
    EXPECT_EQ(blocks.size(), 3u * 4u); // Four 1008-byte blocks per page.
    slabs.release(blocks.back());
    blocks.pop_back();
    void* again = slabs.allocate(1000);
    EXPECT_NE(again, nullptr); // The freed block is reused without a page.
    blocks.push_back(again);
    for (void* p : blocks)
        slabs.release(p);
}

TEST_F(SlabTest, InterleavedSizesAndReuse)
{
    std::vector<std::pair<void*, size_t>> live;
    unsigned seed = 1;
    for (int round = 0; round < 20000; ++round) {
        seed = seed * 1103515245 + 12345;
        if (live.empty() || seed % 3) {
            size_t size = 1 + (seed >> 8) % 2016;
            auto* p = static_cast<unsigned char*>(slabs.allocate(size));
            ASSERT_NE(p, nullptr);
            memset(p, static_cast<int>(size & 0xff), size);
            live.push_back({ p, size });
        } else {
            size_t index = (seed >> 4) % live.size();
            auto [p, size] = live[index];
            for (size_t k = 0; k < size; ++k)
                ASSERT_EQ(static_cast<unsigned char*>(p)[k], size & 0xff);
            slabs.release(p);
            live[index] = live.back();
            live.pop_back();
        }
    }
    for (auto [p, size] : live)
        slabs.release(p);
    EXPECT_EQ(g_pages, 0);
}

TEST_F(SlabTest, ReleasingAForeignPointerPanics)
{
    alignas(4096) static unsigned char not_a_slab[8192];
    EXPECT_DEATH(slabs.release(not_a_slab + 64), "VERIFY");
}

}
