// SPDX-License-Identifier: MIT
#include "fs/cpio.h"

#include "fs/cpio_test_archive.h"

#include <gtest/gtest.h>

namespace {

using uk::fs::CpioEntry;
using uk::fs::CpioReader;
using uk::fs::test_support::Archive;

TEST(Cpio, ReadsEntriesInOrder)
{
    Archive a;
    a.directory("etc", 0755);
    a.file("etc/hosts", "127.0.0.1 localhost\n", 0644, 1234);
    a.symlink("link", "etc/hosts");
    a.trailer();
    CpioReader reader(a.data(), a.size());
    CpioEntry e;
    ASSERT_TRUE(reader.next(e).value());
    EXPECT_STREQ(e.name, "etc");
    EXPECT_EQ(e.mode, 040755u);
    ASSERT_TRUE(reader.next(e).value());
    EXPECT_STREQ(e.name, "etc/hosts");
    EXPECT_EQ(e.size, 20u);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(e.data), e.size), "127.0.0.1 localhost\n");
    EXPECT_EQ(e.modify_time, 1234u);
    ASSERT_TRUE(reader.next(e).value());
    EXPECT_EQ(e.mode & 0170000, 0120000u);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(e.data), e.size), "etc/hosts");
    auto end = reader.next(e);
    ASSERT_FALSE(end.is_error());
    EXPECT_FALSE(end.value());
    EXPECT_FALSE(reader.next(e).value()); // Stays at the end.
}

TEST(Cpio, PaddingAfterTrailerIsFine)
{
    Archive a;
    a.file("x", "1");
    a.trailer();
    a.pad_to(512);
    CpioReader reader(a.data(), a.size());
    CpioEntry e;
    EXPECT_TRUE(reader.next(e).value());
    EXPECT_FALSE(reader.next(e).value());
}

struct Corruption {
    const char* what;
    size_t keep;   // Bytes of the archive kept (0: all).
    size_t patch_at;
    char patch;
    const char* problem;
};

TEST(Cpio, CorruptionIsReportedNeverReadPastTheEnd)
{
    Archive a;
    a.file("name", "0123456789");
    size_t first_entry = a.size();
    a.file("second", "abc");
    a.trailer();
    const Corruption cases[] = {
        { "no trailer", first_entry, 0, 0, "archive ends without a TRAILER!!! entry" },
        { "cut header", 50, 0, 0, "truncated entry header" },
        { "cut name", 112, 0, 0, "name runs past the end of the archive" },
        { "cut data", 120, 0, 0, "file data runs past the end of the archive" },
        { "bad magic", 0, 0, '9', "bad magic (not a newc cpio archive)" },
        { "bad hex", 0, 20, 'g', "header field is not hexadecimal" },
    };
    for (const auto& c : cases) {
        std::string bytes(reinterpret_cast<const char*>(a.data()), c.keep ? c.keep : a.size());
        if (c.patch)
            bytes[c.patch_at] = c.patch;
        // A copy of exactly that size, so ASan sees any read past it.
        std::vector<unsigned char> exact(bytes.begin(), bytes.end());
        CpioReader reader(exact.data(), exact.size());
        CpioEntry e;
        uk::Result<bool> r = true;
        while (!(r = reader.next(e)).is_error() && r.value()) {
        }
        ASSERT_TRUE(r.is_error()) << c.what;
        EXPECT_STREQ(reader.problem(), c.problem) << c.what;
    }
}

TEST(Cpio, NameMustBeTerminated)
{
    Archive a;
    a.raw_entry("abc", 3, "", 0); // namesize 3 without a NUL inside.
    a.trailer();
    CpioReader reader(a.data(), a.size());
    CpioEntry e;
    auto r = reader.next(e);
    ASSERT_TRUE(r.is_error());
    EXPECT_STREQ(reader.problem(), "name is not NUL-terminated");
}

}
