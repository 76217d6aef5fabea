// SPDX-License-Identifier: MIT
// The kernel's struct timespec and struct timeval (x86_64 layouts), shared by the clock, thread,
// file and poll system calls.
#pragma once

#include "lib/types.h"

namespace uk {

struct Timespec {
    i64 seconds;
    i64 nanoseconds;

    bool is_valid() const { return seconds >= 0 && nanoseconds >= 0 && nanoseconds < 1'000'000'000; }
    u64 to_ns() const { return static_cast<u64>(seconds) * 1'000'000'000 + static_cast<u64>(nanoseconds); }
    static Timespec from_ns(u64 ns)
    {
        return { static_cast<i64>(ns / 1'000'000'000), static_cast<i64>(ns % 1'000'000'000) };
    }
};
static_assert(sizeof(Timespec) == 16);

struct Timeval {
    i64 seconds;
    i64 microseconds;
};
static_assert(sizeof(Timeval) == 16);

}
