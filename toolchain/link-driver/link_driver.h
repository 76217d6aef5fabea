// SPDX-License-Identifier: MIT
// The link driver's argument translation: gcc-style link arguments, as clang-19's Generic_ELF
// toolchain passes them to `gcc`/`g++`, become one ld.lld-19 command line for a unikernel image.
//
// Everything here is pure (no I/O, no process state): main.cpp supplies the arguments, the SDK
// root and an environment lookup, then runs what comes back. That keeps every rule unit-testable.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uk::link {

// C++ mode adds libc++, libc++abi and libunwind to the default libraries (unless -nostdlib++).
enum class Mode {
    C,
    Cxx,
};

using EnvironmentLookup = std::function<std::optional<std::string>(std::string_view name)>;

struct Invocation {
    std::vector<std::string> arguments; // argv[1...].
    Mode mode = Mode::C;
    std::string sdk_root; // The installed tree: <sdk_root>/sysroot holds the libraries.
    EnvironmentLookup environment; // May be empty: then no variable is set.
};

enum class Action {
    Link,      // Run `command` (print it first when `verbose`).
    PrintHelp, // Print `message` to stdout, exit 0.
    Fail,      // Print `message` to stderr, exit 1, run nothing.
};

struct Result {
    Action action = Action::Fail;
    std::string message; // The usage text, or an error starting with "uk-link: error: ".
    std::vector<std::string> command; // command[0] is the linker's name or path, not yet resolved.
    bool verbose = false;
};

// Environment variables the translation reads.
inline constexpr std::string_view k_linker_variable = "UKSDK_LLD"; // Linker program (default below).
inline constexpr std::string_view k_verbose_variable = "UKSDK_LINK_VERBOSE"; // Like -v when set, not "0".
// Like -nostdlib++ when set, not "0". clang-19 never forwards -nostdlib++ (nor -nodefaultlibs or
// -nolibc) to a gcc-style link driver, so this variable is how a caller that wants a C++ link
// without libc++ (CMake's checks in the libc++ build itself) reaches it.
inline constexpr std::string_view k_no_cxx_stdlib_variable = "UKSDK_LINK_NOSTDLIBXX";
inline constexpr std::string_view k_default_linker = "ld.lld-19";

Result translate(Invocation const& invocation);

// `g++`, `c++`, `clang++`, `x86_64-unknown-unikernel-g++`: anything whose basename ends in "++".
Mode mode_from_program_name(std::string_view argv0);

// One line a POSIX shell reads back as the same words (for -v).
std::string shell_quote(std::vector<std::string> const& words);

std::string usage_text();

}
