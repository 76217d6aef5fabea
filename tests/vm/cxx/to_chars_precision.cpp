// SPDX-License-Identifier: MIT
// std::to_chars with a precision (libc++ patch 0007): the digits come from 128-bit integer
// arithmetic or from musl's printf instead of Ryu Printf's tables, and must be printf's exactly.
// Compares to_chars(fixed/scientific/general, precision) with snprintf("%.*f"/"%.*e"/"%.*g") for
// random bit patterns, decimals, exact ties (both rounding directions of ties-to-even), a broad
// range of powers of two and the edges (subnormals, DBL_MAX, 2^53 + 1, 10^22/10^23, values whose
// rounding carries into a new digit), at precisions 0-44 and beyond the exact digits (1100); also
// exact-fit and one-short buffers (value_too_large, nothing written past the end) and a caller in
// another rounding mode (to_chars rounds to nearest anyway, printf follows the mode).
#include "check.h"

#include <cfenv>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <format>
#include <random>
#include <string>
#include <system_error>

namespace {

std::mt19937_64 g_random(20261130); // Fixed seed: every run checks the same values.

uint64_t next()
{
    return g_random();
}

long g_checked = 0;

const char* printf_format(std::chars_format format)
{
    return format == std::chars_format::fixed ? "%.*f" : format == std::chars_format::scientific ? "%.*e" : "%.*g";
}

void compare(double value, std::chars_format format, int precision)
{
    static char expected[2400], got[2400];
    const int length = std::snprintf(expected, sizeof expected, printf_format(format), precision, value);
    if (length < 0 || length >= static_cast<int>(sizeof expected))
        return;
    ++g_checked;
    std::memset(got, '#', sizeof got);
    const auto result = std::to_chars(got, got + sizeof got, value, format, precision);
    if (result.ec != std::errc() || result.ptr != got + length || std::memcmp(got, expected, length) != 0) {
        char where[64];
        std::snprintf(where, sizeof where, "%a format %d precision %d", value, static_cast<int>(format), precision);
        CHECK_EQ(std::string(got, result.ec == std::errc() ? result.ptr : got) + " at " + where,
                 std::string(expected) + " at " + where);
        return;
    }
    CHECK(got[length] == '#');
    // Exactly the room it needs, and one byte less.
    std::memset(got, '#', sizeof got);
    const auto exact = std::to_chars(got, got + length, value, format, precision);
    CHECK(exact.ec == std::errc() && exact.ptr == got + length && got[length] == '#');
    const auto short_by_one = std::to_chars(got, got + length - 1, value, format, precision);
    CHECK(short_by_one.ec == std::errc::value_too_large && short_by_one.ptr == got + length - 1);
    CHECK(got[length] == '#');
}

const std::chars_format k_formats[] = {std::chars_format::fixed, std::chars_format::scientific,
                                       std::chars_format::general};

void random_values(int rounds)
{
    for (int i = 0; i < rounds; ++i) {
        const uint64_t bits = next() & 0x7fffffffffffffffull;
        double values[5];
        std::memcpy(&values[0], &bits, sizeof bits);
        values[1] = static_cast<double>(next() % 100000000) / 1000.0;
        values[2] = std::ldexp(static_cast<double>(2 * (next() % 100000) + 1), -static_cast<int>(next() % 30) - 1);
        values[3] = std::ldexp(static_cast<double>(next() >> 11), static_cast<int>(next() % 200) - 100);
        values[4] = static_cast<double>(next() % 1000) + 0.5;
        for (double value : values) {
            if (!std::isfinite(value))
                continue;
            for (auto format : k_formats) {
                compare(value, format, static_cast<int>(next() % 24));
                compare(value, format, static_cast<int>(next() % 45));
            }
        }
    }
}

void edges()
{
    const double values[] = {0.0, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 0.5, 1.5, 2.5,
                             9.5, 0.05, 0.15, 0.25, 0.35, 0.125, 0.375, 9.9999996, 99.5, 999.9995, 1e22,
                             1e23, 9007199254740993.0, 18446744073709551616.0, 3.4e38, 1e-5, 1.23456789e-7,
                             0.1, 0.3, 123456.0, 1e100, 1e-100};
    for (double value : values)
        for (auto format : k_formats) {
            for (int precision = 0; precision < 45; ++precision)
                compare(value, format, precision);
            compare(value, format, 1100);
        }
}

void rounding_mode()
{
    char buffer[64];
    for (int mode : {FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO}) {
        std::fesetround(mode);
        const auto tie = std::to_chars(buffer, buffer + sizeof buffer, 0.125, std::chars_format::fixed, 2);
        const std::string fast(buffer, tie.ptr);
        const auto far = std::to_chars(buffer, buffer + sizeof buffer, 1e-200, std::chars_format::scientific, 3);
        const std::string slow(buffer, far.ptr);
        const bool still = std::fegetround() == mode;
        std::fesetround(FE_TONEAREST);
        CHECK_EQ(fast, "0.12");
        CHECK_EQ(slow, "1.000e-200");
        CHECK(still);
    }
}

} // namespace

int main()
{
    random_values(2000);
    edges();
    rounding_mode();
    CHECK_EQ(std::format("{:.5f} {:.3e} {:.4g} {:.2f}", 3.14159265358979, 6.02214076e23, 0.000123456, 2.675),
             "3.14159 6.022e+23 0.0001235 2.67");
    std::printf("%ld conversions compared with printf\n", g_checked);
    CHECK(g_checked > 60000);
    return finish("to-chars-precision");
}
