// SPDX-License-Identifier: MIT
// Time: a monotonic clock from the TSC and a wall clock offset from it (boot sets it from the
// RTC). Reading either never leaves the guest.
#pragma once

#include "arch/arch.h"
#include "lib/types.h"

namespace uk::clock {

// What the inline readers below use (sched/clock.cpp keeps it up to date). Inline because a
// clock read is a hot path (clock_gettime without a system call, every timestamp the scheduler
// takes): under TCG each call and return costs a translation-block lookup, which is most of a
// read's cost.
namespace detail {
// How TSC values become monotonic time. Readers run anywhere (the timer interrupt replaces the
// scale once, when the refinement ends), so a scale is never changed in place: the new one is
// written whole into the other slot and then published by one pointer store, and a reader that
// took the old pointer still computes a consistent time.
struct Scale {
    u64 hz;
    u64 mult;      // Nanoseconds per tick, in 32.32 fixed point.
    u64 start_tsc; // TSC when the monotonic clock read base_ns.
    u64 base_ns;
};
extern Scale g_scales[2];
extern const Scale* g_scale;
extern u64 g_realtime_at_start_ns;

[[gnu::always_inline]] inline u64 to_ns(u64 ticks, const Scale& s)
{
    return static_cast<u64>((static_cast<unsigned __int128>(ticks) * s.mult) >> 32);
}
[[gnu::always_inline]] inline u64 monotonic_at(u64 tsc, const Scale& s) { return s.base_ns + to_ns(tsc - s.start_tsc, s); }
}

// The TSC is read before the scale: if the refinement publishes a new scale in between, the value
// predates its start and the old scale (slot 0, never changed after publication) still applies.
// Taking the scale first could compute a TSC value from after the refinement with the old rate,
// ahead of what the next reading gives: time would run backwards.
[[gnu::always_inline]] inline u64 monotonic_ns()
{
    u64 tsc = arch::read_timestamp();
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    const detail::Scale* s = __atomic_load_n(&detail::g_scale, __ATOMIC_ACQUIRE);
    if (s != &detail::g_scales[0] && tsc < s->start_tsc)
        s = &detail::g_scales[0];
    return detail::monotonic_at(tsc, *s);
}
u64 realtime_ns();
// realtime_ns() - monotonic_ns().
[[gnu::always_inline]] inline u64 realtime_offset_ns() { return detail::g_realtime_at_start_ns; }

// Calibration starts early in boot and finishes just before the program starts; the clocks
// are usable after finish_calibration().
void start_calibration(u64 boot_tsc);
void finish_calibration();
// Boot calls this between its steps: each PIT reading keeps the measurement window going, which
// the PIT's 55 ms period would otherwise cut short when boot is slow (a loaded host), and the
// finish would have to measure afresh.
void calibration_checkpoint();
void set_realtime_ns(u64 ns);
u64 tsc_hz();
// The TSC value at which the monotonic clock reads `ns`.
u64 tsc_at_monotonic_ns(u64 ns);
// Nanoseconds from the first instruction of the image to now.
u64 since_entry_ns();
// While the TSC frequency is still being refined after boot, the timer interrupt must come at
// least every 20 ms and call refine_calibration().
bool refining();
void refine_calibration();
const char* tsc_source();

}
