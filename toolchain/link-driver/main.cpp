// SPDX-License-Identifier: MIT
// uk-link, installed as <SDK>/libexec/uksdk/gcc and g++: finds the SDK and the linker, then runs
// the ld.lld-19 command that link_driver.cpp builds (with the recorded runner path as a temporary
// object) and returns its exit status, relaying the linker's diagnostics.
#include "link_driver.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <spawn.h>
#include <string>
#include <string_view>
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

void write_all(int fd, std::string_view data)
{
    while (!data.empty()) {
        ssize_t n = write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; // Nowhere left to report it.
        data.remove_prefix(static_cast<size_t>(n));
    }
}

// Copies the linker's stderr from `fd` to ours line by line, explaining the undefined references
// that libc leaves out on purpose (uk::link::explain_linker_line).
void relay_diagnostics(int fd, std::string const& porting_guide)
{
    std::string pending;
    char buffer[4096];
    while (true) {
        ssize_t n = read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        pending.append(buffer, static_cast<size_t>(n));
        size_t newline;
        while ((newline = pending.find('\n')) != std::string::npos) {
            write_all(STDERR_FILENO,
                uk::link::explain_linker_line(std::string_view(pending).substr(0, newline), porting_guide) + "\n");
            pending.erase(0, newline + 1);
        }
    }
    if (!pending.empty())
        write_all(STDERR_FILENO, uk::link::explain_linker_line(pending, porting_guide));
}

// The temporary file's path for the signal handler below: it must not stay behind when the link
// is interrupted (Ctrl-C reaches the whole process group, this driver included).
char g_temporary_path[4096];

extern "C" void remove_temporary_and_die(int signal_number)
{
    if (g_temporary_path[0])
        unlink(g_temporary_path); // Async-signal-safe, like the rest of this handler.
    signal(signal_number, SIG_DFL);
    raise(signal_number);
}

// A file under $TMPDIR (default /tmp) that lives as long as this object, like the temporary
// objects a compiler driver passes to the linker. One at a time.
class TemporaryFile {
public:
    // An object with an empty path() if the file could not be made (the reason is on stderr).
    static TemporaryFile create(std::string const& contents)
    {
        char const* directory = std::getenv("TMPDIR");
        std::string path = std::string(directory && *directory ? directory : "/tmp") + "/uk-runner-XXXXXX.o";
        int fd = mkstemps(path.data(), 2);
        if (fd < 0) {
            std::fprintf(stderr, "%scannot create a temporary file %s: %s\n", k_error_prefix, path.c_str(),
                std::strerror(errno));
            return TemporaryFile(std::string());
        }
        TemporaryFile file(path);
        if (path.size() < sizeof g_temporary_path) {
            std::memcpy(g_temporary_path, path.c_str(), path.size() + 1);
            // A signal the caller ignores (SIGINT for a background job) stays ignored, here and
            // in the linker.
            for (int signal_number : { SIGINT, SIGTERM, SIGHUP }) {
                if (signal(signal_number, remove_temporary_and_die) == SIG_IGN)
                    signal(signal_number, SIG_IGN);
            }
        }
        bool written = true;
        std::string_view data = contents;
        while (!data.empty() && written) {
            ssize_t n = write(fd, data.data(), data.size());
            if (n < 0 && errno == EINTR)
                continue;
            written = n > 0;
            if (written)
                data.remove_prefix(static_cast<size_t>(n));
        }
        if (close(fd) != 0 || !written) {
            std::fprintf(stderr, "%scannot write %s: %s\n", k_error_prefix, path.c_str(), std::strerror(errno));
            return TemporaryFile(std::string());
        }
        return file;
    }

    TemporaryFile(TemporaryFile&& other) noexcept
        : m_path(std::move(other.m_path))
    {
        other.m_path.clear();
    }
    TemporaryFile(TemporaryFile const&) = delete;
    TemporaryFile& operator=(TemporaryFile const&) = delete;
    TemporaryFile& operator=(TemporaryFile&&) = delete;
    ~TemporaryFile()
    {
        if (m_path.empty())
            return;
        unlink(m_path.c_str());
        g_temporary_path[0] = 0;
    }

    std::string const& path() const { return m_path; }

private:
    explicit TemporaryFile(std::string path)
        : m_path(std::move(path))
    {
    }

    std::string m_path;
};

int run(std::vector<std::string> const& command, std::string const& porting_guide)
{
    std::vector<char*> argv;
    for (auto const& word : command)
        argv.push_back(const_cast<char*>(word.c_str()));
    argv.push_back(nullptr);

    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
        std::fprintf(stderr, "%scannot create a pipe: %s\n", k_error_prefix, std::strerror(errno));
        return 1;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
    pid_t pid;
    int error = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_fds[1]);
    if (error != 0) {
        close(pipe_fds[0]);
        std::fprintf(stderr, "%scannot run %s: %s\n", k_error_prefix, argv[0], std::strerror(error));
        return 1;
    }
    relay_diagnostics(pipe_fds[0], porting_guide);
    close(pipe_fds[0]);
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
    // lld's stderr goes through a pipe (relay_diagnostics): keep its colours for a terminal. A
    // colour option of the user's comes later on the command line and wins.
    if (isatty(STDERR_FILENO))
        result.command.insert(result.command.begin() + 1, "--color-diagnostics");

    std::optional<TemporaryFile> runner_object;
    if (!result.runner_path.empty()) {
        runner_object.emplace(TemporaryFile::create(runner_path_object(result.runner_path)));
        if (runner_object->path().empty())
            return 1;
        result.command.push_back(runner_object->path());
    }
    if (result.verbose)
        std::fprintf(stderr, "%s\n", shell_quote(result.command).c_str());
    std::fflush(nullptr);
    return run(result.command, *sdk_root + "/share/doc/uksdk/porting.md");
}
