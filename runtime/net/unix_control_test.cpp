// SPDX-License-Identifier: MIT
#include "net/unix_control.h"

#include "net/socket.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace {

using namespace uk::net;

struct Built {
    std::vector<uk::u8> bytes;
    void add(int level, int type, const void* data, size_t length, size_t claimed = 0)
    {
        ControlHeader h { claimed ? claimed : control_length(length), level, type };
        size_t at = bytes.size();
        bytes.resize(at + control_space(length));
        std::memcpy(bytes.data() + at, &h, sizeof(h));
        std::memcpy(bytes.data() + at + sizeof(h), data, length);
    }
};

struct Seen {
    int level, type;
    size_t length;
};

uk::Result<std::vector<Seen>> walk(const std::vector<uk::u8>& buffer, size_t length)
{
    std::vector<Seen> seen;
    auto r = for_each_control_message(buffer.data(), length, [&](const ControlHeader& h, const uk::u8*, size_t n) -> uk::Result<void> {
        seen.push_back({ h.level, h.type, n });
        return {};
    });
    if (r.is_error())
        return uk::error(r.error_code());
    return seen;
}

TEST(ControlMessages, WalksEveryMessage)
{
    Built b;
    int fds[3] = { 1, 2, 3 };
    b.add(k_sol_socket, k_scm_rights, fds, sizeof(fds));
    b.add(41, 7, fds, 4);
    auto seen = walk(b.bytes, b.bytes.size());
    ASSERT_FALSE(seen.is_error());
    ASSERT_EQ(seen.value().size(), 2u);
    EXPECT_EQ(seen.value()[0].length, 12u);
    EXPECT_EQ(seen.value()[1].level, 41);
}

TEST(ControlMessages, BadLengthsAreInvalid)
{
    Built shorter;
    shorter.add(k_sol_socket, k_scm_rights, "abcd", 4, 8); // Less than a header.
    EXPECT_EQ(walk(shorter.bytes, shorter.bytes.size()).error_code(), EINVAL);
    Built longer;
    longer.add(k_sol_socket, k_scm_rights, "abcd", 4, 100); // Past the buffer.
    EXPECT_EQ(walk(longer.bytes, longer.bytes.size()).error_code(), EINVAL);
}

TEST(ControlMessages, ABufferShorterThanAHeaderHoldsNothing)
{
    std::vector<uk::u8> junk(15, 0xff);
    auto seen = walk(junk, junk.size());
    ASSERT_FALSE(seen.is_error());
    EXPECT_TRUE(seen.value().empty());
}

TEST(ControlMessages, TheLastMessageNeedNotBePadded)
{
    Built b;
    b.add(k_sol_socket, k_scm_rights, "abcd", 4);
    auto seen = walk(b.bytes, control_length(4));
    ASSERT_FALSE(seen.is_error());
    EXPECT_EQ(seen.value().size(), 1u);
}

TEST(ControlWriter, PutCutsShortAndReportsTruncation)
{
    uk::u8 buffer[64] = {};
    ControlWriter w(buffer, 20);
    Credentials c { 1, 0, 0 };
    w.put(k_sol_socket, k_scm_credentials, &c, sizeof(c));
    EXPECT_TRUE(w.is_truncated());
    EXPECT_EQ(w.used(), 20u);
    ControlHeader h;
    std::memcpy(&h, buffer, sizeof(h));
    EXPECT_EQ(h.length, 20u);
    ControlWriter fits(buffer, 64);
    fits.put(k_sol_socket, k_scm_credentials, &c, sizeof(c));
    EXPECT_FALSE(fits.is_truncated());
    EXPECT_EQ(fits.used(), control_space(sizeof(c)));
}

TEST(ControlWriter, NoBufferOrNoRoomWritesNothing)
{
    ControlWriter none(nullptr, 0);
    EXPECT_FALSE(none.has_buffer());
    EXPECT_EQ(none.rights_capacity(), 0u);
    uk::u8 buffer[16];
    ControlWriter tiny(buffer, 15);
    tiny.put(k_sol_socket, k_scm_credentials, buffer, 4);
    EXPECT_TRUE(tiny.is_truncated());
    EXPECT_EQ(tiny.used(), 0u);
}

TEST(ControlWriter, RightsAsManyAsFit)
{
    uk::u8 buffer[64] = {};
    ControlWriter w(buffer, control_length(2 * sizeof(int)) + 3);
    EXPECT_EQ(w.rights_capacity(), 2u);
    int fds[2] = { 5, 6 };
    std::memcpy(w.rights_data(), fds, sizeof(fds));
    w.finish_rights(2, 3);
    EXPECT_TRUE(w.is_truncated());
    ControlHeader h;
    std::memcpy(&h, buffer, sizeof(h));
    EXPECT_EQ(h.length, control_length(8));
    EXPECT_EQ(h.type, k_scm_rights);
    // CMSG_SPACE(8) is 24, but only 27 bytes were offered: all of them are used.
    EXPECT_EQ(w.used(), 24u);
}

}
