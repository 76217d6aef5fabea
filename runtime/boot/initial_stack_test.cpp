// SPDX-License-Identifier: MIT
// Unit tests of the initial process stack builder: the layout musl's _start reads. [SysV x86_64 ABI 3.4.1]
//
// Runtime headers come first: lib/errno.h declares the errno names as enumerators, and GoogleTest
// pulls in <cerrno>, whose macros would rewrite them.
#include "boot/initial_stack.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace uk {
namespace {

constexpr u64 k_phdr = 0x400040;

// A stack built into a heap buffer of exactly `size` bytes, so AddressSanitizer reports any write
// past its end. `top_offset` bytes at the end and `limit_offset` bytes at the start are left out,
// to vary the alignment of top and limit; the ones at the start hold a canary, since a write there
// would be inside the heap block, where AddressSanitizer cannot see it.
constexpr u8 k_canary = 0xa5;

struct BuiltStack {
    std::unique_ptr<u8[]> buffer;
    size_t limit_offset = 0;
    u64 limit = 0;
    u64 top = 0;
    u64 sp = 0;

    bool canary_intact() const
    {
        for (size_t i = 0; i < limit_offset; ++i)
            if (buffer[i] != k_canary)
                return false;
        return true;
    }
};

struct Input {
    std::vector<const char*> arguments { "/bin/app", "--flag", "", "value with spaces" };
    std::vector<const char*> environment { "PATH=/bin", "HOME=/" };
    std::vector<std::pair<u64, u64>> auxv { { k_at_phdr, k_phdr }, { k_at_pagesz, 4096 }, { k_at_secure, 0 } };
    u8 random[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
};

BuiltStack build(const Input& in, size_t size, size_t top_offset = 0, size_t limit_offset = 0)
{
    BuiltStack s;
    s.buffer = std::make_unique<u8[]>(size ? size : 1);
    std::memset(s.buffer.get(), k_canary, limit_offset);
    s.limit_offset = limit_offset;
    s.limit = reinterpret_cast<u64>(s.buffer.get()) + limit_offset;
    s.top = reinterpret_cast<u64>(s.buffer.get()) + size - top_offset;

    std::vector<u64> auxv_words;
    for (auto [type, value] : in.auxv)
        auxv_words.insert(auxv_words.end(), { type, value });
    InitialStackInput input {};
    input.arguments = in.arguments.data();
    input.argument_count = in.arguments.size();
    input.environment = in.environment.data();
    input.environment_count = in.environment.size();
    input.auxv = reinterpret_cast<const u64(*)[2]>(auxv_words.data());
    input.auxv_count = in.auxv.size();
    std::memcpy(input.random, in.random, sizeof(in.random));
    s.sp = build_initial_stack(s.top, s.limit, input);
    EXPECT_TRUE(s.canary_intact()) << "wrote below limit";
    return s;
}

bool within(const BuiltStack& s, u64 address, size_t length) { return address >= s.limit && address + length <= s.top; }

// Reads the stack back as musl's start-up code would and checks it against `in`.
void check_layout(const BuiltStack& s, const Input& in)
{
    ASSERT_NE(s.sp, 0u);
    EXPECT_EQ(s.sp % 16, 0u);
    ASSERT_TRUE(within(s, s.sp, 8));
    const u64* word = reinterpret_cast<const u64*>(s.sp);

    auto string_at = [&](u64 address) -> std::string {
        EXPECT_TRUE(within(s, address, 1)) << std::hex << address;
        return reinterpret_cast<const char*>(address);
    };

    ASSERT_EQ(word[0], in.arguments.size()); // argc
    size_t w = 1;
    for (size_t i = 0; i < in.arguments.size(); ++i)
        EXPECT_EQ(string_at(word[w++]), in.arguments[i]) << "argv[" << i << "]";
    EXPECT_EQ(word[w++], 0u) << "argv terminator";
    for (size_t i = 0; i < in.environment.size(); ++i)
        EXPECT_EQ(string_at(word[w++]), in.environment[i]) << "envp[" << i << "]";
    EXPECT_EQ(word[w++], 0u) << "envp terminator";

    std::vector<std::pair<u64, u64>> auxv;
    while (true) {
        ASSERT_TRUE(within(s, s.sp + 8 * (w + 2), 0)) << "auxv runs off the stack";
        u64 type = word[w++];
        u64 value = word[w++];
        auxv.emplace_back(type, value);
        if (type == k_at_null)
            break;
    }
    ASSERT_EQ(auxv.size(), in.auxv.size() + 4);
    for (size_t i = 0; i < in.auxv.size(); ++i)
        EXPECT_EQ(auxv[i], in.auxv[i]) << "auxv entry " << i;

    auto find = [&](u64 type) -> u64 {
        for (auto [t, v] : auxv)
            if (t == type)
                return v;
        ADD_FAILURE() << "auxv has no entry of type " << type;
        return 0;
    };
    u64 random = find(k_at_random);
    ASSERT_TRUE(within(s, random, 16));
    EXPECT_EQ(std::memcmp(reinterpret_cast<const void*>(random), in.random, 16), 0);
    EXPECT_EQ(string_at(find(k_at_platform)), "x86_64");
    EXPECT_EQ(string_at(find(k_at_execfn)), in.arguments.empty() ? "" : in.arguments[0]);
    EXPECT_EQ(auxv.back(), (std::pair<u64, u64> { k_at_null, 0 }));
}

TEST(InitialStack, Layout)
{
    Input in;
    auto s = build(in, 4096);
    check_layout(s, in);
}

TEST(InitialStack, SpIsAlignedWhateverTheTop)
{
    Input in;
    for (size_t offset = 0; offset < 16; ++offset) {
        SCOPED_TRACE(offset);
        auto s = build(in, 4096, offset);
        check_layout(s, in);
    }
}

TEST(InitialStack, NoArgumentsEnvironmentOrAuxv)
{
    Input in;
    in.arguments.clear();
    in.environment.clear();
    in.auxv.clear();
    auto s = build(in, 512);
    check_layout(s, in);
}

TEST(InitialStack, ManyLongArguments)
{
    Input in;
    std::vector<std::string> storage;
    for (size_t i = 0; i < 300; ++i)
        storage.push_back(std::string(i % 97, static_cast<char>('a' + i % 26)) + std::to_string(i));
    for (const auto& a : storage)
        in.arguments.push_back(a.c_str());
    in.environment.assign(in.arguments.begin(), in.arguments.begin() + 100);
    auto s = build(in, 64 * 1024);
    check_layout(s, in);
}

// Finds the smallest stack that fits; every smaller one must fail cleanly, without writing
// outside [limit, top), whatever the alignment of either end.
TEST(InitialStack, ReturnsZeroWhenTheBufferIsTooSmall)
{
    Input in;
    size_t strings = 16 + sizeof("x86_64");
    for (const char* a : in.arguments)
        strings += std::strlen(a) + 1;
    for (const char* e : in.environment)
        strings += std::strlen(e) + 1;
    size_t words = 1 + in.arguments.size() + 1 + in.environment.size() + 1 + 2 * (in.auxv.size() + 4);
    for (size_t limit_offset = 0; limit_offset < 16; ++limit_offset) {
        SCOPED_TRACE(limit_offset);
        size_t smallest = 0;
        for (size_t size = 0; size <= 1024; ++size) {
            auto s = build(in, limit_offset + size, 0, limit_offset);
            if (s.sp) {
                smallest = size;
                check_layout(s, in);
                break;
            }
        }
        ASSERT_NE(smallest, 0u) << "nothing up to 1 KiB fits";
        EXPECT_GE(smallest, strings + 8 * words); // A lower bound: AT_EXECFN may share argv[0].
        for (size_t size = smallest; size < smallest + 32; ++size) {
            SCOPED_TRACE(size);
            check_layout(build(in, limit_offset + size, 0, limit_offset), in);
        }
    }
}

TEST(InitialStack, TooManyPointersReturnsZero)
{
    Input in;
    in.arguments.assign(16385, "");
    auto s = build(in, 1 << 20);
    EXPECT_EQ(s.sp, 0u);
}

} // namespace
} // namespace uk
