// SPDX-License-Identifier: MIT
// <regex>: the ECMAScript, extended and basic grammars, match/search/replace, sub-matches,
// iterators, case-insensitive matching, errors, and a pattern that backtracks a lot.
#include "check.h"

#include <regex>
#include <string>
#include <vector>

namespace {

void test_match_and_search()
{
    std::regex date(R"((\d{4})-(\d{2})-(\d{2}))");
    std::smatch m;
    std::string text = "released on 2024-07-19, patched 2024-08-02";
    CHECK(!std::regex_match(text, date));
    CHECK(std::regex_search(text, m, date));
    CHECK_EQ(m.size(), 4u);
    CHECK_EQ(m[0].str(), "2024-07-19");
    CHECK_EQ(m[1].str(), "2024");
    CHECK_EQ(m[3].str(), "19");
    CHECK_EQ(m.position(0), 12);
    CHECK_EQ(m.prefix().str(), "released on ");
    std::string only = "1999-12-31";
    CHECK(std::regex_match(only, m, date));
    CHECK_EQ(m[2].str(), "12");

    std::regex word(R"(\b(\w+)@(\w+)\.com\b)");
    std::string mails = "ann@example.com, bob@test.com; not@this.org";
    std::vector<std::string> users;
    for (std::sregex_iterator it(mails.begin(), mails.end(), word), end; it != end; ++it)
        users.push_back((*it)[1].str() + "/" + (*it)[2].str());
    CHECK_EQ(users.size(), 2u);
    if (users.size() == 2) {
        CHECK_EQ(users[0], "ann/example");
        CHECK_EQ(users[1], "bob/test");
    }

    std::regex icase("hello", std::regex::icase);
    CHECK(std::regex_search("Say HeLLo!", icase));
    CHECK(!std::regex_search("Say HeLLo!", std::regex("hello")));

    // Alternation, lazy and greedy quantifiers, back-references, lookahead.
    std::smatch lazy;
    std::string tags = "<a><b>";
    std::regex_search(tags, lazy, std::regex("<.+?>"));
    CHECK_EQ(lazy.str(), "<a>");
    std::regex_search(tags, lazy, std::regex("<.+>"));
    CHECK_EQ(lazy.str(), "<a><b>");
    CHECK(std::regex_match("abcabc", std::regex(R"((abc)\1)")));
    CHECK(std::regex_match("cat", std::regex("dog|cat|bird")));
    std::smatch ahead;
    std::string prices = "cost: 100 dollars, 200 euros";
    CHECK(std::regex_search(prices, ahead, std::regex(R"(\d+(?= euros))")));
    CHECK_EQ(ahead.str(), "200");
}

void test_replace_and_split()
{
    CHECK_EQ(std::regex_replace(std::string("a1b22c333"), std::regex(R"(\d+)"), "#"), "a#b#c#");
    CHECK_EQ(std::regex_replace(std::string("John Smith"), std::regex(R"((\w+) (\w+))"), "$2, $1"), "Smith, John");
    CHECK_EQ(std::regex_replace(std::string("aaa"), std::regex("a"), "b", std::regex_constants::format_first_only),
        "baa");

    std::string csv = "one, two,three ,  four";
    std::regex separator(R"(\s*,\s*)");
    std::vector<std::string> fields(std::sregex_token_iterator(csv.begin(), csv.end(), separator, -1),
        std::sregex_token_iterator());
    CHECK_EQ(fields.size(), 4u);
    if (fields.size() == 4) {
        CHECK_EQ(fields[0], "one");
        CHECK_EQ(fields[2], "three");
        CHECK_EQ(fields[3], "four");
    }
}

void test_grammars_and_errors()
{
    CHECK(std::regex_match("abab", std::regex("(ab)+", std::regex::extended)));
    CHECK(std::regex_match("a+b", std::regex("a+b", std::regex::basic))); // '+' is literal in BRE.
    CHECK(std::regex_match("aab", std::regex(R"(a\{2\}b)", std::regex::basic)));
    CHECK(std::regex_match("x", std::regex("[[:alpha:]]")));
    CHECK(!std::regex_match("7", std::regex("[[:alpha:]]")));
    try {
        std::regex broken("(unclosed");
        CHECK(!"an unbalanced pattern compiled");
    } catch (const std::regex_error& e) {
        CHECK(e.code() == std::regex_constants::error_paren);
    }
    try {
        std::regex broken("a{3,1}");
        CHECK(!"a reversed repetition count compiled");
    } catch (const std::regex_error& e) {
        CHECK(e.code() == std::regex_constants::error_badbrace);
    }

    // A long subject with a pattern that has to backtrack: the result, and no stack trouble.
    std::string long_text(20000, 'x');
    long_text += "needle";
    std::smatch m;
    CHECK(std::regex_search(long_text, m, std::regex("ne+dle")));
    CHECK_EQ(m.position(0), 20000);
    std::wstring wide = L"wide 42 chars";
    std::wsmatch wm;
    CHECK(std::regex_search(wide, wm, std::wregex(L"\\d+")));
    CHECK(wm.str() == L"42");
}

} // namespace

int main()
{
    test_match_and_search();
    test_replace_and_split();
    test_grammars_and_errors();
    return finish("regex");
}
