// SPDX-License-Identifier: MIT
// Floating-point std::from_chars (libc++ patch 0004): round trips of std::to_chars output for
// float and double, and of printf's for long double, in every format; the pattern's edge cases
// (partial matches, infinity and NaN, hex without "0x", exponents per format); out-of-range
// values, which leave the value alone; input that is not NUL-terminated or very long; and the
// caller's errno and rounding mode, which must not matter and must not change.
#include "check.h"

#include <bit>
#include <cerrno>
#include <cfenv>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>

namespace {

using std::chars_format;

const char* format_name(chars_format format)
{
    switch (format) {
    case chars_format::scientific: return "scientific";
    case chars_format::fixed: return "fixed";
    case chars_format::hex: return "hex";
    case chars_format::general: return "general";
    }
    return "?";
}

const char* errc_name(std::errc ec)
{
    if (ec == std::errc())
        return "ok";
    if (ec == std::errc::invalid_argument)
        return "invalid_argument";
    if (ec == std::errc::result_out_of_range)
        return "result_out_of_range";
    return "other";
}

// The same value, including the sign of a zero and of a NaN.
template <class Float>
bool same(Float a, Float b)
{
    if (std::isnan(a) || std::isnan(b))
        return std::isnan(a) && std::isnan(b) && std::signbit(a) == std::signbit(b);
    return a == b && std::signbit(a) == std::signbit(b);
}

template <class Float>
std::string show(Float value)
{
    char text[64];
    std::snprintf(text, sizeof text, "%La (%.21Lg)", static_cast<long double>(value), static_cast<long double>(value));
    return text;
}

template <class Float>
struct Parsed {
    Float value;
    std::ptrdiff_t length; // Of the match: ptr - first.
    std::errc ec;
};

// Parses `text` with characters that would extend the match behind it in memory, as the input is
// not NUL-terminated: a conversion that reads past `last` sees "9e9)" and gives a different result.
// `value` starts as `initial`, so that an unmodified value shows.
template <class Float>
Parsed<Float> parse(std::string_view text, chars_format format, Float initial)
{
    std::string memory(text);
    memory += "9e9)";
    Parsed<Float> parsed{initial, 0, std::errc()};
    const char* first = memory.data();
    auto [ptr, ec] = std::from_chars(first, first + text.size(), parsed.value, format);
    parsed.length = ptr - first;
    parsed.ec = ec;
    return parsed;
}

constexpr double k_untouched = -12345.5;

// One case: `text` parsed in `format` gives `ec`, a match of `length` characters and `expected`
// (or leaves the value alone when ec is not ok).
template <class Float>
void expect(int line, std::string_view text, chars_format format, std::errc ec, std::ptrdiff_t length, Float expected)
{
    const auto untouched = static_cast<Float>(k_untouched);
    Parsed<Float> got = parse<Float>(text, format, untouched);
    const Float wanted = ec == std::errc() ? expected : untouched;
    if (got.ec == ec && got.length == length && same(got.value, wanted))
        return;
    std::string message = "from_chars(\"" + std::string(text.substr(0, 60)) + (text.size() > 60 ? "...\", " : "\", ") +
                          format_name(format) + "): got " + errc_name(got.ec) + ", length " +
                          std::to_string(got.length) + ", " + show(got.value) + "; expected " + errc_name(ec) +
                          ", length " + std::to_string(length) + ", " + show(wanted);
    check(false, message.c_str(), line);
}

#define EXPECT_OK(T, text, format, length, value) \
    expect<T>(__LINE__, text, chars_format::format, std::errc(), length, value)
#define EXPECT_INVALID(T, text, format) \
    expect<T>(__LINE__, text, chars_format::format, std::errc::invalid_argument, 0, {})
#define EXPECT_OUT_OF_RANGE(T, text, format, length) \
    expect<T>(__LINE__, text, chars_format::format, std::errc::result_out_of_range, length, {})

constexpr double k_inf = std::numeric_limits<double>::infinity();
constexpr double k_nan = std::numeric_limits<double>::quiet_NaN();

void test_pattern()
{
    // Numbers, and where the match ends.
    EXPECT_OK(double, "1.5", general, 3, 1.5);
    EXPECT_OK(double, "-1.5", general, 4, -1.5);
    EXPECT_OK(double, "0", general, 1, 0.0);
    EXPECT_OK(double, "-0", general, 2, -0.0);
    EXPECT_OK(double, "-0.0e0", general, 6, -0.0);
    EXPECT_OK(double, ".5", general, 2, 0.5);
    EXPECT_OK(double, "-.5", general, 3, -0.5);
    EXPECT_OK(double, "5.", general, 2, 5.0);
    EXPECT_OK(double, "1..2", general, 2, 1.0);
    EXPECT_OK(double, "1.2.3", general, 3, 1.2);
    EXPECT_OK(double, "007", general, 3, 7.0);
    EXPECT_OK(double, "1e5", general, 3, 1e5);
    EXPECT_OK(double, "1E+5", general, 4, 1e5);
    EXPECT_OK(double, "25e-1", general, 5, 2.5);
    EXPECT_OK(double, "1.5e", general, 3, 1.5);
    EXPECT_OK(double, "1.5e+", general, 3, 1.5);
    EXPECT_OK(double, "1.5e-x", general, 3, 1.5);
    EXPECT_OK(double, "1.5ex", general, 3, 1.5);
    EXPECT_OK(double, "1.5e 5", general, 3, 1.5);
    EXPECT_OK(double, "1.5e++5", general, 3, 1.5);
    EXPECT_OK(double, "1.5p3", general, 3, 1.5);
    EXPECT_OK(double, "12abc", general, 2, 12.0);
    EXPECT_OK(double, "0x1p3", general, 1, 0.0);
    EXPECT_OK(double, "1d", general, 1, 1.0);
    EXPECT_OK(double, "1f", general, 1, 1.0);
    EXPECT_OK(double, "1e0000000000000000000000000000000001", general, 36, 10.0);
    EXPECT_OK(double, "0e99999999999999999999999", general, 25, 0.0);
    EXPECT_OK(double, "-0e-99999999999999999999999", general, 27, -0.0);

    // Nothing matches: no digit, a '+' or white space first, a lone sign or point.
    EXPECT_INVALID(double, "", general);
    EXPECT_INVALID(double, "-", general);
    EXPECT_INVALID(double, ".", general);
    EXPECT_INVALID(double, "-.", general);
    EXPECT_INVALID(double, ".e5", general);
    EXPECT_INVALID(double, "e5", general);
    EXPECT_INVALID(double, "+1", general);
    EXPECT_INVALID(double, "-+1", general);
    EXPECT_INVALID(double, "--1", general);
    EXPECT_INVALID(double, " 1", general);
    EXPECT_INVALID(double, "\t1", general);
    EXPECT_INVALID(double, "x", general);
    EXPECT_INVALID(double, "in", general);
    EXPECT_INVALID(double, "-i", general);
    EXPECT_INVALID(double, "na", general);
    EXPECT_INVALID(double, "nah", general);
    EXPECT_INVALID(double, "+inf", general);
    EXPECT_INVALID(double, "+nan", general);
    EXPECT_INVALID(double, " inf", general);

    // [charconv.from.chars]/6.2: scientific alone requires the exponent.
    EXPECT_OK(double, "1e5", scientific, 3, 1e5);
    EXPECT_OK(double, "1.25E-2", scientific, 7, 0.0125);
    EXPECT_INVALID(double, "1.5", scientific);
    EXPECT_INVALID(double, "1.5e", scientific);
    EXPECT_INVALID(double, "1.5e+", scientific);
    EXPECT_INVALID(double, "15", scientific);
    // /6.3: fixed alone forbids it: the match ends before the 'e'.
    EXPECT_OK(double, "1e5", fixed, 1, 1.0);
    EXPECT_OK(double, "1.5e-3", fixed, 3, 1.5);
    EXPECT_OK(double, "-2.5E", fixed, 4, -2.5);
    EXPECT_OK(double, "123.456", fixed, 7, 123.456);
    // /6.4: hex has no "0x" (it is assumed), 'p' and a decimal power of two, optional.
    EXPECT_OK(double, "1p3", hex, 3, 8.0);
    EXPECT_OK(double, "1.8", hex, 3, 1.5);
    EXPECT_OK(double, "-1.8P+1", hex, 7, -3.0);
    EXPECT_OK(double, "ff", hex, 2, 255.0);
    EXPECT_OK(double, "FF.8", hex, 4, 255.5);
    EXPECT_OK(double, "1e5", hex, 3, 485.0);
    EXPECT_OK(double, ".8p-1", hex, 5, 0.25);
    EXPECT_OK(double, "1p", hex, 1, 1.0);
    EXPECT_OK(double, "1p-", hex, 1, 1.0);
    EXPECT_OK(double, "1pa", hex, 1, 1.0);
    EXPECT_OK(double, "1p1f", hex, 3, 2.0);
    EXPECT_OK(double, "0x1p3", hex, 1, 0.0);
    EXPECT_OK(double, "0X1", hex, 1, 0.0);
    EXPECT_OK(double, "1.fffffffffffffp1023", hex, 20, DBL_MAX);
    EXPECT_OK(double, "1p-1074", hex, 7, std::numeric_limits<double>::denorm_min());
    EXPECT_OK(double, "0.0000000000001p-1022", hex, 21, std::numeric_limits<double>::denorm_min());
    EXPECT_OK(double, "1.00000000000008p0", hex, 18, 1.0);          // A tie: to even.
    EXPECT_OK(double, "1.00000000000018p0", hex, 18, 1.0 + 0x2p-52); // A tie: to even.
    EXPECT_OK(double, "1.000000000000080000000000001p0", hex, 31, 1.0 + 0x1p-52);
    EXPECT_INVALID(double, "p3", hex);
    EXPECT_INVALID(double, "x1", hex);
    EXPECT_INVALID(double, ".p1", hex);
    EXPECT_INVALID(double, "g", hex);

    // Infinity and NaN: any case, any format, the longest match.
    for (chars_format format : {chars_format::general, chars_format::scientific, chars_format::fixed, chars_format::hex}) {
        const std::errc ok{};
        expect<double>(__LINE__, "inf", format, ok, 3, k_inf);
        expect<double>(__LINE__, "INF", format, ok, 3, k_inf);
        expect<double>(__LINE__, "-Inf", format, ok, 4, -k_inf);
        expect<double>(__LINE__, "infinity", format, ok, 8, k_inf);
        expect<double>(__LINE__, "-InFiNiTy", format, ok, 9, -k_inf);
        expect<double>(__LINE__, "infinit", format, ok, 3, k_inf);
        expect<double>(__LINE__, "infinityinfinity", format, ok, 8, k_inf);
        expect<double>(__LINE__, "infx", format, ok, 3, k_inf);
        expect<double>(__LINE__, "nan", format, ok, 3, k_nan);
        expect<double>(__LINE__, "NaN", format, ok, 3, k_nan);
        expect<double>(__LINE__, "-nan", format, ok, 4, -k_nan);
        expect<double>(__LINE__, "nan()", format, ok, 5, k_nan);
        expect<double>(__LINE__, "nan(123_abc_XYZ)", format, ok, 16, k_nan);
        expect<double>(__LINE__, "-NAN(ind)", format, ok, 9, -k_nan);
        expect<double>(__LINE__, "nan(", format, ok, 3, k_nan);
        expect<double>(__LINE__, "nan(12", format, ok, 3, k_nan);
        expect<double>(__LINE__, "nan(a b)", format, ok, 3, k_nan);
        expect<double>(__LINE__, "nan(a-b)", format, ok, 3, k_nan);
        expect<double>(__LINE__, "nan)", format, ok, 3, k_nan);
        expect<double>(__LINE__, "nanx", format, ok, 3, k_nan);
    }
    EXPECT_OK(float, "-infinity", general, 9, -std::numeric_limits<float>::infinity());
    EXPECT_OK(float, "-nan(1)", general, 7, -std::numeric_limits<float>::quiet_NaN());
    EXPECT_OK(long double, "INFINITY", general, 8, std::numeric_limits<long double>::infinity());
    EXPECT_OK(long double, "-nan", general, 4, -std::numeric_limits<long double>::quiet_NaN());

    // The default format is general.
    const char text[] = "2.5e1x";
    double value = 0;
    auto [ptr, ec] = std::from_chars(text, text + 6, value);
    CHECK(ec == std::errc());
    CHECK_EQ(ptr - text, 5);
    CHECK_EQ(value, 25.0);
    float small = 0;
    CHECK(std::from_chars(text, text + 6, small).ptr == text + 5);
    CHECK_EQ(small, 25.0f);
    long double large = 0;
    CHECK(std::from_chars(text, text + 6, large).ptr == text + 5);
    CHECK_EQ(large, 25.0L);
}

// [charconv.from.chars]/1: a value outside the type's range is result_out_of_range, ptr is past
// the match, and the value is unmodified; a subnormal one is in range.
void test_range()
{
    constexpr double denorm_min = std::numeric_limits<double>::denorm_min();
    EXPECT_OUT_OF_RANGE(double, "1e400", general, 5);
    EXPECT_OUT_OF_RANGE(double, "-1e400", general, 6);
    EXPECT_OUT_OF_RANGE(double, "1e400x", general, 5);
    EXPECT_OUT_OF_RANGE(double, "1e-400", general, 6);
    EXPECT_OUT_OF_RANGE(double, "-1e-400", scientific, 7);
    EXPECT_OUT_OF_RANGE(double, "1e99999999999999999999", general, 22);
    EXPECT_OUT_OF_RANGE(double, "1.7976931348623159e308", general, 22);
    EXPECT_OK(double, "1.7976931348623158e308", general, 22, DBL_MAX);
    EXPECT_OK(double, "-1.7976931348623157e308", general, 23, -DBL_MAX);
    EXPECT_OK(double, "2.2250738585072014e-308", general, 23, DBL_MIN);
    EXPECT_OK(double, "4.9e-324", general, 8, denorm_min);
    EXPECT_OK(double, "3e-324", general, 6, denorm_min);    // Rounds up to the smallest subnormal.
    EXPECT_OUT_OF_RANGE(double, "2e-324", general, 6);      // Rounds to zero.
    EXPECT_OK(double, "1e-310", general, 6, 1e-310);        // Subnormal, inexact.
    EXPECT_OK(double, "-1e-320", general, 7, -1e-320);
    EXPECT_OUT_OF_RANGE(double, "1p1024", hex, 6);
    EXPECT_OUT_OF_RANGE(double, "1.fffffffffffff8p1023", hex, 21); // Rounds up to 2^1024.
    EXPECT_OK(double, "1.fffffffffffff7ffp1023", hex, 23, DBL_MAX);
    EXPECT_OUT_OF_RANGE(double, "-1p-1075", hex, 8); // A tie between 0 and the smallest: to 0.
    EXPECT_OK(double, "-1.00001p-1075", hex, 14, -denorm_min);
    EXPECT_OUT_OF_RANGE(double, "1p-1080", hex, 7);
    // A long zero is zero, not an underflow; a long mantissa moves the exponent.
    EXPECT_OK(double, "0.00000000000000000000000000000000000000000000000e-400", general, 54, 0.0);
    EXPECT_OK(double, "1" + std::string(308, '0'), general, 309, 1e308);
    EXPECT_OUT_OF_RANGE(double, "1" + std::string(309, '0'), general, 310);
    EXPECT_OUT_OF_RANGE(double, "1" + std::string(400, '0') + "e-1", fixed, 401);
    EXPECT_OK(double, "1" + std::string(400, '0') + "e-100", general, 406, 1e300);
    EXPECT_OUT_OF_RANGE(double, "0." + std::string(400, '0') + "1", general, 403);
    EXPECT_OK(double, "0." + std::string(400, '0') + "1e400", general, 407, 0.1);

    EXPECT_OUT_OF_RANGE(float, "1e39", general, 4);
    EXPECT_OUT_OF_RANGE(float, "-1e-50", general, 6);
    EXPECT_OUT_OF_RANGE(float, "3.4028236e38", general, 12);
    EXPECT_OK(float, "3.40282356e38", general, 13, FLT_MAX);
    EXPECT_OK(float, "1e-45", general, 5, std::numeric_limits<float>::denorm_min());
    EXPECT_OK(float, "1p-149", hex, 6, std::numeric_limits<float>::denorm_min());
    EXPECT_OUT_OF_RANGE(float, "1p-150", hex, 6);
    EXPECT_OUT_OF_RANGE(float, "1p128", hex, 5);
    EXPECT_OK(float, "1e-40", general, 5, 1e-40f);

    EXPECT_OK(long double, "1e400", general, 5, 1e400L);
    EXPECT_OK(long double, "1e-4940", general, 7, 1e-4940L);
    EXPECT_OUT_OF_RANGE(long double, "1e5000", general, 6);
    EXPECT_OUT_OF_RANGE(long double, "-1e-5000", general, 8);
    EXPECT_OK(long double, "1p-16445", hex, 8, std::numeric_limits<long double>::denorm_min());
    EXPECT_OUT_OF_RANGE(long double, "1p-16446", hex, 8);
    EXPECT_OK(long double, "1.fffffffffffffffep16383", hex, 24, LDBL_MAX);
    EXPECT_OUT_OF_RANGE(long double, "1p16384", hex, 7);
}

// Input that is not NUL-terminated: `last` cuts the number short, and the characters behind it
// must not count.
void test_bounds()
{
    const char text[] = "1234.5e67nan(abc)infinity";
    double value = 0;
    auto r = std::from_chars(text, text + 2, value);
    CHECK(r.ec == std::errc() && r.ptr == text + 2 && value == 12.0);
    r = std::from_chars(text, text + 5, value);
    CHECK(r.ec == std::errc() && r.ptr == text + 5 && value == 1234.0);
    r = std::from_chars(text, text + 7, value);
    CHECK(r.ec == std::errc() && r.ptr == text + 6 && value == 1234.5);
    r = std::from_chars(text, text + 8, value);
    CHECK(r.ec == std::errc() && r.ptr == text + 8 && value == 1234.5e6);
    r = std::from_chars(text, text + 7, value, chars_format::scientific);
    CHECK(r.ec == std::errc::invalid_argument && r.ptr == text);
    r = std::from_chars(text + 9, text + 16, value);
    CHECK(r.ec == std::errc() && r.ptr == text + 12 && std::isnan(value));
    r = std::from_chars(text + 17, text + 22, value);
    CHECK(r.ec == std::errc() && r.ptr == text + 20 && value == k_inf);
    r = std::from_chars(text + 17, text + 18, value);
    CHECK(r.ec == std::errc::invalid_argument && r.ptr == text + 17);
    r = std::from_chars(text, text, value);
    CHECK(r.ec == std::errc::invalid_argument && r.ptr == text);
    const char hex[] = "1.8p1";
    r = std::from_chars(hex, hex + 4, value, chars_format::hex);
    CHECK(r.ec == std::errc() && r.ptr == hex + 3 && value == 1.5);
}

// Inputs longer than any buffer: every digit counts, as for strtod.
void test_long_input()
{
    // 1 + 2^-53 lies halfway between 1 and the next double: a tie, to even (1). One nonzero digit
    // however far behind it breaks the tie.
    const std::string halfway = "1.00000000000000011102230246251565404236316680908203125";
    const std::string zeros(5000, '0');
    EXPECT_OK(double, halfway, general, std::ptrdiff_t(halfway.size()), 1.0);
    EXPECT_OK(double, halfway + zeros, general, std::ptrdiff_t(halfway.size() + zeros.size()), 1.0);
    EXPECT_OK(double, halfway + zeros + "1", general, std::ptrdiff_t(halfway.size() + zeros.size() + 1),
              std::nextafter(1.0, 2.0));
    EXPECT_OK(double, halfway + zeros + "1e0", scientific, std::ptrdiff_t(halfway.size() + zeros.size() + 3),
              std::nextafter(1.0, 2.0));
    // 1 + 3 * 2^-53: halfway above the next double, a tie to the one after.
    EXPECT_OK(double, "1.00000000000000033306690738754696212708950042724609375", general, 55, 1.0 + 0x1p-51);
    const std::string below = "0.99999999999999994448884876874217297881841659545898437"; // Just below 1 - 2^-54.
    EXPECT_OK(double, below + "4", general, std::ptrdiff_t(below.size() + 1), std::nextafter(1.0, 0.0));
    EXPECT_OK(double, below + "5", general, std::ptrdiff_t(below.size() + 1), 1.0); // Exactly 1 - 2^-54: to even.
    EXPECT_OK(double, "0." + zeros + "1e5001", general, std::ptrdiff_t(zeros.size() + 8), 1.0);
    EXPECT_OK(double, "1" + zeros + "e-5000", general, std::ptrdiff_t(zeros.size() + 7), 1.0);
    EXPECT_OUT_OF_RANGE(double, "1" + zeros + "e-5000", fixed, std::ptrdiff_t(zeros.size() + 1));
    EXPECT_OK(double, "1." + std::string(3000, 'f') + "p0", hex, 3004, 2.0);
    EXPECT_OK(float, "1." + std::string(3000, '0') + "1", general, 3003, 1.0f);

    // Around the size of the buffer on the stack (256 bytes, with "0x" and the NUL).
    for (int digits = 240; digits < 270; ++digits) {
        const std::string decimal = "1" + std::string(digits, '0') + "e-" + std::to_string(digits);
        EXPECT_OK(double, decimal, general, std::ptrdiff_t(decimal.size()), 1.0);
        const std::string hex = "1" + std::string(digits, '0') + "p-" + std::to_string(4 * digits);
        EXPECT_OK(double, hex, hex, std::ptrdiff_t(hex.size()), 1.0);
        const std::string fixed = std::string(digits, '0') + "2.5";
        EXPECT_OK(float, fixed, fixed, std::ptrdiff_t(fixed.size()), 2.5f);
    }

    // The exact decimal expansions of the smallest subnormal and the largest double.
    char buffer[1600];
    for (double value : {std::numeric_limits<double>::denorm_min(), DBL_MAX, -DBL_MIN}) {
        auto out = std::to_chars(buffer, buffer + sizeof buffer, value, chars_format::scientific, 800);
        CHECK(out.ec == std::errc());
        expect<double>(__LINE__, std::string_view(buffer, out.ptr - buffer), chars_format::general, std::errc(),
                       out.ptr - buffer, value);
        out = std::to_chars(buffer, buffer + sizeof buffer, value, chars_format::fixed, 1074);
        CHECK(out.ec == std::errc());
        expect<double>(__LINE__, std::string_view(buffer, out.ptr - buffer), chars_format::fixed, std::errc(),
                       out.ptr - buffer, value);
    }
}

std::uint64_t g_random = 0x853c49e6748fea9bull;

std::uint64_t next_random()
{
    // splitmix64: cheap, and every bit pattern is as likely as any other.
    std::uint64_t z = (g_random += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

// A finite double or float: random bits, with every fourth one subnormal and every fourth one
// among the smallest normal numbers.
template <class Float, class Bits>
Float random_finite(int i)
{
    constexpr int mantissa_bits = std::numeric_limits<Float>::digits - 1;
    constexpr Bits exponent_mask = Bits(std::numeric_limits<Float>::max_exponent * 2 - 1) << mantissa_bits;
    Bits bits = static_cast<Bits>(next_random());
    if (i % 4 == 1)
        bits &= ~exponent_mask;
    else if (i % 4 == 2)
        bits = (bits & ~exponent_mask) | (Bits((bits >> mantissa_bits) % 40 + 1) << mantissa_bits);
    else if ((bits & exponent_mask) == exponent_mask)
        bits ^= Bits(1) << mantissa_bits; // Not infinity or NaN.
    return std::bit_cast<Float>(bits);
}

template <class Float>
int g_round_trip_failures = 0;

// to_chars in `format` (shortest, or with `precision`), then from_chars in `parse_format`: the
// same bits, and the whole text matched.
template <class Float>
void round_trip(Float value, chars_format format, int precision, chars_format parse_format)
{
    char buffer[1200];
    auto out = precision < 0 ? std::to_chars(buffer, buffer + sizeof buffer, value, format)
                             : std::to_chars(buffer, buffer + sizeof buffer, value, format, precision);
    if (out.ec != std::errc()) {
        std::cout << "FAIL: to_chars " << show(value) << " in " << format_name(format) << std::endl;
        ++g_failures;
        return;
    }
    Float parsed = Float(k_untouched);
    auto in = std::from_chars(buffer, out.ptr, parsed, parse_format);
    if (in.ec == std::errc() && in.ptr == out.ptr && same(parsed, value))
        return;
    if (++g_round_trip_failures<Float> <= 10)
        std::cout << "FAIL: round trip of " << show(value) << " through \"" << std::string_view(buffer, out.ptr - buffer)
                  << "\" (" << format_name(format) << "): " << errc_name(in.ec) << ", matched " << in.ptr - buffer
                  << " of " << out.ptr - buffer << ", got " << show(parsed) << std::endl;
    ++g_failures;
}

template <class Float>
void round_trip_all_formats(Float value)
{
    constexpr int max_digits10 = std::numeric_limits<Float>::max_digits10;
    round_trip(value, chars_format::general, -1, chars_format::general);
    round_trip(value, chars_format::scientific, -1, chars_format::scientific);
    round_trip(value, chars_format::scientific, -1, chars_format::general);
    round_trip(value, chars_format::fixed, -1, chars_format::fixed);
    round_trip(value, chars_format::fixed, -1, chars_format::general);
    round_trip(value, chars_format::hex, -1, chars_format::hex);
    round_trip(value, chars_format::scientific, max_digits10 - 1, chars_format::scientific);
    round_trip(value, chars_format::general, max_digits10, chars_format::general);
    round_trip(value, chars_format::hex, std::numeric_limits<Float>::digits / 4 + 1, chars_format::hex);
}

template <class Float, class Bits>
void test_round_trips(int count)
{
    using limits = std::numeric_limits<Float>;
    for (Float value : {Float(0), -Float(0), Float(1), Float(-1), Float(0.1), Float(1) / 3, Float(123456789),
                        limits::max(), -limits::max(), limits::min(), -limits::min(), limits::denorm_min(),
                        -limits::denorm_min(), std::nextafter(limits::min(), Float(0)), limits::epsilon(),
                        std::nextafter(Float(1), Float(2)), std::nextafter(Float(1), Float(0))})
        round_trip_all_formats(value);
    for (int i = 0; i < count; ++i) {
        Float value = random_finite<Float, Bits>(i);
        round_trip_all_formats(value);
        round_trip_all_formats(-value);
    }
    for (Float value : {limits::infinity(), -limits::infinity(), limits::quiet_NaN(), -limits::quiet_NaN()}) {
        round_trip(value, chars_format::general, -1, chars_format::general);
        round_trip(value, chars_format::hex, -1, chars_format::hex);
        round_trip(value, chars_format::scientific, 3, chars_format::scientific);
    }
}

// libc++ 19's to_chars of a long double converts it to double first, so long doubles go through
// printf instead: %La (exact; from_chars hex without the "0x") and %.20Le (21 digits, enough to
// tell every long double apart).
int g_long_double_failures = 0;

void long_double_round_trip(long double value, const char* printf_format, chars_format format)
{
    char buffer[80];
    int length = std::snprintf(buffer, sizeof buffer, printf_format, value);
    std::string text(buffer, length);
    if (format == chars_format::hex)
        text.erase(text[0] == '-' ? 1 : 0, 2);
    long double parsed = k_untouched;
    auto in = std::from_chars(text.data(), text.data() + text.size(), parsed, format);
    if (in.ec == std::errc() && in.ptr == text.data() + text.size() && same(parsed, value))
        return;
    if (++g_long_double_failures <= 10)
        std::cout << "FAIL: round trip of " << show(value) << " through \"" << text << "\": " << errc_name(in.ec)
                  << ", matched " << in.ptr - text.data() << " of " << text.size() << ", got " << show(parsed)
                  << std::endl;
    ++g_failures;
}

void test_long_double_round_trips(int count)
{
    using limits = std::numeric_limits<long double>;
    for (int i = 0; i < count; ++i) {
        // x87 extended precision: 64 bits of significand with an explicit integer bit, a 15-bit
        // biased exponent. Every fourth value subnormal (exponent 0, integer bit clear).
        std::uint64_t significand = next_random();
        std::uint16_t exponent = static_cast<std::uint16_t>(next_random() % 0x7ffe + 1);
        if (i % 4 == 1) {
            exponent = 0;
            significand &= ~(1ull << 63);
        } else {
            significand |= 1ull << 63;
        }
        if (i % 2)
            exponent |= 0x8000;
        unsigned char bytes[sizeof(long double)] = {};
        std::memcpy(bytes, &significand, 8);
        std::memcpy(bytes + 8, &exponent, 2);
        long double value;
        std::memcpy(&value, bytes, sizeof value);
        long_double_round_trip(value, "%La", chars_format::hex);
        long_double_round_trip(value, "%.20Le", chars_format::scientific);
        long_double_round_trip(value, "%.21Lg", chars_format::general);
    }
    for (long double value : {0.0L, -0.0L, 1.0L, 0.1L, limits::max(), -limits::max(), limits::min(),
                              limits::denorm_min(), -limits::denorm_min(), limits::epsilon()}) {
        long_double_round_trip(value, "%La", chars_format::hex);
        long_double_round_trip(value, "%.20Le", chars_format::scientific);
        long_double_round_trip(value, "%.21Lg", chars_format::general);
    }
}

// from_chars rounds to nearest in every rounding mode, and leaves errno and the mode alone.
void test_environment()
{
    errno = EDOM;
    double value = 0;
    std::string_view huge = "1e400", tiny = "1e-310", bad = "x";
    CHECK(std::from_chars(huge.data(), huge.data() + huge.size(), value).ec == std::errc::result_out_of_range);
    CHECK(std::from_chars(tiny.data(), tiny.data() + tiny.size(), value).ec == std::errc());
    CHECK(std::from_chars(bad.data(), bad.data() + bad.size(), value).ec == std::errc::invalid_argument);
    CHECK_EQ(errno, EDOM);
    errno = 0;

    std::string_view tenth = "0.1", third = "0.3";
    for (int mode : {FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO}) {
        CHECK_EQ(std::fesetround(mode), 0);
        double parsed_tenth = 0, parsed_third = 0;
        float parsed_float = 0;
        long double parsed_long = 0;
        std::from_chars(tenth.data(), tenth.data() + tenth.size(), parsed_tenth);
        std::from_chars(third.data(), third.data() + third.size(), parsed_third);
        std::from_chars(tenth.data(), tenth.data() + tenth.size(), parsed_float);
        std::from_chars(tenth.data(), tenth.data() + tenth.size(), parsed_long);
        CHECK_EQ(std::fegetround(), mode);
        std::fesetround(FE_TONEAREST);
        CHECK_EQ(parsed_tenth, 0.1);
        CHECK_EQ(parsed_third, 0.3);
        CHECK_EQ(parsed_float, 0.1f);
        CHECK_EQ(parsed_long, 0.1L);
    }
}

} // namespace

int main()
{
    test_pattern();
    test_range();
    test_bounds();
    test_long_input();
    test_round_trips<double, std::uint64_t>(4000);
    test_round_trips<float, std::uint32_t>(4000);
    test_long_double_round_trips(4000);
    test_environment();
    return finish("charconv");
}
