// SPDX-License-Identifier: MIT
// Unit tests of Result<T> and TRY: values and errors, the converting constructor's
// implicit/explicit rule, and the VERIFY that stops a caller reading the value of an error.
//
// Runtime headers come first: lib/errno.h declares the errno names as enumerators, and GoogleTest
// pulls in <cerrno>, whose macros would rewrite them.
#include "lib/result.h"
#include "lib/types.h"

#include <gtest/gtest.h>

#include <type_traits>

namespace uk {
namespace {

struct Base {
    int tag;
};
struct Derived : Base {};

// Widening conversions are implicit; narrowing ones need a visible cast; unrelated types none.
static_assert(std::is_convertible_v<Result<int>, Result<long>>);
static_assert(std::is_convertible_v<Result<u32>, Result<long>>);
static_assert(std::is_convertible_v<Result<Derived*>, Result<Base*>>);
static_assert(!std::is_convertible_v<Result<size_t>, Result<long>>);
static_assert(std::is_constructible_v<Result<long>, Result<size_t>>);
static_assert(!std::is_convertible_v<Result<long>, Result<int>>);
static_assert(std::is_constructible_v<Result<int>, Result<long>>);
static_assert(!std::is_constructible_v<Result<long>, Result<Base*>>);
static_assert(!std::is_constructible_v<Result<Derived*>, Result<Base*>>);

Result<size_t> count_or_fail(bool fail)
{
    if (fail)
        return error(EAGAIN);
    return static_cast<size_t>(42);
}

Result<void> nothing_or_fail(bool fail)
{
    if (fail)
        return error(EBADF);
    return {};
}

// The shape of a system-call handler: TRY for values and for Result<void>.
Result<long> handler(bool fail_count, bool fail_nothing)
{
    TRY(nothing_or_fail(fail_nothing));
    return TRY(count_or_fail(fail_count));
}

TEST(Result, HoldsAValueOrAnError)
{
    Result<long> value = 7l;
    EXPECT_FALSE(value.is_error());
    EXPECT_EQ(value.value(), 7);
    EXPECT_EQ(value.release_value(), 7);

    Result<long> failure = error(ENOENT);
    EXPECT_TRUE(failure.is_error());
    EXPECT_EQ(failure.error_code(), ENOENT);
}

TEST(Result, TryPropagatesTheFirstError)
{
    EXPECT_EQ(handler(false, false).value(), 42);
    EXPECT_EQ(handler(true, false).error_code(), EAGAIN);
    EXPECT_EQ(handler(false, true).error_code(), EBADF);
    EXPECT_EQ(handler(true, true).error_code(), EBADF);
}

TEST(Result, ConvertsValuesAndKeepsErrors)
{
    Result<long> widened = Result<int>(-5);
    EXPECT_EQ(widened.value(), -5);
    Result<long> widened_error = Result<int>(error(EINTR));
    EXPECT_EQ(widened_error.error_code(), EINTR);

    auto narrowed = Result<long>(count_or_fail(false));
    EXPECT_EQ(narrowed.value(), 42);
    auto narrowed_error = Result<long>(count_or_fail(true));
    EXPECT_EQ(narrowed_error.error_code(), EAGAIN);

    Derived d {};
    d.tag = 3;
    Result<Base*> base = Result<Derived*>(&d);
    EXPECT_EQ(base.value()->tag, 3);
}

using ResultDeathTest = ::testing::Test;

TEST_F(ResultDeathTest, ValueOfAnErrorStops)
{
    Result<long> failure = error(ENOMEM);
    EXPECT_DEATH((void)failure.value(), R"(runtime panic: VERIFY\(!is_error\(\)\) failed)");
    EXPECT_DEATH((void)failure.release_value(), R"(VERIFY\(!is_error\(\)\) failed)");
    Result<void> nothing = error(ENOMEM);
    EXPECT_DEATH(nothing.release_value(), R"(VERIFY\(!is_error\(\)\) failed)");
}

} // namespace
} // namespace uk
