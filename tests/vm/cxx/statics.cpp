// SPDX-License-Identifier: MIT
// Start-up and shut-down order: namespace-scope constructors in definition order, function-local
// statics on first use, and at exit the reverse order of completion interleaved with atexit
// handlers. The test compares the whole event log with what the program prints on Linux (see
// CMakeLists.txt). thread_local objects are in thread_local.cpp.
#include <cstdio>
#include <cstdlib>

namespace {

struct Loud {
    const char* name;
    explicit Loud(const char* n)
        : name(n)
    {
        std::printf("construct %s\n", name);
    }
    ~Loud() { std::printf("destroy %s\n", name); }
};

Loud g_first("global 1");
Loud g_second("global 2");
int g_constructions_before_main = 0;

// A namespace-scope object whose constructor depends on one defined earlier in the same file.
struct Dependent {
    int value;
    Dependent()
        : value(g_first.name[0] == 'g' ? 42 : -1)
    {
        ++g_constructions_before_main;
    }
};
Dependent g_dependent;

Loud& function_local()
{
    static Loud instance("function-local static");
    return instance;
}

void at_exit_first() { std::puts("atexit handler 1"); }
void at_exit_second() { std::puts("atexit handler 2"); }
void at_quick_exit_handler()
{
    std::puts("at_quick_exit handler");
    std::fflush(stdout); // quick_exit does not flush stdio.
}

// A local object of a function that calls exit() is not destroyed; statics are.
__attribute__((noinline)) void leave(const char* how)
{
    Loud local("automatic object");
    if (how[0] == 'q') {
        std::fflush(stdout); // quick_exit does not flush stdio.
        std::quick_exit(4);
    }
    std::exit(3);
}

} // namespace

int main(int argc, char** argv)
{
    std::printf("main begins, dependent=%d, constructed before main=%d\n", g_dependent.value,
        g_constructions_before_main);
    std::atexit(at_exit_first);
    function_local();
    function_local();
    std::atexit(at_exit_second);
    std::at_quick_exit(at_quick_exit_handler);
    if (argc > 1)
        leave(argv[1]);
    std::puts("main returns");
    return 0;
}
