// SPDX-License-Identifier: MIT
// thread_local objects with a non-trivial constructor and destructor: built on first use, once per
// thread, destroyed when their thread ends; the main thread's at exit, before any static destructor
// or atexit handler (glibc's order: exit() runs them first). The test compares the whole event log
// with what the program prints on Linux (see CMakeLists.txt).
#include <cstdio>
#include <cstdlib>
#include <thread>

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

Loud g_global("global");

int g_constructions = 0;
struct PerThread {
    Loud loud;
    int uses = 0;
    explicit PerThread(const char* name)
        : loud(name)
    {
        ++g_constructions;
    }
};
thread_local PerThread t_first("thread_local 1");
thread_local PerThread t_second("thread_local 2");

Loud& function_local()
{
    static Loud instance("function-local static");
    return instance;
}

void at_exit_handler() { std::puts("atexit handler"); }

} // namespace

int main()
{
    std::printf("main begins, constructions=%d\n", g_constructions);
    ++t_first.uses;
    ++t_first.uses;
    std::printf("after two uses of thread_local 1: constructions=%d uses=%d\n", g_constructions, t_first.uses);
    ++t_second.uses;
    std::printf("after a use of thread_local 2: constructions=%d\n", g_constructions);

    // Another thread has its own instance, destroyed when it ends, before join() returns.
    std::thread worker([] {
        t_first.loud.name = "worker's thread_local 1";
        t_first.uses = 100;
        std::printf("worker: uses=%d\n", t_first.uses);
    });
    worker.join();
    std::printf("worker joined: constructions=%d, main's uses=%d\n", g_constructions, t_first.uses);

    // Registered after the thread_locals were built; glibc still destroys those first.
    function_local();
    std::atexit(at_exit_handler);
    std::puts("main returns");
    return 0;
}
