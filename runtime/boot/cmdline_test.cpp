// SPDX-License-Identifier: MIT
// Unit tests of the boot command-line tokenizer and classifier.
//
// Runtime headers come first: lib/errno.h declares the errno names as enumerators, and GoogleTest
// pulls in <cerrno>, whose macros would rewrite them.
#include "boot/cmdline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace uk {
namespace {

using Strings = std::vector<std::string>;

struct Parsed {
    int error = 0;
    Strings arguments;
    Strings environment;
    Strings options;
    std::unique_ptr<CommandLine> line;
    std::unique_ptr<char[]> storage; // The tokens point into it.
};

Strings collect(const char* const* table, size_t count)
{
    Strings out;
    for (size_t i = 0; i < count; ++i)
        out.emplace_back(table[i]);
    return out;
}

// Parses `text` from an unterminated heap copy of exactly its length, so that AddressSanitizer
// reports any read past `length`. The copy is freed before returning, which also checks that no
// token points into the text.
Parsed parse(std::string_view text)
{
    Parsed p;
    p.line = std::make_unique<CommandLine>();
    size_t storage_size = 2 * text.size() + 2;
    p.storage = std::make_unique<char[]>(storage_size);
    auto copy = std::make_unique<char[]>(text.size());
    text.copy(copy.get(), text.size());
    auto result = parse_command_line(copy.get(), text.size(), p.storage.get(), storage_size, *p.line);
    p.error = result.is_error() ? result.error_code() : 0;
    if (!p.error) {
        p.arguments = collect(p.line->arguments, p.line->argument_count);
        p.environment = collect(p.line->environment, p.line->environment_count);
        p.options = collect(p.line->options, p.line->option_count);
    }
    return p;
}

TEST(CommandLine, EmptyAndBlankTextYieldNothing)
{
    for (std::string_view text : { "", " ", " \t\r\n  " }) {
        auto p = parse(text);
        EXPECT_EQ(p.error, 0);
        EXPECT_TRUE(p.arguments.empty());
        EXPECT_TRUE(p.environment.empty());
        EXPECT_TRUE(p.options.empty());
    }
}

TEST(CommandLine, SplitsOnSpacesTabsAndNewlines)
{
    auto p = parse("  one\ttwo\nthree\r\nfour   five ");
    EXPECT_EQ(p.error, 0);
    EXPECT_EQ(p.arguments, (Strings { "one", "two", "three", "four", "five" }));
}

TEST(CommandLine, DoubleQuotesKeepSeparatorsAndJoinWithAdjacentText)
{
    auto p = parse(R"("hello world" a"b c"d "tab	newline
end")");
    EXPECT_EQ(p.error, 0);
    EXPECT_EQ(p.arguments, (Strings { "hello world", "ab cd", "tab\tnewline\nend" }));
}

TEST(CommandLine, DoubleQuoteEscapes)
{
    auto p = parse(R"("back\\slash" "a \"quoted\" word" "\x41\x7a\x7A" "\q\n")");
    EXPECT_EQ(p.error, 0);
    // Any other escaped byte stands for itself: "\n" is the letter n, not a newline.
    // \x7a and \x7A are both 'z': hex digits are case-insensitive.
    EXPECT_EQ(p.arguments, (Strings { "back\\slash", "a \"quoted\" word", "Azz", "qn" }));
}

TEST(CommandLine, HexEscapesProduceHighBytes)
{
    auto p = parse(R"("\x80\xff\xC3\xA9" caf)" "\xc3\xa9");
    EXPECT_EQ(p.error, 0);
    ASSERT_EQ(p.arguments.size(), 2u);
    EXPECT_EQ(p.arguments[0], "\x80\xff\xc3\xa9");
    EXPECT_EQ(p.arguments[1], "caf\xc3\xa9"); // Raw bytes >= 0x80 pass through unquoted too.
}

TEST(CommandLine, HexEscapedNulCutsTheTokenButNotTheCommandLine)
{
    auto p = parse(R"("ab\x00cd" next)");
    EXPECT_EQ(p.error, 0);
    // The token is stored as "ab\0cd\0"; as a C string it reads "ab".
    EXPECT_EQ(p.arguments, (Strings { "ab", "next" }));
}

TEST(CommandLine, SingleQuotesAreLiteral)
{
    auto p = parse(R"('a\x41 "b" \\' x'y z'w)");
    EXPECT_EQ(p.error, 0);
    EXPECT_EQ(p.arguments, (Strings { R"(a\x41 "b" \\)", "xy zw" }));
}

TEST(CommandLine, BackslashOutsideQuotesTakesTheNextByteLiterally)
{
    auto p = parse(R"(a\ b \"x\' \\ \x41 tab\	end)");
    EXPECT_EQ(p.error, 0);
    EXPECT_EQ(p.arguments, (Strings { "a b", "\"x'", "\\", "x41", "tab\tend" }));
}

TEST(CommandLine, EmptyQuotedArguments)
{
    auto p = parse(R"(a "" b '' "")");
    EXPECT_EQ(p.error, 0);
    EXPECT_EQ(p.arguments, (Strings { "a", "", "b", "", "" }));
}

TEST(CommandLine, ClassifiesTokensBeforeAndAfterDoubleDash)
{
    auto p = parse("uk.argv0=prog HOME=/root word -- uk.verbose PATH=/bin arg -- last");
    EXPECT_EQ(p.error, 0);
    EXPECT_EQ(p.options, (Strings { "uk.argv0=prog" }));
    EXPECT_EQ(p.environment, (Strings { "HOME=/root" }));
    // Only the first unquoted "--" switches; later ones are ordinary arguments.
    EXPECT_EQ(p.arguments, (Strings { "word", "uk.verbose", "PATH=/bin", "arg", "--", "last" }));
}

TEST(CommandLine, BareWordsBeforeDoubleDashAreArguments)
{
    auto p = parse("first second -- third");
    EXPECT_EQ(p.error, 0);
    EXPECT_EQ(p.arguments, (Strings { "first", "second", "third" }));
}

TEST(CommandLine, QuotedDoubleDashIsAnArgument)
{
    auto p = parse(R"("--" '--' uk.a=1 A=1 -- "--")");
    EXPECT_EQ(p.error, 0);
    EXPECT_EQ(p.arguments, (Strings { "--", "--", "--" }));
    EXPECT_EQ(p.options, (Strings { "uk.a=1" }));
    EXPECT_EQ(p.environment, (Strings { "A=1" }));
}

TEST(CommandLine, DoubleDashMustBeTheWholeToken)
{
    auto p = parse("--x -- -");
    EXPECT_EQ(p.error, 0);
    EXPECT_EQ(p.arguments, (Strings { "--x", "-" }));
}

TEST(CommandLine, QuotedRuntimeOptionsAndEnvironment)
{
    auto p = parse(R"("uk.argv0=my prog" "GREETING=hello world" X="a b")");
    EXPECT_EQ(p.error, 0);
    EXPECT_EQ(p.options, (Strings { "uk.argv0=my prog" }));
    EXPECT_EQ(p.environment, (Strings { "GREETING=hello world", "X=a b" }));
    EXPECT_STREQ(p.line->option("uk.argv0", "app"), "my prog");
}

TEST(CommandLine, VirtioMmioDevicesAreOptionsAnywhereUnlessQuoted)
{
    auto p = parse("virtio_mmio.device=512@0xfeb00e00:12 a -- b virtio_mmio.device=512@0xfeb00c00:11 "
                   R"("virtio_mmio.device=quoted" 'virtio_mmio.device=single')");
    EXPECT_EQ(p.error, 0);
    EXPECT_EQ(p.options, (Strings { "virtio_mmio.device=512@0xfeb00e00:12", "virtio_mmio.device=512@0xfeb00c00:11" }));
    EXPECT_EQ(p.arguments, (Strings { "a", "b", "virtio_mmio.device=quoted", "virtio_mmio.device=single" }));
}

TEST(CommandLine, OptionLookup)
{
    auto p = parse("uk.argv0=first uk.verbose uk.x=a=b uk.argv0=second uk.flag=1 uk.flag -- uk.argv0=third");
    ASSERT_EQ(p.error, 0);
    const CommandLine& line = *p.line;
    EXPECT_STREQ(line.option("uk.argv0", "app"), "second"); // The last one wins; after "--" is an argument.
    EXPECT_STREQ(line.option("uk.verbose", "no"), "");      // A bare key.
    EXPECT_STREQ(line.option("uk.flag", "no"), "");         // A later bare key overrides a value.
    EXPECT_STREQ(line.option("uk.x", ""), "a=b");           // Only the first '=' separates.
    EXPECT_STREQ(line.option("uk.missing", "fallback"), "fallback");
    EXPECT_STREQ(line.option("uk.argv", "fallback"), "fallback"); // A prefix of a key is not the key.
    EXPECT_STREQ(line.option("uk.verb", "fallback"), "fallback");
}

TEST(CommandLine, OptionLookupWithoutOptionsReturnsTheFallback)
{
    auto p = parse("a b");
    ASSERT_EQ(p.error, 0);
    EXPECT_STREQ(p.line->option("uk.argv0", "app"), "app");
    EXPECT_EQ(p.line->option("uk.argv0", nullptr), nullptr);
}

TEST(CommandLine, MalformedTextIsEinval)
{
    for (std::string_view text : {
             R"("unterminated)",
             R"(ok "unterminated)",
             R"('unterminated)",
             R"("ends in a backslash\)",
             R"(trailing\)",
             R"("\x4")",  // Short escape followed by the closing quote.
             R"("\x4)",   // Short escape at the end of the text.
             R"("\x)",
             R"("\xg0")",
             R"("\x0g")",
             R"("\x 1")",
         }) {
        SCOPED_TRACE(text);
        EXPECT_EQ(parse(text).error, EINVAL);
    }
}

TEST(CommandLine, StorageSmallerThanRequiredIsEinval)
{
    std::string_view text = "a b";
    auto line = std::make_unique<CommandLine>();
    char storage[2 * 3 + 1];
    EXPECT_EQ(parse_command_line(text.data(), text.size(), storage, sizeof(storage), *line).error_code(), EINVAL);
}

TEST(CommandLine, ReparsingStartsFromEmptyTables)
{
    auto line = std::make_unique<CommandLine>();
    char storage[64];
    std::string_view first = "uk.a A=1 a b";
    ASSERT_FALSE(parse_command_line(first.data(), first.size(), storage, sizeof(storage), *line).is_error());
    std::string_view second = "c";
    ASSERT_FALSE(parse_command_line(second.data(), second.size(), storage, sizeof(storage), *line).is_error());
    EXPECT_EQ(line->argument_count, 1u);
    EXPECT_EQ(line->environment_count, 0u);
    EXPECT_EQ(line->option_count, 0u);
    EXPECT_STREQ(line->arguments[0], "c");
}

std::string repeat(std::string_view token, size_t times)
{
    std::string out;
    for (size_t i = 0; i < times; ++i) {
        out += token;
        out += ' ';
    }
    return out;
}

TEST(CommandLine, TablesFullIsE2big)
{
    auto at_limit = parse(repeat("a", CommandLine::k_max_arguments));
    EXPECT_EQ(at_limit.error, 0);
    EXPECT_EQ(at_limit.arguments.size(), CommandLine::k_max_arguments);

    EXPECT_EQ(parse(repeat("a", CommandLine::k_max_arguments + 1)).error, E2BIG);
    EXPECT_EQ(parse("-- " + repeat("a", CommandLine::k_max_arguments + 1)).error, E2BIG);
    EXPECT_EQ(parse(repeat("A=1", CommandLine::k_max_environment)).error, 0);
    EXPECT_EQ(parse(repeat("A=1", CommandLine::k_max_environment + 1)).error, E2BIG);
    EXPECT_EQ(parse(repeat("uk.x", CommandLine::k_max_options)).error, 0);
    EXPECT_EQ(parse(repeat("uk.x", CommandLine::k_max_options + 1)).error, E2BIG);
}

TEST(CommandLine, StopsAtLengthWithoutATerminator)
{
    // The buffer holds "a b c" without a NUL; only the first three bytes are the command line.
    std::string_view text = "a b c";
    auto p = parse(text.substr(0, 3));
    EXPECT_EQ(p.error, 0);
    EXPECT_EQ(p.arguments, (Strings { "a", "b" }));

    // A quote closed just past `length` is unterminated, and "\x41" cut after "\x4" is short.
    EXPECT_EQ(parse(std::string_view(R"("ab")").substr(0, 3)).error, EINVAL);
    EXPECT_EQ(parse(std::string_view(R"("\x41")").substr(0, 4)).error, EINVAL);
    EXPECT_EQ(parse(std::string_view(R"(a\b)").substr(0, 2)).error, EINVAL);
}

TEST(CommandLine, EmbeddedNulEndsTheCommandLine)
{
    using namespace std::string_view_literals;
    auto p = parse("a b\0c d"sv);
    EXPECT_EQ(p.error, 0);
    EXPECT_EQ(p.arguments, (Strings { "a", "b" }));

    auto after_space = parse("a \0 b"sv);
    EXPECT_EQ(after_space.error, 0);
    EXPECT_EQ(after_space.arguments, (Strings { "a" }));

    // Inside a quote or after a backslash, the end comes too early.
    EXPECT_EQ(parse("\"a\0b\""sv).error, EINVAL);
    EXPECT_EQ(parse("'a\0b'"sv).error, EINVAL);
    EXPECT_EQ(parse("a\\\0b"sv).error, EINVAL);
    EXPECT_EQ(parse("\"\\x4\0\""sv).error, EINVAL);
}

// Encodes `value` as one token, segment by segment, in a randomly chosen quoting style per segment.
std::string encode(const std::string& value, std::mt19937& rng)
{
    if (value.empty())
        return rng() % 2 ? "\"\"" : "''";
    std::string out;
    size_t pos = 0;
    while (pos < value.size()) {
        size_t n = 1 + rng() % (value.size() - pos);
        std::string_view segment(value.data() + pos, n);
        pos += n;
        switch (rng() % 3) {
        case 0:
            out += '"';
            for (unsigned char c : segment) {
                if (c == '"' || c == '\\') {
                    out += '\\';
                    out += static_cast<char>(c);
                } else if (c < 0x20 || c >= 0x7f || rng() % 4 == 0) {
                    const char* digits = rng() % 2 ? "0123456789abcdef" : "0123456789ABCDEF";
                    out += "\\x";
                    out += digits[c >> 4];
                    out += digits[c & 15];
                } else {
                    out += static_cast<char>(c);
                }
            }
            out += '"';
            break;
        case 1:
            if (segment.find('\'') == std::string_view::npos) {
                out += '\'';
                out += segment;
                out += '\'';
                break;
            }
            [[fallthrough]];
        default:
            for (char c : segment) {
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '\'' || c == '\\')
                    out += '\\';
                out += c;
            }
            break;
        }
    }
    return out;
}

TEST(CommandLine, ManyArgumentsRoundTrip)
{
    constexpr size_t k_count = 200;
    constexpr size_t k_bytes = 8192;
    std::mt19937 rng(20240229);
    // Cut k_bytes at k_count - 1 random points, so some arguments come out empty.
    std::vector<size_t> cuts { 0, k_bytes };
    for (size_t i = 0; i + 1 < k_count; ++i)
        cuts.push_back(rng() % (k_bytes + 1));
    std::sort(cuts.begin(), cuts.end());

    Strings expected;
    std::string text = "uk.argv0=prog TERM=dumb -- ";
    for (size_t i = 0; i < k_count; ++i) {
        std::string value;
        for (size_t j = cuts[i]; j < cuts[i + 1]; ++j)
            value += static_cast<char>(1 + rng() % 255); // Any byte but NUL.
        text += encode(value, rng);
        text += " \t\n"[rng() % 3];
        expected.push_back(std::move(value));
    }

    auto p = parse(text);
    ASSERT_EQ(p.error, 0);
    EXPECT_EQ(p.options, (Strings { "uk.argv0=prog" }));
    EXPECT_EQ(p.environment, (Strings { "TERM=dumb" }));
    ASSERT_EQ(p.arguments.size(), k_count);
    size_t total = 0;
    for (size_t i = 0; i < k_count; ++i) {
        EXPECT_EQ(p.arguments[i], expected[i]) << "argument " << i;
        total += p.arguments[i].size();
    }
    EXPECT_EQ(total, k_bytes);
}

} // namespace
} // namespace uk
