// SPDX-License-Identifier: MIT
#include "net/unix_address.h"

#include <gtest/gtest.h>

#include <cstring>

namespace {

using namespace uk::net;

SocketAddress address(const char* path, uk::u32 length)
{
    SocketAddress a;
    std::memset(a.bytes, 0, sizeof(a.bytes));
    a.bytes[0] = k_af_unix;
    std::memcpy(a.bytes + 2, path, std::strlen(path));
    a.length = length;
    return a;
}

TEST(UnixAddress, LengthsOutsideSockaddrUnAreInvalid)
{
    EXPECT_TRUE(validate_unix_address(address("x", 0)).is_error());
    EXPECT_TRUE(validate_unix_address(address("x", 2)).is_error());
    EXPECT_FALSE(validate_unix_address(address("x", 3)).is_error());
    EXPECT_FALSE(validate_unix_address(address("x", 110)).is_error());
    EXPECT_TRUE(validate_unix_address(address("x", 111)).is_error());
    SocketAddress inet = address("x", 4);
    inet.bytes[0] = k_af_inet;
    EXPECT_EQ(validate_unix_address(inet).error_code(), EINVAL);
}

TEST(UnixAddress, OnlyTheFamilyAsksForAutobind)
{
    EXPECT_TRUE(is_autobind_request(address("", 2)));
    EXPECT_FALSE(is_autobind_request(address("", 3)));
    SocketAddress other = address("", 2);
    other.bytes[0] = k_af_inet;
    EXPECT_FALSE(is_autobind_request(other));
}

TEST(UnixAddress, PathsEndAtTheirFirstNul)
{
    // Linux measures a path name with strlen, whatever length was given, plus the terminator.
    UnixAddress a = parse_unix_address(address("sock", 110));
    EXPECT_EQ(a.kind(), UnixNameKind::Path);
    EXPECT_STREQ(a.path(), "sock");
    EXPECT_EQ(a.length, 2u + 4 + 1);
    UnixAddress cut = parse_unix_address(address("socket", 2 + 3));
    EXPECT_STREQ(cut.path(), "soc");
    EXPECT_EQ(cut.length, 2u + 3 + 1);
}

TEST(UnixAddress, AFullUnterminatedPathIs111Bytes)
{
    SocketAddress a;
    std::memset(a.bytes, 'p', sizeof(a.bytes));
    a.bytes[0] = k_af_unix;
    a.bytes[1] = 0;
    a.length = 110;
    UnixAddress parsed = parse_unix_address(a);
    EXPECT_EQ(std::strlen(parsed.path()), 108u);
    EXPECT_EQ(parsed.length, 111u);
    SocketAddress out;
    parsed.to_socket_address(out);
    EXPECT_EQ(out.length, 111u);
    EXPECT_EQ(out.bytes[110], 0);
}

TEST(UnixAddress, AbstractNamesKeepEveryByte)
{
    SocketAddress a = address("", 7);
    std::memcpy(a.bytes + 3, "ab\0c", 4);
    UnixAddress parsed = parse_unix_address(a);
    EXPECT_EQ(parsed.kind(), UnixNameKind::Abstract);
    EXPECT_EQ(parsed.length, 7u);
    SocketAddress shorter = a;
    shorter.length = 6;
    EXPECT_FALSE(parse_unix_address(shorter).equals(parsed));
    EXPECT_TRUE(parse_unix_address(a).equals(parsed));
}

TEST(UnixAddress, UnnamedSocketsReportTheFamilyOnly)
{
    UnixAddress none;
    SocketAddress out;
    none.to_socket_address(out);
    EXPECT_EQ(out.length, 2u);
    EXPECT_EQ(out.bytes[0], k_af_unix);
}

TEST(UnixAddress, AutobindNamesAreANulAndFiveHexDigits)
{
    UnixAddress a = autobind_address(0xabc12);
    EXPECT_EQ(a.length, 8u);
    EXPECT_EQ(a.bytes[2], 0);
    EXPECT_EQ(std::memcmp(a.bytes + 3, "abc12", 5), 0);
    EXPECT_EQ(std::memcmp(autobind_address(7).bytes + 3, "00007", 5), 0);
}

}
