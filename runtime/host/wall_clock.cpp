// SPDX-License-Identifier: MIT
// The wall clock for host tests that do not link the runtime's clock (sched/clock.cpp): the
// host's own, so file times look like times.
#include "sched/clock.h"

#include <time.h>

namespace uk::clock {
u64 realtime_ns()
{
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<u64>(ts.tv_sec) * 1'000'000'000 + static_cast<u64>(ts.tv_nsec);
}
} // namespace uk::clock
