// SPDX-License-Identifier: MIT
// Time: a monotonic clock from the TSC and a wall clock offset from it (boot sets it from the
// RTC). Reading either never leaves the guest.
#pragma once

#include "lib/types.h"

namespace uk::clock {

// Calibration starts early in boot and finishes just before the program starts; the clocks
// are usable after finish_calibration().
void start_calibration(u64 boot_tsc);
void finish_calibration();
// Boot calls this between its steps: each PIT reading keeps the measurement window going, which
// the PIT's 55 ms period would otherwise cut short when boot is slow (a loaded host), and the
// finish would have to measure afresh.
void calibration_checkpoint();
u64 monotonic_ns();
u64 realtime_ns();
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
