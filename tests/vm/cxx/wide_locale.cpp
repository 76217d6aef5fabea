// SPDX-License-Identifier: MIT
// The facets and streams for wchar_t, char16_t, char32_t and char8_t (libc++ patch 0008 links
// them only into programs that look them up). A program that does sees all of them, as with an
// unpatched libc++: every wide facet in the classic locale, in a named locale and in locales
// combined by category or with a facet of the program's; wcout/wcerr/wcin constructed before
// the program's own static objects (one writes to wcout); wide string streams parsing and
// formatting numbers, money and time; the char32_t/char8_t codecvt converting UTF-8. Built with
// NARROW_ONLY, the program never names a wide facet or stream (the image then has none,
// vm.cxx.narrow-locale.no-wide-facets) and its locales still work.
#include "check.h"

#include <codecvt>
#include <cstring>
#include <cwchar>
#include <iomanip>
#include <iostream>
#include <locale>
#include <sstream>
#include <string>

namespace {

#if !defined(NARROW_ONLY)
template <class Facet>
bool in(const std::locale& locale)
{
    return std::has_facet<Facet>(locale);
}

// Every standard facet for the other character types, as [locale.category] lists them.
int wide_facets(const std::locale& l)
{
    using std::mbstate_t;
    return in<std::collate<wchar_t>>(l) + in<std::ctype<wchar_t>>(l) +
           in<std::codecvt<wchar_t, char, mbstate_t>>(l) + in<std::codecvt<char16_t, char8_t, mbstate_t>>(l) +
           in<std::codecvt<char32_t, char8_t, mbstate_t>>(l) + in<std::moneypunct<wchar_t, false>>(l) +
           in<std::moneypunct<wchar_t, true>>(l) + in<std::money_get<wchar_t>>(l) + in<std::money_put<wchar_t>>(l) +
           in<std::numpunct<wchar_t>>(l) + in<std::num_get<wchar_t>>(l) + in<std::num_put<wchar_t>>(l) +
           in<std::time_get<wchar_t>>(l) + in<std::time_put<wchar_t>>(l) + in<std::messages<wchar_t>>(l);
}

// The wide streams are built before the program's own static objects, as the char ones are.
struct WritesAtStaticInit {
    WritesAtStaticInit() { std::wcout << L"wcout from a static initializer: " << 42 << std::endl; }
} g_writes_at_static_init;

struct Grouping : std::numpunct<wchar_t> {
    wchar_t do_thousands_sep() const override { return L'\''; }
    std::string do_grouping() const override { return "\3"; }
};

void test_wide()
{
    CHECK_EQ(wide_facets(std::locale::classic()), 15);
    CHECK_EQ(wide_facets(std::locale()), 15);
    const std::locale named("C.UTF-8");
    CHECK_EQ(wide_facets(named), 15);
    const std::locale combined(std::locale::classic(), named, std::locale::numeric | std::locale::ctype);
    CHECK_EQ(wide_facets(combined), 15);
    const std::locale by_name(std::locale::classic(), "C", std::locale::all);
    CHECK_EQ(wide_facets(by_name), 15);
    const std::locale grouped(std::locale::classic(), new Grouping);
    CHECK_EQ(wide_facets(grouped), 15);

    CHECK(std::isspace(L' ', named));
    CHECK(std::toupper(L'q', std::locale::classic()) == L'Q');
    CHECK(std::use_facet<std::ctype<wchar_t>>(combined).widen('x') == L'x');

    std::wostringstream out;
    out << 42 << L' ' << 3.25 << L' ' << std::hex << 255 << std::dec << L' ' << true << L' ' << std::boolalpha << true;
    CHECK(out.str() == L"42 3.25 ff 1 true");
    std::wostringstream group;
    group.imbue(grouped);
    group << 1234567;
    CHECK(group.str() == L"1'234'567");

    std::wistringstream in(L"17 2.5 word 0x1f");
    int i = 0;
    double d = 0;
    std::wstring w;
    int h = 0;
    in >> i >> d >> w >> std::hex >> h;
    CHECK_EQ(i, 17);
    CHECK_EQ(d, 2.5);
    CHECK(w == L"word");
    CHECK_EQ(h, 31);

    std::wostringstream money;
    money << std::showbase << std::put_money(L"1234");
    CHECK(money.str() == L"1234");
    std::tm tm{};
    tm.tm_year = 126;
    tm.tm_mon = 10;
    tm.tm_mday = 30;
    std::wostringstream time;
    time << std::put_time(&tm, L"%Y-%m-%d");
    CHECK(time.str() == L"2026-11-30");
    std::wistringstream time_in(L"2025-01-02");
    std::tm parsed{};
    time_in >> std::get_time(&parsed, L"%Y-%m-%d");
    CHECK(!time_in.fail() && parsed.tm_year == 125 && parsed.tm_mon == 0 && parsed.tm_mday == 2);

    // UTF-8 to UTF-32 through the classic locale's codecvt<char32_t, char8_t>.
    using Codecvt = std::codecvt<char32_t, char8_t, std::mbstate_t>;
    const Codecvt& utf = std::use_facet<Codecvt>(std::locale::classic());
    const char8_t source[] = u8"h\u00e9\u20ac";
    char32_t target[8];
    std::mbstate_t state{};
    const char8_t* from_next = nullptr;
    char32_t* to_next = nullptr;
    const auto result = utf.in(state, source, source + std::char_traits<char8_t>::length(source), from_next, target,
                               target + 8, to_next);
    CHECK(result == Codecvt::ok && to_next - target == 3 && target[1] == U'\u00e9' && target[2] == U'\u20ac');

    std::wcout << L"wcout: " << 7 << L' ' << 1.5 << std::endl;
    std::wcerr << L"wcerr: unit-buffered" << std::endl;
    std::wstring line;
    CHECK(!std::getline(std::wcin, line)); // no input: end of file at once
}
#endif

void test_narrow()
{
    const std::locale named("C.UTF-8");
    const std::locale combined(std::locale::classic(), named, std::locale::numeric);
    const std::locale by_name(std::locale::classic(), "C", std::locale::all);
    CHECK(std::has_facet<std::num_put<char>>(combined) && std::has_facet<std::ctype<char>>(by_name));
    CHECK(std::use_facet<std::numpunct<char>>(named).decimal_point() == '.');
    std::ostringstream out;
    out.imbue(combined);
    out << 1.25 << ' ' << 42;
    CHECK_EQ(out.str(), "1.25 42");
    CHECK(std::isspace(' ', named) && std::toupper('q', by_name) == 'Q');
}

} // namespace

int main(int argc, char** argv)
{
    test_narrow();
#if !defined(NARROW_ONLY)
    test_wide();
    return finish("wide-locale");
#else
    (void)argc;
    (void)argv;
    return finish("narrow-locale");
#endif
}
