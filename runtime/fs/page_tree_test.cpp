// SPDX-License-Identifier: MIT
#include "fs/page_tree.h"

#include <gtest/gtest.h>

namespace uk::host::frames {
void set_limit(u64 limit);
u64 in_use();
}

namespace {

using uk::fs::PageTree;

struct PageTreeTest : testing::Test {
    void SetUp() override { uk::host::frames::set_limit(~0ull); }
    void TearDown() override
    {
        tree.clear();
        EXPECT_EQ(uk::host::frames::in_use(), 0u);
    }
    PageTree tree;
};

TEST_F(PageTreeTest, HolesAreNull)
{
    EXPECT_EQ(tree.find(0), nullptr);
    EXPECT_EQ(tree.find(123456), nullptr);
    EXPECT_EQ(tree.page_count(), 0u);
}

TEST_F(PageTreeTest, SmallFileIsOnePage)
{
    auto page = tree.find_or_create(0);
    ASSERT_FALSE(page.is_error());
    EXPECT_EQ(tree.find(0), page.value());
    EXPECT_EQ(tree.memory_pages(), 1u);
    EXPECT_EQ(uk::host::frames::in_use(), 1u);
}

TEST_F(PageTreeTest, GrowsKeepingEarlierPages)
{
    auto first = tree.find_or_create(0).value();
    first[0] = 42;
    auto far = tree.find_or_create(512 * 512 + 7).value(); // Height 3.
    far[1] = 7;
    EXPECT_EQ(tree.find(0), first);
    EXPECT_EQ(tree.find(0)[0], 42);
    EXPECT_EQ(tree.find(512 * 512 + 7), far);
    EXPECT_EQ(tree.find(512 * 512 + 6), nullptr);
    EXPECT_EQ(tree.page_count(), 2u);
}

TEST_F(PageTreeTest, TruncateFreesPagesAndNodes)
{
    for (uk::u64 i = 0; i < 2000; i += 3)
        ASSERT_FALSE(tree.find_or_create(i).is_error());
    uk::u64 before = tree.page_count();
    tree.truncate(1000);
    for (uk::u64 i = 0; i < 2000; ++i)
        EXPECT_EQ(tree.find(i) != nullptr, i < 1000 && i % 3 == 0) << i;
    EXPECT_LT(tree.page_count(), before);
    tree.truncate(0);
    EXPECT_EQ(tree.page_count(), 0u);
    EXPECT_EQ(uk::host::frames::in_use(), 0u);
}

TEST_F(PageTreeTest, OutOfMemoryLeavesTreeUsable)
{
    uk::host::frames::set_limit(3);
    ASSERT_FALSE(tree.find_or_create(0).is_error());
    // Needs a node and a page: two more frames; a third allocation fails.
    ASSERT_FALSE(tree.find_or_create(1).is_error());
    auto failed = tree.find_or_create(600);
    EXPECT_TRUE(failed.is_error());
    EXPECT_EQ(failed.error_code(), ENOSPC);
    EXPECT_NE(tree.find(0), nullptr);
    EXPECT_NE(tree.find(1), nullptr);
    uk::host::frames::set_limit(~0ull);
    EXPECT_FALSE(tree.find_or_create(600).is_error());
}

TEST_F(PageTreeTest, BeyondTheLimitIsEfbig)
{
    auto r = tree.find_or_create(PageTree::k_max_pages);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error_code(), EFBIG);
    EXPECT_FALSE(tree.find_or_create(PageTree::k_max_pages - 1).is_error());
}

}
