// SPDX-License-Identifier: MIT
// copy_bytes and fill_bytes against memcpy/memset at every alignment and length around the
// word and eight-word steps; file_name_of.
#include "lib/string.h"

#include <gtest/gtest.h>
#include <string.h>

namespace uk {
namespace {

TEST(StringTest, FillMatchesMemsetAtEveryAlignment)
{
    alignas(64) u8 got[300], want[300];
    for (size_t offset = 0; offset < 16; ++offset) {
        for (size_t length = 0; length < 200; ++length) {
            memset(got, 0xaa, sizeof(got));
            memset(want, 0xaa, sizeof(want));
            fill_bytes(got + offset, static_cast<u8>(length), length);
            memset(want + offset, static_cast<int>(length & 0xff), length);
            ASSERT_EQ(memcmp(got, want, sizeof(got)), 0) << "offset " << offset << " length " << length;
        }
    }
}

TEST(StringTest, CopyMatchesMemcpyAtEveryAlignmentPair)
{
    alignas(64) u8 source[300], got[300], want[300];
    for (size_t i = 0; i < sizeof(source); ++i)
        source[i] = static_cast<u8>(i * 7 + 3);
    for (size_t from = 0; from < 9; ++from) {
        for (size_t to = 0; to < 9; ++to) {
            for (size_t length = 0; length < 150; ++length) {
                memset(got, 0x55, sizeof(got));
                memset(want, 0x55, sizeof(want));
                copy_bytes(got + to, source + from, length);
                memcpy(want + to, source + from, length);
                ASSERT_EQ(memcmp(got, want, sizeof(got)), 0) << from << " -> " << to << ", " << length;
            }
        }
    }
}

TEST(StringTest, FileNameOfIsWhatFollowsTheLastSlash)
{
    EXPECT_STREQ(file_name_of("app"), "app");
    EXPECT_STREQ(file_name_of("/usr/bin/app"), "app");
    EXPECT_STREQ(file_name_of("build/app"), "app");
    EXPECT_STREQ(file_name_of("dir/"), "");
    EXPECT_STREQ(file_name_of(""), "");
}

} // namespace
} // namespace uk
