// SPDX-License-Identifier: MIT
#include "fs/chacha20.h"

#include <gtest/gtest.h>
#include <string.h>

namespace {

TEST(ChaCha20, Rfc8439BlockFunctionVector)
{
    // [RFC 8439 2.3.2]
    uk::u32 key[8];
    for (int i = 0; i < 8; ++i)
        key[i] = static_cast<uk::u32>(4 * i) | static_cast<uk::u32>(4 * i + 1) << 8
            | static_cast<uk::u32>(4 * i + 2) << 16 | static_cast<uk::u32>(4 * i + 3) << 24;
    const uk::u32 nonce[3] = { 0x09000000, 0x4a000000, 0x00000000 };
    uk::u8 out[64];
    uk::fs::chacha20_block(key, 1, nonce, out);
    const uk::u8 expected[64] = { 0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20,
        0x71, 0xc4, 0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03, 0x04, 0x22, 0xaa, 0x9a, 0xc3, 0xd4, 0x6c, 0x4e,
        0xd2, 0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa, 0x09, 0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2, 0xb5, 0x12,
        0x9c, 0xd1, 0xde, 0x16, 0x4e, 0xb9, 0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e };
    EXPECT_EQ(memcmp(out, expected, 64), 0);
}

TEST(Csprng, OutputDiffersBetweenRequestsAndSeeds)
{
    uk::fs::Csprng a, b;
    a.add_entropy("seed one", 8);
    b.add_entropy("seed two", 8);
    uk::u8 x[100], y[100], z[100];
    a.fill(x, sizeof x);
    a.fill(y, sizeof y);
    b.fill(z, sizeof z);
    EXPECT_NE(memcmp(x, y, sizeof x), 0);
    EXPECT_NE(memcmp(x, z, sizeof x), 0);
    EXPECT_TRUE(a.is_seeded());
}

TEST(Csprng, SameSeedSameStream)
{
    uk::fs::Csprng a, b;
    a.add_entropy("same", 4);
    b.add_entropy("same", 4);
    uk::u8 x[300], y[300];
    a.fill(x, sizeof x);
    b.fill(y, sizeof y);
    EXPECT_EQ(memcmp(x, y, sizeof x), 0);
}

}
