// SPDX-License-Identifier: MIT
// VERIFY(): the runtime's check for broken invariants; a failure panics with file and line.
#pragma once

namespace uk {
[[noreturn]] void panic(const char* fmt, ...) noexcept __attribute__((format(printf, 1, 2)));
}

#define VERIFY(cond)                                                                      \
    do {                                                                                  \
        if (!(cond)) [[unlikely]]                                                         \
            ::uk::panic("VERIFY(%s) failed at %s:%d", #cond, __FILE__, __LINE__);         \
    } while (0)

#define VERIFY_NOT_REACHED() ::uk::panic("unreachable code reached at %s:%d", __FILE__, __LINE__)
