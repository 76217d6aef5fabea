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
    // The runner the image's Linux launcher execs when the image is run as a Linux program
    // (runtime/arch/x86_64/linux_launcher.S). Non-empty: the caller writes
    // runner_path_object(runner_path) to a file and appends that file to `command`.
    std::string runner_path;
};

// Environment variables the translation reads.
inline constexpr std::string_view k_linker_variable = "UKSDK_LLD"; // Linker program (default below).
inline constexpr std::string_view k_verbose_variable = "UKSDK_LINK_VERBOSE"; // Like -v when set, not "0".
// Like -nostdlib++ when set, not "0". clang-19 never forwards -nostdlib++ (nor -nodefaultlibs or
// -nolibc) to a gcc-style link driver, so this variable is how a caller that wants a C++ link
// without libc++ (CMake's checks in the libc++ build itself) reaches it.
inline constexpr std::string_view k_no_cxx_stdlib_variable = "UKSDK_LINK_NOSTDLIBXX";
inline constexpr std::string_view k_default_linker = "ld.lld-19";
// The runner path recorded in images: default <SDK>/bin/uk-run (the SDK doing the link; the tree is
// relocatable, so this is where it is now). Set to another path to record that one, or to the empty
// string to record none (the launcher then looks for uk-run on PATH; the image no longer depends on
// where the SDK was).
inline constexpr std::string_view k_runner_variable = "UKSDK_LINK_RUNNER";

// The symbol the launcher reads the recorded runner path from.
inline constexpr std::string_view k_runner_symbol = "uk_launcher_runner_path";
// Its section: a name of its own, so that it stays findable in the image (llvm-readelf -p).
inline constexpr std::string_view k_runner_section = ".uksdk.runner";

Result translate(Invocation const& invocation);

// `g++`, `c++`, `clang++`, `x86_64-unknown-unikernel-g++`: anything whose basename ends in "++".
Mode mode_from_program_name(std::string_view argv0);

// One line a POSIX shell reads back as the same words (for -v).
std::string shell_quote(std::vector<std::string> const& words);

std::string usage_text();

// An ELF64 x86-64 relocatable object that defines k_runner_symbol as the NUL-terminated `path`
// in an allocated, read-only section k_runner_section. Written by hand: the link driver has no
// assembler to call, and the object is five sections long.
std::string runner_path_object(std::string_view path);

// One line of the linker's stderr, as the user should see it. lld's report of an undefined
// reference to a process-creation function (fork, exec*, posix_spawn*, wait*, ...; libc leaves them
// out on purpose) becomes one uk-link line that says why and points at `porting_guide`; every other
// line comes back unchanged. `line` has no newline and may carry lld's colour escapes.
std::string explain_linker_line(std::string_view line, std::string_view porting_guide);

}
