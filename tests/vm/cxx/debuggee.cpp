// SPDX-License-Identifier: MIT
// The program the debugger test (gdb_session.py) stops in: report() receives the value of
// compute()'s local, so a breakpoint in report() sees both in the backtrace.
#include <cstdio>

namespace demo {

volatile int g_sink;

__attribute__((noinline)) void report(int value) { g_sink = value; }

__attribute__((noinline)) int compute(int n)
{
    int local = n * 6;
    report(local);
    return local + 1;
}

} // namespace demo

int main(int argc, char**)
{
    int result = demo::compute(argc + 6); // No arguments: argc is 1, so local is 42.
    std::printf("result %d\n", result);
    return result == 43 ? 0 : 1;
}
