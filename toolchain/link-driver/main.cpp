// SPDX-License-Identifier: MIT
// uk-link, installed as <SDK>/libexec/uksdk/gcc and g++: finds the SDK and the linker, then runs
// the ld.lld-19 command that link_driver.cpp builds and returns its exit status.
#include "link_driver.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <spawn.h>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace {

constexpr char const* k_error_prefix = "uk-link: error: ";

std::string parent_directory(std::string const& path)
{
    auto slash = path.rfind('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

// The tree is relocatable: the SDK root is wherever this program sits, two levels above
// libexec/uksdk/. realpath() resolves the gcc/g++ links to the real file first.
std::optional<std::string> find_sdk_root()
{
    char* executable = realpath("/proc/self/exe", nullptr);
    if (!executable) {
        std::fprintf(stderr, "%scannot resolve /proc/self/exe: %s\n", k_error_prefix, std::strerror(errno));
        return std::nullopt;
    }
    std::string root = executable;
    std::free(executable);
    for (int i = 0; i < 3; ++i)
        root = parent_directory(root);
    return root;
}

bool is_executable_file(std::string const& path)
{
    struct stat status;
    return stat(path.c_str(), &status) == 0 && S_ISREG(status.st_mode) && access(path.c_str(), X_OK) == 0;
}

// A name with a slash is used as it is; otherwise it is searched on PATH, like execvp() does.
std::optional<std::string> find_program(std::string const& name)
{
    if (name.find('/') != std::string::npos)
        return is_executable_file(name) ? std::optional(name) : std::nullopt;
    char const* path = std::getenv("PATH");
    std::string directories = path ? path : "/usr/local/bin:/usr/bin:/bin";
    size_t start = 0;
    while (start <= directories.size()) {
        size_t end = directories.find(':', start);
        if (end == std::string::npos)
            end = directories.size();
        std::string directory = directories.substr(start, end - start);
        std::string candidate = (directory.empty() ? std::string(".") : directory) + "/" + name;
        if (is_executable_file(candidate))
            return candidate;
        start = end + 1;
    }
    return std::nullopt;
}

int run(std::vector<std::string> const& command)
{
    std::vector<char*> argv;
    for (auto const& word : command)
        argv.push_back(const_cast<char*>(word.c_str()));
    argv.push_back(nullptr);

    pid_t pid;
    int error = posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ);
    if (error != 0) {
        std::fprintf(stderr, "%scannot run %s: %s\n", k_error_prefix, argv[0], std::strerror(error));
        return 1;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            std::fprintf(stderr, "%swaiting for %s: %s\n", k_error_prefix, argv[0], std::strerror(errno));
            return 1;
        }
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    int signal_number = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    std::fprintf(stderr, "%s%s was killed by signal %d\n", k_error_prefix, argv[0], signal_number);
    return 128 + signal_number;
}

}

int main(int argc, char** argv)
{
    using namespace uk::link;

    auto sdk_root = find_sdk_root();
    if (!sdk_root)
        return 1;

    Invocation invocation;
    invocation.arguments.assign(argv + 1, argv + argc);
    invocation.mode = mode_from_program_name(argc > 0 ? argv[0] : "");
    invocation.sdk_root = *sdk_root;
    invocation.environment = [](std::string_view name) -> std::optional<std::string> {
        char const* value = std::getenv(std::string(name).c_str());
        return value ? std::optional<std::string>(value) : std::nullopt;
    };

    Result result = translate(invocation);
    switch (result.action) {
    case Action::PrintHelp:
        std::fputs(result.message.c_str(), stdout);
        return 0;
    case Action::Fail:
        std::fprintf(stderr, "%s\n", result.message.c_str());
        return 1;
    case Action::Link:
        break;
    }

    auto linker = find_program(result.command[0]);
    if (!linker) {
        std::string variable(k_linker_variable);
        if (char const* value = std::getenv(variable.c_str()); value && *value)
            std::fprintf(stderr, "%s%s names '%s', which is not an executable program: fix or unset %s\n",
                k_error_prefix, variable.c_str(), result.command[0].c_str(), variable.c_str());
        else
            std::fprintf(stderr,
                "%scannot find the linker '%s' on PATH: install lld-19 (apt-get install lld-19) or set "
                "%s to its path\n",
                k_error_prefix, result.command[0].c_str(), variable.c_str());
        return 1;
    }
    result.command[0] = *linker;
    if (result.verbose)
        std::fprintf(stderr, "%s\n", shell_quote(result.command).c_str());
    std::fflush(nullptr);
    return run(result.command);
}
