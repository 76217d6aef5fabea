// SPDX-License-Identifier: MIT
// Linux time: the clock ids, TIMER_ABSTIME, and the kernel's struct timespec and struct timeval
// (x86_64 layouts), shared by the clock, thread, file and poll system calls.
#pragma once

#include "lib/types.h"

namespace uk {

enum ClockId : long {
    k_clock_realtime = 0,
    k_clock_monotonic = 1,
    k_clock_process_cputime = 2,
    k_clock_thread_cputime = 3,
    k_clock_monotonic_raw = 4,
    k_clock_realtime_coarse = 5,
    k_clock_monotonic_coarse = 6,
    k_clock_boottime = 7,
    k_clock_realtime_alarm = 8,
    k_clock_boottime_alarm = 9,
    k_clock_tai = 11,
};

// clock_nanosleep's (and timerfd_settime's) flag: the time is absolute.
inline constexpr long k_timer_abstime = 1;

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
