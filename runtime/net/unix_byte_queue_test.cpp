// SPDX-License-Identifier: MIT
#include "net/unix_byte_queue.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace uk::host::frames {
void set_limit(u64 limit);
u64 in_use();
}

namespace {

using uk::net::ByteQueue;

struct ByteQueueTest : testing::Test {
    void SetUp() override { uk::host::frames::set_limit(~0ull); }
    void TearDown() override
    {
        queue.clear();
        EXPECT_EQ(uk::host::frames::in_use(), 0u);
        uk::host::frames::set_limit(~0ull);
    }
    void push(const std::vector<unsigned char>& data)
    {
        ASSERT_FALSE(queue.reserve(data.size()).is_error());
        queue.append(data.data(), data.size());
    }
    std::vector<unsigned char> peek(size_t offset, size_t length)
    {
        std::vector<unsigned char> out(length);
        queue.copy_out(offset, out.data(), length);
        return out;
    }
    ByteQueue queue;
};

std::vector<unsigned char> pattern(size_t length, unsigned seed)
{
    std::vector<unsigned char> v(length);
    for (size_t i = 0; i < length; ++i)
        v[i] = static_cast<unsigned char>(seed + i * 7);
    return v;
}

TEST_F(ByteQueueTest, EmptyHoldsNoPages)
{
    EXPECT_TRUE(queue.empty());
    EXPECT_EQ(uk::host::frames::in_use(), 0u);
    ASSERT_FALSE(queue.reserve(0).is_error());
    EXPECT_EQ(uk::host::frames::in_use(), 0u);
}

TEST_F(ByteQueueTest, BytesComeOutInOrderAcrossPages)
{
    auto a = pattern(5000, 1), b = pattern(9000, 2);
    push(a);
    push(b);
    EXPECT_EQ(queue.size(), 14000u);
    EXPECT_EQ(peek(0, 5000), a);
    EXPECT_EQ(peek(5000, 9000), b);
    queue.consume(4999);
    EXPECT_EQ(peek(0, 1)[0], a[4999]);
    queue.consume(1);
    EXPECT_EQ(peek(0, 9000), b);
}

TEST_F(ByteQueueTest, ReadPagesAreFreedAndAnEmptyQueueKeepsOne)
{
    push(pattern(4 * 4096, 3));
    EXPECT_EQ(uk::host::frames::in_use(), 5u); // 4088 bytes per page.
    queue.consume(3 * 4096);
    EXPECT_LE(uk::host::frames::in_use(), 2u);
    queue.consume(4096);
    EXPECT_TRUE(queue.empty());
    EXPECT_EQ(uk::host::frames::in_use(), 1u);
    // The kept page is reused.
    push(pattern(100, 4));
    EXPECT_EQ(uk::host::frames::in_use(), 1u);
    EXPECT_EQ(peek(0, 100), pattern(100, 4));
}

TEST_F(ByteQueueTest, ReserveFailsWholeWhenPagesRunOut)
{
    push(pattern(10, 5));
    uk::host::frames::set_limit(uk::host::frames::in_use() + 1);
    EXPECT_TRUE(queue.reserve(3 * 4096).is_error());
    EXPECT_EQ(queue.size(), 10u);
    EXPECT_EQ(peek(0, 10), pattern(10, 5));
    // What was reserved before the failure is still usable room.
    ASSERT_FALSE(queue.reserve(4000).is_error());
    queue.append(pattern(4000, 6).data(), 4000);
    EXPECT_EQ(peek(10, 4000), pattern(4000, 6));
}

TEST_F(ByteQueueTest, MatchesAModelUnderRandomUse)
{
    std::mt19937 random(42);
    std::vector<unsigned char> model;
    unsigned seed = 0;
    for (int step = 0; step < 3000; ++step) {
        if (random() % 2) {
            auto data = pattern(random() % 9000, ++seed);
            push(data);
            model.insert(model.end(), data.begin(), data.end());
        } else if (!model.empty()) {
            size_t n = random() % (model.size() + 1);
            size_t offset = random() % (model.size() - n + 1);
            ASSERT_EQ(peek(offset, n), std::vector<unsigned char>(model.begin() + offset, model.begin() + offset + n));
            queue.consume(n);
            model.erase(model.begin(), model.begin() + n);
        }
        ASSERT_EQ(queue.size(), model.size());
    }
}

}
