// SPDX-License-Identifier: MIT
// Text formatting and parsing: iostreams manipulators, std::format (integers, floats, strings,
// widths, fills, alignment, errors), std::to_chars/from_chars, string streams, and the console
// itself through std::cout and std::cerr.
#include "check.h"

#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <format>
#include <iomanip>
#include <limits>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

namespace {

template <class... T>
std::string streamed(const T&... values)
{
    std::ostringstream out;
    (out << ... << values);
    return out.str();
}

void test_ostream()
{
    using namespace std;
    CHECK_EQ(streamed(42, ' ', -7, ' ', 0u), "42 -7 0");
    CHECK_EQ(streamed(setw(6), 42), "    42");
    CHECK_EQ(streamed(setw(6), left, setfill('*'), 42), "42****");
    CHECK_EQ(streamed(setw(6), internal, setfill('0'), -42), "-00042");
    CHECK_EQ(streamed(hex, 255, ' ', oct, 8, ' ', dec, 10), "ff 10 10");
    CHECK_EQ(streamed(showbase, hex, 255, ' ', uppercase, 255, ' ', oct, 8), "0xff 0XFF 010");
    CHECK_EQ(streamed(showpos, 5, ' ', 0), "+5 +0");
    CHECK_EQ(streamed(boolalpha, true, ' ', false, ' ', noboolalpha, true), "true false 1");
    CHECK_EQ(streamed(std::numeric_limits<std::int64_t>::min()), "-9223372036854775808");
    CHECK_EQ(streamed(std::numeric_limits<std::uint64_t>::max()), "18446744073709551615");
    CHECK_EQ(streamed('x', ' ', "text", ' ', std::string("string")), "x text string");

    CHECK_EQ(streamed(0.1), "0.1");
    CHECK_EQ(streamed(1.0 / 3), "0.333333");
    CHECK_EQ(streamed(123456789.0), "1.23457e+08");
    CHECK_EQ(streamed(1e21), "1e+21");
    CHECK_EQ(streamed(100.0), "100");
    CHECK_EQ(streamed(-0.0), "-0");
    CHECK_EQ(streamed(fixed, setprecision(2), 3.14159), "3.14");
    CHECK_EQ(streamed(fixed, setprecision(0), 2.5, ' ', 3.5), "2 4"); // Ties to even.
    CHECK_EQ(streamed(scientific, setprecision(3), 12345.678), "1.235e+04");
    CHECK_EQ(streamed(scientific, uppercase, setprecision(1), 0.000123), "1.2E-04");
    CHECK_EQ(streamed(setprecision(10), 3.14159265358979), "3.141592654");
    CHECK_EQ(streamed(setprecision(17), 0.1), "0.10000000000000001");
    CHECK_EQ(streamed(hexfloat, 1.0), "0x1p+0");
    CHECK_EQ(streamed(setw(10), fixed, setprecision(3), setfill(' '), right, 2.25), "     2.250");
    CHECK_EQ(streamed(std::numeric_limits<double>::infinity(), ' ', -std::numeric_limits<double>::infinity()),
        "inf -inf");
    CHECK_EQ(streamed(std::nan("")), "nan");
    CHECK_EQ(streamed(1.5f), "1.5");
    CHECK_EQ(streamed(1.25L), "1.25");

    std::wostringstream wide;
    wide << L"wide " << 42 << L' ' << 2.5;
    CHECK(wide.str() == L"wide 42 2.5");
}

void test_istream()
{
    std::istringstream in("  42 -17 3.25 1e3 word 0x1f\nsecond line here\nthird");
    int a = 0, b = 0;
    double c = 0, d = 0;
    std::string word;
    in >> a >> b >> c >> d >> word;
    CHECK_EQ(a, 42);
    CHECK_EQ(b, -17);
    CHECK_EQ(c, 3.25);
    CHECK_EQ(d, 1000.0);
    CHECK_EQ(word, "word");
    int hex_value = 0;
    in >> std::hex >> hex_value >> std::dec;
    CHECK_EQ(hex_value, 31);
    std::string line;
    std::getline(in, line); // The rest of the first line: empty.
    CHECK_EQ(line, "");
    std::getline(in, line);
    CHECK_EQ(line, "second line here");
    std::getline(in, line);
    CHECK_EQ(line, "third");
    CHECK(in.eof());

    std::istringstream bad("12abc");
    int n = 0;
    std::string rest;
    bad >> n >> rest;
    CHECK_EQ(n, 12);
    CHECK_EQ(rest, "abc");
    std::istringstream not_a_number("abc");
    not_a_number >> n;
    CHECK(not_a_number.fail());
    CHECK_EQ(n, 0); // C++11: a failed extraction stores 0.

    std::istringstream overflow("99999999999999999999");
    int small = 5;
    overflow >> small;
    CHECK(overflow.fail());
    CHECK_EQ(small, std::numeric_limits<int>::max());

    std::stringstream both;
    both << "x=" << 7 << ';';
    char x, eq, semicolon;
    int seven;
    both >> x >> eq >> seven >> semicolon;
    CHECK(x == 'x' && eq == '=' && seven == 7 && semicolon == ';');
}

void test_format()
{
    CHECK_EQ(std::format("{} {} {}", 1, -2, 3u), "1 -2 3");
    CHECK_EQ(std::format("{1} {0} {1}", "a", "b"), "b a b");
    CHECK_EQ(std::format("[{:6}]", 42), "[    42]");
    CHECK_EQ(std::format("[{:<6}]", 42), "[42    ]");
    CHECK_EQ(std::format("[{:^6}]", 42), "[  42  ]");
    CHECK_EQ(std::format("[{:*^7}]", 42), "[**42***]");
    CHECK_EQ(std::format("[{:06}]", -42), "[-00042]");
    CHECK_EQ(std::format("{:+} {:+} {: }", 5, -5, 5), "+5 -5  5");
    CHECK_EQ(std::format("{:x} {:#x} {:#X} {:o} {:#o} {:b} {:#b}", 255, 255, 255, 8, 8, 5, 5),
        "ff 0xff 0XFF 10 010 101 0b101");
    CHECK_EQ(std::format("{:#010x}", 255), "0x000000ff");
    CHECK_EQ(std::format("{:d}", std::numeric_limits<std::int64_t>::min()), "-9223372036854775808");
    CHECK_EQ(std::format("{}", std::numeric_limits<unsigned long long>::max()), "18446744073709551615");
    CHECK_EQ(std::format("{:c}{:c}", 'o', 107), "ok");
    CHECK_EQ(std::format("{} {}", true, false), "true false");
    CHECK_EQ(std::format("{:d}", true), "1");

    // Floating point: the shortest form that reads back exactly, unless a precision is given.
    CHECK_EQ(std::format("{}", 0.1), "0.1");
    CHECK_EQ(std::format("{}", 1.0 / 3), "0.3333333333333333");
    CHECK_EQ(std::format("{}", 100.0), "100");
    CHECK_EQ(std::format("{}", 1e21), "1e+21");
    CHECK_EQ(std::format("{}", 1e-7), "1e-07");
    CHECK_EQ(std::format("{}", 123456789.0), "123456789");
    CHECK_EQ(std::format("{}", -0.0), "-0");
    CHECK_EQ(std::format("{}", 1.5f), "1.5");
    CHECK_EQ(std::format("{:.2f}", 3.14159), "3.14");
    CHECK_EQ(std::format("{:.0f} {:.0f}", 2.5, 3.5), "2 4");
    CHECK_EQ(std::format("{:08.3f}", -3.14159), "-003.142");
    CHECK_EQ(std::format("{:.3e}", 12345.678), "1.235e+04");
    CHECK_EQ(std::format("{:E}", 0.5), "5.000000E-01");
    CHECK_EQ(std::format("{:g}", 0.0001), "0.0001");
    CHECK_EQ(std::format("{:g}", 1e-5), "1e-05");
    CHECK_EQ(std::format("{:.3g}", 1234.5), "1.23e+03");
    CHECK_EQ(std::format("{:a}", 1.0), "1p+0");
    CHECK_EQ(std::format("{:.17g}", 0.1), "0.10000000000000001");
    CHECK_EQ(std::format("[{:>10.4f}]", 2.0), "[    2.0000]");
    CHECK_EQ(std::format("[{:_<10}]", 1.25), "[1.25______]");
    CHECK_EQ(std::format("{} {} {}", std::numeric_limits<double>::infinity(),
                 -std::numeric_limits<double>::infinity(), std::nan("")),
        "inf -inf nan");
    CHECK_EQ(std::format("{}", std::numeric_limits<double>::max()), "1.7976931348623157e+308");
    CHECK_EQ(std::format("{}", std::numeric_limits<double>::denorm_min()), "5e-324");
    CHECK_EQ(std::format("{}", 1.25L), "1.25");

    // Strings: width, precision (truncation), fill, and width from an argument.
    CHECK_EQ(std::format("[{:>8}]", "abc"), "[     abc]");
    CHECK_EQ(std::format("[{:.2}]", "abcdef"), "[ab]");
    CHECK_EQ(std::format("[{:-^9}]", std::string("mid")), "[---mid---]");
    CHECK_EQ(std::format("[{:{}}]", 7, 5), "[    7]");
    CHECK_EQ(std::format("[{:<{}.{}f}]", 1.0, 8, 2), "[1.00    ]");
    CHECK_EQ(std::format("[{:*^7}]", "\u00e9"), "[***\u00e9***]"); // Width counts characters, not bytes.
    CHECK_EQ(std::format("{{literal}} {}", 1), "{literal} 1");
    CHECK_EQ(std::format("{}", static_cast<const void*>(nullptr)), "0x0");

    std::string out;
    std::format_to(std::back_inserter(out), "{}-{}", "to", 2);
    CHECK_EQ(out, "to-2");
    CHECK_EQ(std::formatted_size("{:10}", 1), 10u);

    // A format string checked only at run time reports errors with std::format_error.
    std::string text = "text";
    try {
        (void)std::vformat("{:d}", std::make_format_args(text));
        CHECK(!"vformat accepted {:d} for a string");
    } catch (const std::format_error&) {
    }
    try {
        (void)std::vformat("{0} {1}", std::make_format_args(text));
        CHECK(!"vformat accepted a missing argument");
    } catch (const std::format_error&) {
    }
}

std::string chars(double value)
{
    char buffer[64];
    auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
    return error == std::errc() ? std::string(buffer, end) : "error";
}
std::string chars(double value, std::chars_format format, int precision = -1)
{
    char buffer[400];
    auto [end, error] = precision < 0 ? std::to_chars(buffer, buffer + sizeof buffer, value, format)
                                      : std::to_chars(buffer, buffer + sizeof buffer, value, format, precision);
    return error == std::errc() ? std::string(buffer, end) : "error";
}

void test_charconv()
{
    using std::chars_format;
    CHECK_EQ(chars(0.1), "0.1");
    CHECK_EQ(chars(1.0 / 3), "0.3333333333333333");
    CHECK_EQ(chars(2.0), "2");
    CHECK_EQ(chars(1e22), "1e+22");
    CHECK_EQ(chars(123456.0), "123456");
    CHECK_EQ(chars(1e300), "1e+300");
    CHECK_EQ(chars(5e-324), "5e-324");
    CHECK_EQ(chars(DBL_MAX), "1.7976931348623157e+308");
    CHECK_EQ(chars(-0.0), "-0");
    CHECK_EQ(chars(std::numeric_limits<double>::infinity()), "inf");
    CHECK_EQ(chars(std::numeric_limits<double>::quiet_NaN()), "nan");
    CHECK_EQ(chars(3.14159, chars_format::fixed, 2), "3.14");
    CHECK_EQ(chars(3.14159, chars_format::scientific, 6), "3.141590e+00");
    CHECK_EQ(chars(1234.5, chars_format::general, 3), "1.23e+03");
    CHECK_EQ(chars(1.0, chars_format::hex), "1p+0");
    CHECK_EQ(chars(0.1, chars_format::hex), "1.999999999999ap-4");
    CHECK_EQ(chars(1e22, chars_format::fixed), "10000000000000000000000");
    CHECK_EQ(chars(0.1, chars_format::fixed, 20), "0.10000000000000000555");

    float f = 0.1f;
    char small[4];
    auto [end, error] = std::to_chars(small, small + sizeof small, 1.0 / 3);
    CHECK(error == std::errc::value_too_large);
    CHECK(end == small + sizeof small);
    char buffer[32];
    auto r = std::to_chars(buffer, buffer + sizeof buffer, f);
    CHECK_EQ(std::string(buffer, r.ptr), "0.1");

    // The shortest form reads back to the same value through strtod (std::from_chars for doubles
    // has its own test, charconv.cpp).
    std::uint64_t bits = 0x123456789abcdefull;
    int mismatches = 0;
    for (int i = 0; i < 2000; ++i) {
        bits = bits * 6364136223846793005ull + 1442695040888963407ull;
        double value;
        std::uint64_t pattern = bits & 0x7fefffffffffffffull; // Finite.
        std::memcpy(&value, &pattern, sizeof value);
        auto e = std::to_chars(buffer, buffer + sizeof buffer - 1, value).ptr;
        *e = 0;
        if (std::strtod(buffer, nullptr) != value)
            ++mismatches;
    }
    CHECK_EQ(mismatches, 0);

    // Integers both ways.
    CHECK_EQ(std::string(buffer, std::to_chars(buffer, buffer + sizeof buffer, -255, 16).ptr), "-ff");
    int parsed = 0;
    const char text[] = "-12345xyz";
    auto p = std::from_chars(text, text + sizeof text - 1, parsed);
    CHECK(p.ec == std::errc());
    CHECK_EQ(parsed, -12345);
    CHECK_EQ(p.ptr - text, 6);
    const char hex[] = "7fffffff";
    p = std::from_chars(hex, hex + 8, parsed, 16);
    CHECK_EQ(parsed, 0x7fffffff);
    const char too_big[] = "80000000";
    p = std::from_chars(too_big, too_big + 8, parsed, 16);
    CHECK(p.ec == std::errc::result_out_of_range);
    const char none[] = "x";
    p = std::from_chars(none, none + 1, parsed);
    CHECK(p.ec == std::errc::invalid_argument);
}

// The console: std::cout and std::cerr both reach it, in program order when flushed.
void test_console()
{
    std::cout << std::format("console: {:>5}|{:<5}|{:^5}|", 1, 2, 3) << std::endl;
    std::cerr << "console: to stderr" << std::endl;
    std::cout << std::setw(8) << std::setfill('.') << std::left << "cout" << std::right << std::setw(6)
              << std::fixed << std::setprecision(2) << 1.5 << std::endl;
}

} // namespace

int main()
{
    test_ostream();
    test_istream();
    test_format();
    test_charconv();
    test_console();
    return finish("formatting");
}
