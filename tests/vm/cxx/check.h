// SPDX-License-Identifier: MIT
// Self-checking for the C++ vm tests: CHECK/CHECK_EQ print each failure with its line, and
// finish() prints "<name> ok" (exit 0) or "<name> FAILED" (exit 1). The CMake tests expect the
// "ok" line and reject any "FAIL" line, so a failure names itself in the test's output.
#pragma once
#include <iostream>

inline int g_failures = 0;

template <class A, class B>
void check_eq(const A& got, const B& expected, const char* text, int line)
{
    if (got == expected)
        return;
    std::cout << "FAIL line " << line << ": " << text << ": got [" << got << "], expected [" << expected << "]"
              << std::endl;
    ++g_failures;
}

inline void check(bool ok, const char* text, int line)
{
    if (ok)
        return;
    std::cout << "FAIL line " << line << ": " << text << std::endl;
    ++g_failures;
}

#define CHECK(cond) check(static_cast<bool>(cond), #cond, __LINE__)
#define CHECK_EQ(got, expected) check_eq((got), (expected), #got " == " #expected, __LINE__)

inline int finish(const char* name)
{
    std::cout << name << (g_failures ? " FAILED" : " ok") << std::endl;
    return g_failures ? 1 : 0;
}
