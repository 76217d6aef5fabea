// SPDX-License-Identifier: MIT
// Crashes in C++ code, chosen by argv[1]: the runtime's report names the C++ functions (demangled,
// with file:line: the test is built with -g) like it does C functions.
#undef NDEBUG // assert() must stay in release builds of this test.
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace app {

template <class T>
struct Table {
    T* rows = nullptr;
    __attribute__((noinline)) T read(int index) const { return rows[index]; }
};

struct Engine {
    __attribute__((noinline)) void stop(const std::string& reason)
    {
        if (reason == "abort")
            std::abort();
        assert(reason == "a reason that never comes");
    }
};

} // namespace app

int main(int argc, char** argv)
{
    std::string what = argc > 1 ? argv[1] : "";
    int result = 0;
    if (what == "null") {
        app::Table<long> table;
        result = static_cast<int>(table.read(0));
    }
    if (what == "abort" || what == "assert")
        app::Engine().stop(what);
    // Printed so that the calls above are not tail calls: main must appear in backtraces.
    std::printf("unknown crash kind '%s' (result %d)\n", what.c_str(), result);
    return 2;
}
