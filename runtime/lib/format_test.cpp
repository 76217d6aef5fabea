// SPDX-License-Identifier: MIT
// Unit tests of the runtime's printf (vformat/format).
//
// Runtime headers come first: lib/errno.h declares the errno names as enumerators, and GoogleTest
// pulls in <cerrno>, whose macros would rewrite them.
#include "lib/format.h"

#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>

namespace uk {
namespace {

// Formats into a large buffer and checks the returned length against what was written.
std::string vfmt(const char* f, va_list ap)
{
    char buffer[512];
    std::memset(buffer, 'Z', sizeof(buffer));
    size_t n = vformat(buffer, sizeof(buffer), f, ap);
    EXPECT_LT(n, sizeof(buffer));
    EXPECT_EQ(std::strlen(buffer), n) << "the return value is not the length written";
    return buffer;
}

__attribute__((format(printf, 1, 2))) std::string fmt(const char* f, ...)
{
    va_list ap;
    va_start(ap, f);
    std::string s = vfmt(f, ap);
    va_end(ap);
    return s;
}

// For formats the compiler's printf checker rightly warns about, to pin down what they do.
std::string fmt_unchecked(const char* f, ...)
{
    va_list ap;
    va_start(ap, f);
    std::string s = vfmt(f, ap);
    va_end(ap);
    return s;
}

TEST(Format, PlainText)
{
    EXPECT_EQ(fmt("%s", ""), "");
    EXPECT_EQ(fmt("hello, world\n"), "hello, world\n");
    EXPECT_EQ(fmt("100%% sure %%d"), "100% sure %d");
}

TEST(Format, SignedDecimal)
{
    EXPECT_EQ(fmt("%d", 0), "0");
    EXPECT_EQ(fmt("%d", 42), "42");
    EXPECT_EQ(fmt("%d", -42), "-42");
    EXPECT_EQ(fmt("%i", -7), "-7");
    EXPECT_EQ(fmt("%d %d", INT_MAX, INT_MIN), "2147483647 -2147483648");
    EXPECT_EQ(fmt("%ld", LONG_MIN), "-9223372036854775808");
    EXPECT_EQ(fmt("%lld", static_cast<long long>(INT64_MIN)), "-9223372036854775808");
    EXPECT_EQ(fmt("%lld", static_cast<long long>(INT64_MAX)), "9223372036854775807");
    EXPECT_EQ(fmt("%li", -1L), "-1");
    EXPECT_EQ(fmt("%zd", static_cast<ssize_t>(-5)), "-5");
}

TEST(Format, UnsignedAndHex)
{
    EXPECT_EQ(fmt("%u", 0u), "0");
    EXPECT_EQ(fmt("%u", UINT_MAX), "4294967295");
    EXPECT_EQ(fmt("%lu", ULONG_MAX), "18446744073709551615");
    EXPECT_EQ(fmt("%llu", static_cast<unsigned long long>(UINT64_MAX)), "18446744073709551615");
    EXPECT_EQ(fmt("%zu", SIZE_MAX), "18446744073709551615");
    EXPECT_EQ(fmt("%x", 0xdeadbeefu), "deadbeef");
    EXPECT_EQ(fmt("%X", 0xdeadbeefu), "DEADBEEF");
    EXPECT_EQ(fmt("%x", 0u), "0");
    EXPECT_EQ(fmt("%lx", 0xfedcba9876543210ul), "fedcba9876543210");
    EXPECT_EQ(fmt("%llX", 0xfedcba9876543210ull), "FEDCBA9876543210");
    EXPECT_EQ(fmt("%zx", static_cast<size_t>(0x1000)), "1000");
    // Without a length modifier only the int's 32 bits count.
    EXPECT_EQ(fmt("%x", static_cast<unsigned>(-1)), "ffffffff");
}

TEST(Format, WidthsAndFlags)
{
    EXPECT_EQ(fmt("[%5d]", 42), "[   42]");
    EXPECT_EQ(fmt("[%-5d]", 42), "[42   ]");
    EXPECT_EQ(fmt("[%05d]", 42), "[00042]");
    EXPECT_EQ(fmt("[%05d]", -42), "[-0042]");
    EXPECT_EQ(fmt("[%5d]", -42), "[  -42]");
    EXPECT_EQ(fmt("[%-5d]", -42), "[-42  ]");
    EXPECT_EQ(fmt_unchecked("[%-05d]", 42), "[42   ]"); // '-' overrides '0', as in C.
    EXPECT_EQ(fmt("[%2d]", 12345), "[12345]"); // A width never truncates.
    EXPECT_EQ(fmt("[%08x]", 0xbeefu), "[0000beef]");
    EXPECT_EQ(fmt("[%016lX]", 0xabcul), "[0000000000000ABC]");
    EXPECT_EQ(fmt("[%4u]", 7u), "[   7]");
    EXPECT_EQ(fmt("[%-4x|%4X]", 0xau, 0xbu), "[a   |   B]");
    EXPECT_EQ(fmt("[%8s]", "abc"), "[     abc]");
    EXPECT_EQ(fmt("[%-8s]", "abc"), "[abc     ]");
    EXPECT_EQ(fmt("[%2s]", "abcdef"), "[abcdef]");
    EXPECT_EQ(fmt("[%20lld]", static_cast<long long>(INT64_MIN)), "[-9223372036854775808]");
    EXPECT_EQ(fmt("[%021lld]", static_cast<long long>(INT64_MIN)), "[-09223372036854775808]");
}

// Checks the integer conversions against the host's snprintf over random values and widths.
TEST(Format, IntegersAgreeWithTheHostPrintf)
{
    std::mt19937_64 rng(42);
    const char* formats[] = { "%d", "%5d", "%-7d", "%012d", "%i", "%u", "%10u", "%x", "%-9x", "%08X", "%ld", "%-21ld",
        "%024ld", "%lu", "%lx", "%016lx", "%lld", "%llu", "%llx", "%zu", "%zx", "%020zd" };
    for (int round = 0; round < 2000; ++round) {
        u64 bits = rng() >> (rng() % 64);
        if (round % 2)
            bits = ~bits;
        for (const char* f : formats) {
            char expected[64];
            char actual[64];
            bool wide = std::strchr(f, 'l') || std::strchr(f, 'z');
            if (wide) {
                std::snprintf(expected, sizeof(expected), f, static_cast<long>(bits));
                format(actual, sizeof(actual), f, static_cast<long>(bits));
            } else {
                std::snprintf(expected, sizeof(expected), f, static_cast<int>(bits));
                format(actual, sizeof(actual), f, static_cast<int>(bits));
            }
            ASSERT_STREQ(actual, expected) << "format " << f << " value 0x" << std::hex << bits;
        }
    }
}

TEST(Format, Pointers)
{
    EXPECT_EQ(fmt("%p", reinterpret_cast<void*>(0xdeadbeef)), "0x00000000deadbeef");
    EXPECT_EQ(fmt("%p", static_cast<void*>(nullptr)), "0x0000000000000000");
    EXPECT_EQ(fmt("%p", reinterpret_cast<void*>(~uptr(0))), "0xffffffffffffffff");
}

TEST(Format, StringsAndCharacters)
{
    EXPECT_EQ(fmt("%s=%s", "key", "value"), "key=value");
    EXPECT_EQ(fmt_unchecked("%s", static_cast<const char*>(nullptr)), "(null)");
    EXPECT_EQ(fmt_unchecked("[%8s]", static_cast<const char*>(nullptr)), "[  (null)]");
    EXPECT_EQ(fmt("%c%c%c", 'a', 'b', 'c'), "abc");
    EXPECT_EQ(fmt("%c", 0xe9), "\xe9");
}

// Regression: %c ignored its width and the '-' flag.
TEST(Format, CharacterHonoursWidth)
{
    EXPECT_EQ(fmt("[%3c]", 'x'), "[  x]");
    EXPECT_EQ(fmt("[%-3c]", 'x'), "[x  ]");
}

TEST(Format, UnknownConversionsArePrintedVerbatim)
{
    EXPECT_EQ(fmt_unchecked("%q %y"), "%q %y");
    EXPECT_EQ(fmt_unchecked("trailing %"), "trailing ");
}

TEST(Format, ManyArguments)
{
    EXPECT_EQ(fmt("%s:%d: %s (%x) %c %lu%%", "file.cpp", 12, "failed", 255u, '!', 99ul),
        "file.cpp:12: failed (ff) ! 99%");
}

// Formats into a heap buffer of exactly `capacity` bytes, so AddressSanitizer catches a write
// past it; returns what the buffer holds.
std::string truncated(size_t capacity, size_t& length, const char* f, long value)
{
    auto buffer = std::make_unique<char[]>(capacity);
    std::memset(buffer.get(), 'Z', capacity);
    length = format(capacity ? buffer.get() : nullptr, capacity, f, value);
    if (capacity == 0)
        return "";
    EXPECT_NE(std::memchr(buffer.get(), 0, capacity), nullptr) << "not terminated";
    return buffer.get();
}

TEST(Format, TruncationReturnsTheFullLengthAndTerminates)
{
    size_t length = 0;
    EXPECT_EQ(truncated(64, length, "value=%ld", 123456), "value=123456");
    EXPECT_EQ(length, 12u);
    EXPECT_EQ(truncated(13, length, "value=%ld", 123456), "value=123456");
    EXPECT_EQ(length, 12u);
    EXPECT_EQ(truncated(12, length, "value=%ld", 123456), "value=12345");
    EXPECT_EQ(length, 12u);
    EXPECT_EQ(truncated(8, length, "value=%ld", 123456), "value=1");
    EXPECT_EQ(length, 12u);
    EXPECT_EQ(truncated(4, length, "value=%ld", 123456), "val");
    EXPECT_EQ(length, 12u);
    EXPECT_EQ(truncated(5, length, "%8ld!", -1), "    ");
    EXPECT_EQ(length, 9u);
}

TEST(Format, CapacityOneHoldsOnlyTheTerminator)
{
    size_t length = 0;
    EXPECT_EQ(truncated(1, length, "abc%ld", 7), "");
    EXPECT_EQ(length, 4u);
}

TEST(Format, CapacityZeroWritesNothing)
{
    size_t length = 0;
    truncated(0, length, "abc%ld", 7);
    EXPECT_EQ(length, 4u);

    char byte = 'Z';
    EXPECT_EQ(format(&byte, 0, "%s", "text"), 4u);
    EXPECT_EQ(byte, 'Z');
}

TEST(Format, EveryCapacityAgreesWithTheHostPrintf)
{
    const char* f = "%s|%-6d|%05x|%c|%%";
    char expected[64];
    int full = std::snprintf(expected, sizeof(expected), f, "abc", -12, 0xabu, 'q');
    for (size_t capacity = 1; capacity <= sizeof(expected); ++capacity) {
        SCOPED_TRACE(capacity);
        auto want = std::make_unique<char[]>(capacity);
        auto got = std::make_unique<char[]>(capacity);
        std::snprintf(want.get(), capacity, f, "abc", -12, 0xabu, 'q');
        EXPECT_EQ(format(got.get(), capacity, f, "abc", -12, 0xabu, 'q'), static_cast<size_t>(full));
        EXPECT_STREQ(got.get(), want.get());
    }
}

} // namespace
} // namespace uk
