// SPDX-License-Identifier: MIT
// Unit tests of the physical frame bitmap.
//
// Runtime headers come first: lib/errno.h declares the errno names as enumerators, and GoogleTest
// pulls in <cerrno>, whose macros would rewrite them.
#include "mm/frame_bitmap.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <vector>

namespace uk::mm {
namespace {

// A bitmap over `frames` frames whose words start out as garbage, to show init() clears them.
struct Bitmap {
    explicit Bitmap(u64 frames)
        : words(std::make_unique<u64[]>((frames + 63) / 64))
    {
        for (u64 i = 0; i < (frames + 63) / 64; ++i)
            words[i] = ~0ull;
        bitmap.init(words.get(), frames);
    }
    std::unique_ptr<u64[]> words;
    FrameBitmap bitmap;
};

std::vector<u64> allocate_all(FrameBitmap& bitmap)
{
    std::vector<u64> frames;
    while (u64 f = bitmap.allocate())
        frames.push_back(f);
    return frames;
}

TEST(FrameBitmap, StartsWithEveryFrameInUse)
{
    Bitmap b(200);
    EXPECT_EQ(b.bitmap.frame_count(), 200u);
    EXPECT_EQ(b.bitmap.free_count(), 0u);
    for (u64 f = 0; f < 200; ++f)
        EXPECT_FALSE(b.bitmap.is_free(f)) << f;
    EXPECT_EQ(b.bitmap.allocate(), 0u);
}

TEST(FrameBitmap, ReleaseRangeSkipsFrameZeroAndClipsAtTheEnd)
{
    Bitmap b(200);
    b.bitmap.release_range(0, 10);
    EXPECT_EQ(b.bitmap.free_count(), 9u);
    EXPECT_FALSE(b.bitmap.is_free(0));
    EXPECT_TRUE(b.bitmap.is_free(1));
    EXPECT_TRUE(b.bitmap.is_free(9));
    EXPECT_FALSE(b.bitmap.is_free(10));

    b.bitmap.release_range(190, 100); // Past the last frame.
    EXPECT_EQ(b.bitmap.free_count(), 19u);
    EXPECT_TRUE(b.bitmap.is_free(199));
    EXPECT_FALSE(b.bitmap.is_free(200));
    EXPECT_FALSE(b.bitmap.is_free(1000));
}

TEST(FrameBitmap, ReleaseRangeOverFreeFramesIsHarmless)
{
    Bitmap b(128);
    b.bitmap.release_range(10, 20);
    b.bitmap.release_range(0, 128);
    EXPECT_EQ(b.bitmap.free_count(), 127u);
}

TEST(FrameBitmap, ClaimRange)
{
    Bitmap b(256);
    b.bitmap.release_range(0, 256);
    b.bitmap.claim_range(60, 10); // Crosses a word boundary.
    EXPECT_EQ(b.bitmap.free_count(), 255u - 10);
    for (u64 f = 60; f < 70; ++f)
        EXPECT_FALSE(b.bitmap.is_free(f)) << f;
    EXPECT_TRUE(b.bitmap.is_free(59));
    EXPECT_TRUE(b.bitmap.is_free(70));

    b.bitmap.claim_range(65, 10); // Half already claimed.
    EXPECT_EQ(b.bitmap.free_count(), 255u - 15);
    b.bitmap.claim_range(250, 100); // Clipped at the end.
    EXPECT_EQ(b.bitmap.free_count(), 255u - 21);
    b.bitmap.claim_range(0, 1); // Frame 0 is never free, so nothing changes.
    EXPECT_EQ(b.bitmap.free_count(), 255u - 21);

    for (u64 f : allocate_all(b.bitmap))
        EXPECT_TRUE(f < 60 || (f >= 75 && f < 250)) << f;
}

TEST(FrameBitmap, AllocatesEveryFreeFrameOnceThenZero)
{
    // 130 frames: the last word is partly beyond the end and must not hand out those bits.
    Bitmap b(130);
    b.bitmap.release_range(0, 130);
    auto frames = allocate_all(b.bitmap);
    EXPECT_EQ(frames.size(), 129u);
    std::set<u64> unique(frames.begin(), frames.end());
    EXPECT_EQ(unique.size(), frames.size());
    EXPECT_EQ(*unique.begin(), 1u); // Frame 0 never.
    EXPECT_EQ(*unique.rbegin(), 129u);
    EXPECT_EQ(b.bitmap.free_count(), 0u);
    EXPECT_EQ(b.bitmap.allocate(), 0u);
    EXPECT_EQ(b.bitmap.allocate(), 0u);
}

TEST(FrameBitmap, FreeCountTracksEveryOperation)
{
    Bitmap b(1000);
    b.bitmap.release_range(1, 999);
    u64 expected = 999;
    std::vector<u64> held;
    for (int i = 0; i < 300; ++i) {
        held.push_back(b.bitmap.allocate());
        EXPECT_EQ(b.bitmap.free_count(), --expected);
    }
    for (size_t i = 0; i < held.size(); i += 2) {
        b.bitmap.release(held[i]);
        EXPECT_TRUE(b.bitmap.is_free(held[i]));
        EXPECT_EQ(b.bitmap.free_count(), ++expected);
    }
    u64 counted = 0;
    for (u64 f = 0; f < 1000; ++f)
        counted += b.bitmap.is_free(f);
    EXPECT_EQ(counted, b.bitmap.free_count());
}

TEST(FrameBitmap, ReleasedFrameIsAllocatedAgain)
{
    Bitmap b(64);
    b.bitmap.release_range(0, 64);
    auto frames = allocate_all(b.bitmap);
    ASSERT_EQ(frames.size(), 63u);
    b.bitmap.release(17);
    EXPECT_EQ(b.bitmap.free_count(), 1u);
    EXPECT_EQ(b.bitmap.allocate(), 17u);
    EXPECT_EQ(b.bitmap.free_count(), 0u);
    EXPECT_FALSE(b.bitmap.is_free(17));
}

TEST(FrameBitmap, NextFitContinuesAfterTheLastWordAndWrapsAround)
{
    Bitmap b(256); // Four words.
    b.bitmap.release_range(0, 256);
    for (u64 f = 1; f < 64; ++f)
        ASSERT_EQ(b.bitmap.allocate(), f);
    EXPECT_EQ(b.bitmap.allocate(), 64u); // Word 0 is now empty: on to word 1.

    // A frame freed behind the search position waits until the search wraps around.
    b.bitmap.release(5);
    EXPECT_EQ(b.bitmap.allocate(), 65u);
    for (u64 f = 66; f < 256; ++f)
        ASSERT_EQ(b.bitmap.allocate(), f);
    EXPECT_EQ(b.bitmap.allocate(), 5u);
    EXPECT_EQ(b.bitmap.allocate(), 0u);

    // The search position is back at word 0, so later words are searched in order.
    b.bitmap.release(200);
    b.bitmap.release(70);
    EXPECT_EQ(b.bitmap.allocate(), 70u);
    EXPECT_EQ(b.bitmap.allocate(), 200u);
    // From word 3, a free frame in word 0 is reached by wrapping.
    b.bitmap.release(3);
    b.bitmap.release(130);
    EXPECT_EQ(b.bitmap.allocate(), 3u);
    EXPECT_EQ(b.bitmap.allocate(), 130u);
}

TEST(FrameBitmap, SingleWordWithOnlyFrameZero)
{
    Bitmap b(1);
    b.bitmap.release_range(0, 1);
    EXPECT_EQ(b.bitmap.free_count(), 0u);
    EXPECT_EQ(b.bitmap.allocate(), 0u);
}

using FrameBitmapDeathTest = ::testing::Test;

TEST_F(FrameBitmapDeathTest, DoubleReleasePanics)
{
    Bitmap b(64);
    b.bitmap.release_range(0, 64);
    u64 f = b.bitmap.allocate();
    b.bitmap.release(f);
    EXPECT_DEATH(b.bitmap.release(f), R"(runtime panic: VERIFY\(!is_free\(frame\)\) failed)");
}

TEST_F(FrameBitmapDeathTest, ReleasingAFrameNeverAllocatedPanics)
{
    Bitmap b(64);
    b.bitmap.release_range(10, 5);
    EXPECT_DEATH(b.bitmap.release(12), R"(VERIFY\(!is_free\(frame\)\) failed)");
}

TEST_F(FrameBitmapDeathTest, ReleasingFrameZeroOrPastTheEndPanics)
{
    Bitmap b(64);
    EXPECT_DEATH(b.bitmap.release(0), R"(VERIFY\(frame != 0 && frame < m_frames\) failed)");
    EXPECT_DEATH(b.bitmap.release(64), R"(VERIFY\(frame != 0 && frame < m_frames\) failed)");
}

} // namespace
} // namespace uk::mm
