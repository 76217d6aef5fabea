// SPDX-License-Identifier: MIT
// Unit tests of the link driver's argument translation (link_driver.h): every rule, its errors
// and the order of the resulting ld.lld-19 command line.
#include "link_driver.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <ostream>

namespace uk::link {
namespace {

using Words = std::vector<std::string>;

constexpr char const* k_prefix = "uk-link: error: ";

// The fixed head of every non-relocatable command.
std::string const k_head = "ld.lld-19 -m elf_x86_64 -static -z noexecstack -z noseparate-code "
                           "-z max-page-size=4096 --eh-frame-hdr --gc-sections";
std::string const k_crt_begin = "/sdk/sysroot/lib/crt1.o /sdk/sysroot/lib/crti.o";
std::string const k_crt_end = "/sdk/sysroot/lib/crtn.o";
std::string const k_search = "-L/sdk/sysroot/lib -L/sdk/sysroot/usr/lib";
std::string const k_group = "--start-group -lc -lukrt -lclang_rt.builtins --end-group";
std::string const k_cxx_libs = "-lc++ -lc++abi -lunwind";

Result run(Words arguments, Mode mode = Mode::C, std::map<std::string, std::string> environment = {})
{
    Invocation invocation;
    invocation.arguments = std::move(arguments);
    invocation.mode = mode;
    invocation.sdk_root = "/sdk";
    invocation.environment = [environment](std::string_view name) -> std::optional<std::string> {
        auto it = environment.find(std::string(name));
        if (it == environment.end())
            return std::nullopt;
        return it->second;
    };
    return translate(invocation);
}

std::string join(Words const& words)
{
    std::string line;
    for (auto const& word : words)
        line += (line.empty() ? "" : " ") + word;
    return line;
}

// The command line as one string, or the error if translation did not produce a link.
std::string line(Words arguments, Mode mode = Mode::C)
{
    Result result = run(std::move(arguments), mode);
    if (result.action != Action::Link)
        return "NOT A LINK: " + result.message;
    return join(result.command);
}

std::string error(Words arguments, Mode mode = Mode::C)
{
    Result result = run(std::move(arguments), mode);
    if (result.action != Action::Fail)
        return "NOT AN ERROR: " + join(result.command);
    EXPECT_TRUE(result.command.empty());
    EXPECT_EQ(result.message.rfind(k_prefix, 0), 0u) << result.message;
    return result.message;
}

// The usual command for a C link of `inputs` into `t`.
std::string c_line(std::string const& inputs)
{
    return k_head + " -e uk_linux_launcher -o t " + k_crt_begin + " " + inputs + " " + k_search + " "
        + k_group + " " + k_crt_end;
}

// What clang-19 passes for `clang --target=x86_64-unknown-unikernel t.c -o t`.
TEST(LinkDriver, CDefaultCommandFromClang)
{
    EXPECT_EQ(line({ "-m64", "-o", "t", "/tmp/t-f70a9c.o" }),
        "ld.lld-19 -m elf_x86_64 -static -z noexecstack -z noseparate-code -z max-page-size=4096 "
        "--eh-frame-hdr --gc-sections -e uk_linux_launcher -o t /sdk/sysroot/lib/crt1.o "
        "/sdk/sysroot/lib/crti.o /tmp/t-f70a9c.o -L/sdk/sysroot/lib -L/sdk/sysroot/usr/lib --start-group -lc -lukrt "
        "-lclang_rt.builtins --end-group /sdk/sysroot/lib/crtn.o");
}

TEST(LinkDriver, CxxAddsCxxRuntimeBeforeTheGroup)
{
    EXPECT_EQ(line({ "-m64", "-o", "t", "t.o" }, Mode::Cxx),
        k_head + " -e uk_linux_launcher -o t " + k_crt_begin + " t.o " + k_search + " " + k_cxx_libs + " "
            + k_group + " " + k_crt_end);
}

TEST(LinkDriver, OutputDefaultsToAOut)
{
    EXPECT_EQ(line({ "t.o" }),
        k_head + " -e uk_linux_launcher -o a.out " + k_crt_begin + " t.o " + k_search + " " + k_group + " "
            + k_crt_end);
}

TEST(LinkDriver, OutputJoinedFormAndLastOneWins)
{
    EXPECT_EQ(line({ "-ofirst", "t.o", "-o", "t" }), c_line("t.o"));
    EXPECT_EQ(line({ "-ot", "t.o" }), c_line("t.o"));
}

TEST(LinkDriver, ProgramNameSelectsMode)
{
    EXPECT_EQ(mode_from_program_name("gcc"), Mode::C);
    EXPECT_EQ(mode_from_program_name("/sdk/libexec/uksdk/gcc"), Mode::C);
    EXPECT_EQ(mode_from_program_name("cc"), Mode::C);
    EXPECT_EQ(mode_from_program_name("uk-link"), Mode::C);
    EXPECT_EQ(mode_from_program_name(""), Mode::C);
    EXPECT_EQ(mode_from_program_name("/odd++/gcc"), Mode::C);
    EXPECT_EQ(mode_from_program_name("g++"), Mode::Cxx);
    EXPECT_EQ(mode_from_program_name("/sdk/libexec/uksdk/g++"), Mode::Cxx);
    EXPECT_EQ(mode_from_program_name("c++"), Mode::Cxx);
    EXPECT_EQ(mode_from_program_name("clang++"), Mode::Cxx);
    EXPECT_EQ(mode_from_program_name("x86_64-unknown-unikernel-g++"), Mode::Cxx);
}

TEST(LinkDriver, UserItemsKeepTheirOrderBetweenStartFilesAndSdkLibraries)
{
    EXPECT_EQ(line({ "-o", "t", "a.o", "-L", "/x", "-lfoo", "b.a", "-Wl,--as-needed,-lbar,,--no-as-needed",
                  "-Xlinker", "--defsym=k=1", "-T", "s.ld", "-u", "sym", "c.o", "-LY", "-l", "z", "script.ld" }),
        c_line("a.o -L/x -lfoo b.a --as-needed -lbar --no-as-needed --defsym=k=1 -T s.ld -u sym c.o -LY "
               "-lz script.ld"));
}

TEST(LinkDriver, GluedTUAndZPassVerbatimSeparateOnesStayPairs)
{
    EXPECT_EQ(line({ "-o", "t", "-Tscript.ld", "-usym", "-znow", "-Ttext=0x300000", "t.o" }),
        c_line("-Tscript.ld -usym -znow -Ttext=0x300000 t.o"));
    EXPECT_EQ(line({ "-o", "t", "-z", "now", "t.o" }), c_line("-z now t.o"));
}

TEST(LinkDriver, UserEntryReplacesTheDefaultAndStaysInPlace)
{
    std::string const without_default = k_head + " -o t " + k_crt_begin + " ";
    std::string const tail = " " + k_search + " " + k_group + " " + k_crt_end;
    EXPECT_EQ(line({ "-o", "t", "a.o", "-e", "main", "b.o" }), without_default + "a.o -e main b.o" + tail);
    EXPECT_EQ(line({ "-o", "t", "--entry=main", "a.o" }), without_default + "-e main a.o" + tail);
    EXPECT_EQ(line({ "-o", "t", "--entry", "main", "a.o" }), without_default + "-e main a.o" + tail);
    EXPECT_EQ(line({ "-o", "t", "a.o", "-Wl,-e,main" }), without_default + "a.o -e main" + tail);
    EXPECT_EQ(line({ "-o", "t", "a.o", "-Wl,--entry=main" }), without_default + "a.o --entry=main" + tail);
    EXPECT_EQ(line({ "-o", "t", "a.o", "-Wl,--entry,main" }), without_default + "a.o --entry main" + tail);
    EXPECT_EQ(line({ "-o", "t", "a.o", "-Xlinker", "-e", "-Xlinker", "main" }),
        without_default + "a.o -e main" + tail);
}

TEST(LinkDriver, EntrySymbolViaWlIsNotAnInputFile)
{
    EXPECT_EQ(error({ "-Wl,-e,main" }), std::string(k_prefix) + "no input files");
}

// Meson and libtool run `cc -Wl,--version` to see which linker the compiler uses: lld answers
// and links nothing, so there is nothing to complain about.
TEST(LinkDriver, LinkerVersionNeedsNoInputs)
{
    for (Words arguments : { Words { "-Wl,--version" }, Words { "-Wl,-v" }, Words { "-Xlinker", "--version" },
             Words { "-Wl,-version" } }) {
        Result result = run(arguments);
        EXPECT_EQ(result.action, Action::Link) << result.message;
        EXPECT_NE(join(result.command).find(" " + arguments.back().substr(arguments.back().rfind(',') + 1) + " "),
            std::string::npos)
            << join(result.command);
    }
    EXPECT_EQ(error({ "-v" }), std::string(k_prefix) + "no input files");
}

TEST(LinkDriver, LinkerWordsCountAsInputs)
{
    EXPECT_EQ(line({ "-o", "t", "-Wl,--whole-archive,libx.a,--no-whole-archive" }),
        c_line("--whole-archive libx.a --no-whole-archive"));
}

TEST(LinkDriver, StdcxxBecomesLibcxxWithItsRuntimeInC)
{
    EXPECT_EQ(line({ "-o", "t", "a.o", "-lstdc++", "b.o" }), c_line("a.o -lc++ -lc++abi -lunwind b.o"));
    EXPECT_EQ(line({ "-o", "t", "a.o", "-lc++", "b.o" }), c_line("a.o -lc++ -lc++abi -lunwind b.o"));
    EXPECT_EQ(line({ "-o", "t", "a.o", "-l", "stdc++" }), c_line("a.o -lc++ -lc++abi -lunwind"));
}

TEST(LinkDriver, StdcxxInCxxModeLeavesTheRuntimeToTheDefaults)
{
    EXPECT_EQ(line({ "-o", "t", "a.o", "-lstdc++", "b.o" }, Mode::Cxx),
        k_head + " -e uk_linux_launcher -o t " + k_crt_begin + " a.o -lc++ b.o " + k_search + " " + k_cxx_libs
            + " " + k_group + " " + k_crt_end);
}

TEST(LinkDriver, StdcxxInCxxModeWithoutDefaultsAddsTheRuntime)
{
    // The flag may come after the library: the decision is made on the whole command line.
    EXPECT_EQ(line({ "-o", "t", "a.o", "-lstdc++", "-nodefaultlibs" }, Mode::Cxx),
        k_head + " -e uk_linux_launcher -o t " + k_crt_begin + " a.o -lc++ -lc++abi -lunwind " + k_search + " "
            + k_crt_end);
    EXPECT_EQ(line({ "-o", "t", "a.o", "-lc++", "-nostdlib" }, Mode::Cxx),
        k_head + " -e uk_linux_launcher -o t a.o -lc++ -lc++abi -lunwind " + k_search);
}

TEST(LinkDriver, GccSupportLibrariesAreDropped)
{
    EXPECT_EQ(line({ "-o", "t", "a.o", "-lgcc", "-lgcc_s", "-l", "gcc_eh", "-latomic", "b.o" }), c_line("a.o b.o"));
}

TEST(LinkDriver, MuslEmptyLibrariesPassThrough)
{
    EXPECT_EQ(line({ "-o", "t", "a.o", "-lm", "-lpthread", "-lrt", "-ldl", "-lutil", "-lcrypt", "-lxnet" }),
        c_line("a.o -lm -lpthread -lrt -ldl -lutil -lcrypt -lxnet"));
}

TEST(LinkDriver, LibraryByFileName)
{
    EXPECT_EQ(line({ "-o", "t", "a.o", "-l:libfoo.a" }), c_line("a.o -l:libfoo.a"));
}

TEST(LinkDriver, NoStartFiles)
{
    EXPECT_EQ(line({ "-o", "t", "-nostartfiles", "t.o" }),
        k_head + " -e uk_linux_launcher -o t t.o " + k_search + " " + k_group);
}

TEST(LinkDriver, NoDefaultLibs)
{
    EXPECT_EQ(line({ "-o", "t", "-nodefaultlibs", "t.o" }, Mode::Cxx),
        k_head + " -e uk_linux_launcher -o t " + k_crt_begin + " t.o " + k_search + " " + k_crt_end);
}

TEST(LinkDriver, NoStdlibDropsStartFilesAndLibrariesButKeepsTheSearchDirectory)
{
    EXPECT_EQ(line({ "-o", "t", "t.o", "-nostdlib" }, Mode::Cxx), k_head + " -e uk_linux_launcher -o t t.o " + k_search);
}

TEST(LinkDriver, NoStdlibxxDropsOnlyTheCxxDefaultLibraries)
{
    std::string const c_tail = " " + k_search + " " + k_group + " " + k_crt_end;
    EXPECT_EQ(line({ "-o", "t", "-nostdlib++", "t.o" }, Mode::Cxx),
        k_head + " -e uk_linux_launcher -o t " + k_crt_begin + " t.o" + c_tail);
    // The flag may come after the inputs, and means nothing for a C link.
    EXPECT_EQ(line({ "-o", "t", "t.o", "-nostdlib++" }, Mode::Cxx),
        k_head + " -e uk_linux_launcher -o t " + k_crt_begin + " t.o" + c_tail);
    EXPECT_EQ(line({ "-o", "t", "-nostdlib++", "t.o" }), c_line("t.o"));
}

TEST(LinkDriver, NoStdlibxxKeepsAnExplicitLibcxxWithItsRuntime)
{
    EXPECT_EQ(line({ "-o", "t", "-nostdlib++", "t.o", "-lc++" }, Mode::Cxx),
        k_head + " -e uk_linux_launcher -o t " + k_crt_begin + " t.o -lc++ -lc++abi -lunwind " + k_search + " "
            + k_group + " " + k_crt_end);
}

TEST(LinkDriver, NoStdlibxxCombinesWithTheOtherFlags)
{
    std::string const group = "--start-group -lukrt -lclang_rt.builtins --end-group";
    EXPECT_EQ(line({ "-o", "t", "-nostdlib++", "-nolibc", "t.o" }, Mode::Cxx),
        k_head + " -e uk_linux_launcher -o t " + k_crt_begin + " t.o " + k_search + " " + group + " " + k_crt_end);
    EXPECT_EQ(line({ "-o", "t", "-nostdlib++", "-nostdlib", "t.o" }, Mode::Cxx),
        k_head + " -e uk_linux_launcher -o t t.o " + k_search);
    EXPECT_EQ(line({ "-r", "-o", "part.o", "-nostdlib++", "a.o" }, Mode::Cxx),
        "ld.lld-19 -m elf_x86_64 -r -o part.o a.o");
}

// clang-19 does not forward -nostdlib++ to the link driver; the environment stands in for it.
TEST(LinkDriver, NoStdlibxxFromEnvironment)
{
    auto command = [](std::string value) {
        return join(run({ "-o", "t", "t.o" }, Mode::Cxx, { { "UKSDK_LINK_NOSTDLIBXX", value } }).command);
    };
    std::string const without = k_head + " -e uk_linux_launcher -o t " + k_crt_begin + " t.o " + k_search + " "
        + k_group + " " + k_crt_end;
    std::string const with = k_head + " -e uk_linux_launcher -o t " + k_crt_begin + " t.o " + k_search + " "
        + k_cxx_libs + " " + k_group + " " + k_crt_end;
    EXPECT_EQ(command("1"), without);
    EXPECT_EQ(command("0"), with);
    EXPECT_EQ(command(""), with);
}

TEST(LinkDriver, NoLibcDropsOnlyLibc)
{
    std::string const group = "--start-group -lukrt -lclang_rt.builtins --end-group";
    EXPECT_EQ(line({ "-o", "t", "-nolibc", "t.o" }),
        k_head + " -e uk_linux_launcher -o t " + k_crt_begin + " t.o " + k_search + " " + group + " " + k_crt_end);
    EXPECT_EQ(line({ "-o", "t", "-nolibc", "t.o" }, Mode::Cxx),
        k_head + " -e uk_linux_launcher -o t " + k_crt_begin + " t.o " + k_search + " " + k_cxx_libs + " " + group
            + " " + k_crt_end);
    EXPECT_EQ(line({ "-o", "t", "-nolibc", "-nodefaultlibs", "t.o" }),
        k_head + " -e uk_linux_launcher -o t " + k_crt_begin + " t.o " + k_search + " " + k_crt_end);
}

TEST(LinkDriver, RelocatableLinkHasOnlyTheInputs)
{
    EXPECT_EQ(line({ "-r", "-o", "part.o", "a.o", "-L/x", "-lfoo", "b.o" }, Mode::Cxx),
        "ld.lld-19 -m elf_x86_64 -r -o part.o a.o -L/x -lfoo b.o");
    EXPECT_EQ(line({ "-m64", "-o", "part.o", "a.o", "-r", "-e", "start", "-s" }),
        "ld.lld-19 -m elf_x86_64 -r --strip-all -o part.o a.o -e start");
}

TEST(LinkDriver, RelocatableStdcxxBringsItsRuntimeEvenInCxxMode)
{
    EXPECT_EQ(line({ "-r", "-o", "part.o", "a.o", "-lstdc++" }, Mode::Cxx),
        "ld.lld-19 -m elf_x86_64 -r -o part.o a.o -lc++ -lc++abi -lunwind");
}

TEST(LinkDriver, StripAll)
{
    EXPECT_EQ(line({ "-s", "-o", "t", "t.o" }),
        k_head + " -e uk_linux_launcher --strip-all -o t " + k_crt_begin + " t.o " + k_search + " " + k_group + " "
            + k_crt_end);
}

TEST(LinkDriver, SysrootOverride)
{
    std::string const expected = k_head
        + " -e uk_linux_launcher -o t /other/lib/crt1.o /other/lib/crti.o t.o -L/other/lib -L/other/usr/lib " + k_group
        + " /other/lib/crtn.o";
    EXPECT_EQ(line({ "--sysroot=/other", "-o", "t", "t.o" }), expected);
    EXPECT_EQ(line({ "--sysroot", "/other", "-o", "t", "t.o" }), expected);
    EXPECT_EQ(line({ "--sysroot=/other/", "-o", "t", "t.o" }), expected);
    // It applies to the whole command, wherever it appears.
    EXPECT_EQ(line({ "-o", "t", "t.o", "--sysroot=/other" }), expected);
}

TEST(LinkDriver, SysrootAtFilesystemRoot)
{
    EXPECT_EQ(line({ "--sysroot=/", "-nostartfiles", "-nodefaultlibs", "-o", "t", "t.o" }),
        k_head + " -e uk_linux_launcher -o t t.o -L/lib -L/usr/lib");
}

TEST(LinkDriver, SdkRootWithTrailingSlash)
{
    Invocation invocation;
    invocation.arguments = { "-o", "t", "t.o" };
    invocation.sdk_root = "/sdk/";
    EXPECT_EQ(join(translate(invocation).command), c_line("t.o"));
}

TEST(LinkDriver, VerboseStillLinks)
{
    Result result = run({ "-v", "-o", "t", "t.o" });
    EXPECT_EQ(result.action, Action::Link);
    EXPECT_TRUE(result.verbose);
    EXPECT_EQ(join(result.command), c_line("t.o"));
    EXPECT_FALSE(run({ "-o", "t", "t.o" }).verbose);
}

TEST(LinkDriver, VerboseFromEnvironment)
{
    EXPECT_TRUE(run({ "t.o" }, Mode::C, { { "UKSDK_LINK_VERBOSE", "1" } }).verbose);
    EXPECT_FALSE(run({ "t.o" }, Mode::C, { { "UKSDK_LINK_VERBOSE", "0" } }).verbose);
    EXPECT_FALSE(run({ "t.o" }, Mode::C, { { "UKSDK_LINK_VERBOSE", "" } }).verbose);
}

TEST(LinkDriver, LinkerFromEnvironment)
{
    EXPECT_EQ(run({ "t.o" }, Mode::C, { { "UKSDK_LLD", "/opt/lld/bin/ld.lld" } }).command.at(0),
        "/opt/lld/bin/ld.lld");
    EXPECT_EQ(run({ "t.o" }, Mode::C, { { "UKSDK_LLD", "" } }).command.at(0), "ld.lld-19");
}

TEST(LinkDriver, NoEnvironmentLookupMeansNothingSet)
{
    Invocation invocation;
    invocation.arguments = { "t.o" };
    invocation.sdk_root = "/sdk";
    Result result = translate(invocation);
    EXPECT_EQ(result.command.at(0), "ld.lld-19");
    EXPECT_FALSE(result.verbose);
}

TEST(LinkDriver, Help)
{
    for (char const* flag : { "--help", "-h" }) {
        Result result = run({ flag });
        EXPECT_EQ(result.action, Action::PrintHelp);
        EXPECT_NE(result.message.find("usage:"), std::string::npos);
        EXPECT_TRUE(result.command.empty());
    }
}

TEST(LinkDriver, HelpWinsOverErrors)
{
    EXPECT_EQ(run({ "-shared", "--bogus", "--help", "-o" }).action, Action::PrintHelp);
}

class IgnoredOption : public testing::TestWithParam<char const*> { };

TEST_P(IgnoredOption, ChangesNothing)
{
    EXPECT_EQ(line({ "-o", "t", GetParam(), "t.o" }), c_line("t.o"));
}

INSTANTIATE_TEST_SUITE_P(LinkDriver, IgnoredOption,
    testing::Values("-m64", "-static", "-static-pie", "-pie", "-no-pie", "-nopie", "-pthread", "-rdynamic",
        "-static-libgcc", "-static-libstdc++", "-shared-libgcc", "-fuse-ld=lld", "-g", "-g3", "-ggdb",
        "-gdwarf-4", "-O", "-O0", "-O2", "-Os", "-Oz", "-Ofast", "-fPIC", "-fpic", "-fPIE", "-fpie"));

struct ErrorCase {
    Words arguments;
    char const* message_part;
};

// Names the case by its arguments in test listings and failure messages.
void PrintTo(ErrorCase const& error_case, std::ostream* out)
{
    *out << "{" << join(error_case.arguments) << "}";
}

class RejectedCommand : public testing::TestWithParam<ErrorCase> { };

TEST_P(RejectedCommand, FailsWithAReason)
{
    EXPECT_NE(error(GetParam().arguments).find(GetParam().message_part), std::string::npos)
        << error(GetParam().arguments);
}

char const* const k_shared = "shared libraries are not supported: a unikernel image is one static program; "
                             "build a static library (.a) instead";

INSTANTIATE_TEST_SUITE_P(LinkDriver, RejectedCommand,
    testing::Values(ErrorCase { { "-shared", "t.o" }, k_shared },
        ErrorCase { { "t.o", "-dynamic" }, "dynamic linking is not supported" },
        ErrorCase { { "-m32", "t.o" }, "'-m32' is not supported: the SDK builds x86_64 images only" },
        ErrorCase { { "-mx32", "t.o" }, "'-mx32' is not supported" },
        ErrorCase { { "t.o", "libfoo.so" }, "cannot link 'libfoo.so': shared libraries are not supported" },
        ErrorCase { { "t.o", "libfoo.so.1" }, "cannot link 'libfoo.so.1'" },
        ErrorCase { { "t.o", "/usr/lib/libfoo.so.1.2.3" }, "cannot link '/usr/lib/libfoo.so.1.2.3'" },
        ErrorCase { { "t.o", "-l:libfoo.so.1" }, "cannot link '-l:libfoo.so.1'" },
        ErrorCase { { "t.o", "-Wl,-shared" }, k_shared },
        ErrorCase { { "t.o", "-Xlinker", "--shared" }, k_shared },
        ErrorCase { { "t.o", "-fsanitize=address" }, "'-fsanitize=address' is not supported yet" },
        ErrorCase { { "t.o", "-fsanitize=undefined" }, "'-fsanitize=undefined' is not supported yet" },
        ErrorCase { { "t.o", "-fprofile-arcs" }, "'-fprofile-arcs' is not supported yet" },
        ErrorCase { { "t.o", "-fprofile-instr-generate" }, "'-fprofile-instr-generate' is not supported yet" },
        ErrorCase { { "t.o", "--coverage" }, "'--coverage' is not supported yet" },
        ErrorCase { { "t.o", "-coverage" }, "'-coverage' is not supported yet" },
        ErrorCase { { "t.o", "-flto" }, "'-flto' is not supported yet" },
        ErrorCase { { "t.o", "-flto=thin" }, "'-flto=thin' is not supported yet" },
        ErrorCase { { "t.o", "--frobnicate" }, "unsupported link option '--frobnicate'; pass options meant for "
                                               "ld.lld-19 with -Wl,OPTION" },
        ErrorCase { { "t.o", "-fuse-ld=bfd" }, "unsupported link option '-fuse-ld=bfd'" },
        ErrorCase { { "t.o", "-efoo" }, "unsupported link option '-efoo'" },
        ErrorCase { { "t.o", "-export-dynamic" }, "unsupported link option '-export-dynamic'" },
        ErrorCase { { "t.o", "-Xlinkerfoo" }, "unsupported link option '-Xlinkerfoo'" },
        ErrorCase { { "t.o", "-Wl" }, "unsupported link option '-Wl'" },
        ErrorCase { { "t.o", "-" }, "unsupported link option '-'" },
        ErrorCase { { "t.o", "" }, "empty argument" },
        ErrorCase { { "t.o", "-o", "" }, "empty argument after '-o'" },
        ErrorCase { { "t.o", "--sysroot=" }, "empty argument after '--sysroot'" },
        ErrorCase { {}, "no input files" },
        ErrorCase { { "-v", "-o", "t" }, "no input files" },
        ErrorCase { { "-nostdlib", "-L/x" }, "no input files" }));

class MissingArgument : public testing::TestWithParam<char const*> { };

TEST_P(MissingArgument, IsAnError)
{
    EXPECT_EQ(error({ "t.o", GetParam() }), std::string(k_prefix) + "missing argument after '" + GetParam() + "'");
}

INSTANTIATE_TEST_SUITE_P(LinkDriver, MissingArgument,
    testing::Values("-o", "-L", "-l", "-T", "-e", "-u", "-z", "-Xlinker", "--entry", "--sysroot"));

TEST(LinkDriver, FirstErrorIsReported)
{
    EXPECT_EQ(error({ "t.o", "-m32", "-shared" }),
        std::string(k_prefix) + "'-m32' is not supported: the SDK builds x86_64 images only; use -m64 or nothing");
}

TEST(LinkDriver, SharedObjectLookalikesAreFine)
{
    EXPECT_EQ(line({ "-o", "t", "my.socket.o", "libsodium.a", "x.so.d/t.o" }),
        c_line("my.socket.o libsodium.a x.so.d/t.o"));
}

TEST(LinkDriver, OptionValuesAreNotReinterpreted)
{
    // A value that looks like an option is still the value.
    EXPECT_EQ(line({ "-o", "-shared", "t.o" }),
        k_head + " -e uk_linux_launcher -o -shared " + k_crt_begin + " t.o " + k_search + " " + k_group + " "
            + k_crt_end);
    EXPECT_EQ(line({ "-o", "t", "-Xlinker", "-pie", "t.o" }), c_line("-pie t.o"));
}

TEST(ShellQuote, QuotesOnlyWhatNeedsIt)
{
    EXPECT_EQ(shell_quote({ "ld.lld-19", "-o", "a.out", "-L/x/y", "--defsym=a=1", "-lc++", "x,y:z@1%" }),
        "ld.lld-19 -o a.out -L/x/y --defsym=a=1 -lc++ x,y:z@1%");
    EXPECT_EQ(shell_quote({ "a b", "", "it's", "$HOME", "*.o", "x;y", "tab\there" }),
        "'a b' '' 'it'\\''s' '$HOME' '*.o' 'x;y' 'tab\there'");
    EXPECT_EQ(shell_quote({}), "");
}

TEST(LinkDriver, RecordsTheSdkRunnerForTheLauncher)
{
    EXPECT_EQ(run({ "-o", "t", "t.o" }).runner_path, "/sdk/bin/uk-run");
    EXPECT_EQ(run({ "-o", "t", "t.o" }, Mode::Cxx).runner_path, "/sdk/bin/uk-run");
    EXPECT_EQ(run({ "-nostartfiles", "-nolibc", "t.o" }).runner_path, "/sdk/bin/uk-run");
    Invocation invocation;
    invocation.arguments = { "t.o" };
    invocation.sdk_root = "/sdk/";
    EXPECT_EQ(translate(invocation).runner_path, "/sdk/bin/uk-run");
}

TEST(LinkDriver, RunnerFromEnvironmentOrNone)
{
    EXPECT_EQ(run({ "t.o" }, Mode::C, { { "UKSDK_LINK_RUNNER", "/usr/bin/uk-run" } }).runner_path, "/usr/bin/uk-run");
    EXPECT_EQ(run({ "t.o" }, Mode::C, { { "UKSDK_LINK_RUNNER", "" } }).runner_path, "");
}

TEST(LinkDriver, NoRunnerWithoutTheRuntime)
{
    // The launcher is part of the runtime: without it nothing would read the path.
    EXPECT_EQ(run({ "-nodefaultlibs", "t.o" }).runner_path, "");
    EXPECT_EQ(run({ "-nostdlib", "t.o" }).runner_path, "");
    EXPECT_EQ(run({ "-r", "-o", "p.o", "t.o" }).runner_path, "");
    EXPECT_EQ(run({ "-shared", "t.o" }).runner_path, "");
}

// Reads the little-endian integer of `bytes` bytes at `offset`.
uint64_t field(std::string const& data, size_t offset, unsigned bytes)
{
    uint64_t value = 0;
    for (unsigned i = 0; i < bytes; ++i)
        value |= uint64_t(static_cast<unsigned char>(data.at(offset + i))) << (8 * i);
    return value;
}

std::string c_string(std::string const& data, size_t offset)
{
    return std::string(data.c_str() + offset);
}

// Walks the object the way a linker does: ELF header, section headers, section names, the
// symbol table and what its one global symbol points at.
TEST(RunnerPathObject, IsARelocatableObjectDefiningThePath)
{
    std::string const path = "/opt/uksdk 0.1/bin/uk-run";
    std::string const object = runner_path_object(path);
    ASSERT_GE(object.size(), 64u);
    EXPECT_EQ(object.substr(0, 7), std::string("\x7f" "ELF\2\1\1", 7));
    EXPECT_EQ(field(object, 16, 2), 1u); // ET_REL
    EXPECT_EQ(field(object, 18, 2), 62u); // EM_X86_64
    EXPECT_EQ(field(object, 52, 2), 64u); // e_ehsize
    EXPECT_EQ(field(object, 58, 2), 64u); // e_shentsize
    uint64_t const section_headers = field(object, 40, 8);
    uint64_t const count = field(object, 60, 2);
    uint64_t const names_index = field(object, 62, 2);
    ASSERT_EQ(count, 5u);
    ASSERT_EQ(section_headers % 8, 0u);
    ASSERT_EQ(section_headers + count * 64, object.size());

    auto section = [&](uint64_t index, size_t member, unsigned bytes) {
        return field(object, section_headers + index * 64 + member, bytes);
    };
    uint64_t const names = section(names_index, 24, 8);
    auto section_name = [&](uint64_t index) { return c_string(object, names + section(index, 0, 4)); };
    EXPECT_EQ(section_name(1), ".uksdk.runner");
    EXPECT_EQ(section_name(2), ".symtab");
    EXPECT_EQ(section_name(3), ".strtab");
    EXPECT_EQ(section_name(4), ".shstrtab");
    EXPECT_EQ(section(1, 4, 4), 1u); // SHT_PROGBITS
    EXPECT_EQ(section(1, 8, 8), 2u); // SHF_ALLOC only: read-only data.
    EXPECT_EQ(c_string(object, section(1, 24, 8)), path);
    EXPECT_EQ(section(1, 32, 8), path.size() + 1);

    EXPECT_EQ(section(2, 4, 4), 2u); // SHT_SYMTAB
    EXPECT_EQ(section(2, 40, 4), 3u); // sh_link: .strtab
    EXPECT_EQ(section(2, 44, 4), 1u); // sh_info: first global symbol
    EXPECT_EQ(section(2, 56, 8), 24u); // sh_entsize
    EXPECT_EQ(section(2, 32, 8), 48u); // the null symbol and ours
    uint64_t const symbol = section(2, 24, 8) + 24;
    EXPECT_EQ(symbol % 8, 0u);
    EXPECT_EQ(c_string(object, section(3, 24, 8) + field(object, symbol, 4)), "uk_launcher_runner_path");
    EXPECT_EQ(field(object, symbol + 4, 1), 0x11u); // STB_GLOBAL, STT_OBJECT
    EXPECT_EQ(field(object, symbol + 6, 2), 1u); // defined in section 1
    EXPECT_EQ(field(object, symbol + 8, 8), 0u);
    EXPECT_EQ(field(object, symbol + 16, 8), path.size() + 1);
    for (uint64_t index = 1; index < count; ++index)
        EXPECT_LE(section(index, 24, 8) + section(index, 32, 8), section_headers) << index;
}

TEST(RunnerPathObject, LongPathsFit)
{
    std::string const path = "/" + std::string(5000, 'p');
    std::string const object = runner_path_object(path);
    EXPECT_NE(object.find(path + '\0'), std::string::npos);
    EXPECT_EQ(field(object, 40, 8) + 5 * 64, object.size());
}

std::string const k_guide = "/sdk/share/doc/uksdk/porting.md";

TEST(ExplainLinkerLine, ProcessFunctionsGetOneLineThatSaysWhy)
{
    for (char const* symbol : { "fork", "vfork", "execve", "execvp", "execl", "fexecve", "posix_spawn",
             "posix_spawnp", "posix_spawn_file_actions_init", "posix_spawnattr_setflags", "wait", "waitpid",
             "wait4", "waitid", "wordexp", "daemon", "forkpty" }) {
        std::string explained = explain_linker_line(std::string("ld.lld-19: error: undefined symbol: ") + symbol, k_guide);
        EXPECT_EQ(explained,
            std::string("uk-link: error: undefined symbol: ") + symbol
                + ": a unikernel image is one program with no other processes, so its libc has no fork, exec*, "
                  "posix_spawn* or wait*; see /sdk/share/doc/uksdk/porting.md (\"Processes\")");
        EXPECT_EQ(explained.find('\n'), std::string::npos);
    }
}

TEST(ExplainLinkerLine, ColouredDiagnosticsAreRecognised)
{
    EXPECT_EQ(explain_linker_line("ld.lld-19: \x1b[0;1;31merror: \x1b[0mundefined symbol: fork", k_guide).rfind(
                  "uk-link: error: undefined symbol: fork: a unikernel image", 0),
        0u);
}

TEST(ExplainLinkerLine, EverythingElsePassesUnchanged)
{
    for (char const* line : { "ld.lld-19: error: undefined symbol: frobnicate",
             "ld.lld-19: error: undefined symbol: forkbomb", "ld.lld-19: error: undefined symbol: my_fork",
             ">>> referenced by fork.c:5 (/tmp/fork.c:5)", ">>>               /tmp/fork-1.o:(main)",
             "ld.lld-19: warning: undefined symbol: fork", "ld.lld-19: error: duplicate symbol: fork", "",
             "\x1b[0;1;31mcolour\x1b[0m" }) {
        EXPECT_EQ(explain_linker_line(line, k_guide), line);
    }
}

}
}
