// SPDX-License-Identifier: MIT
// Time: a monotonic clock from the TSC and the wall clock from the RTC at boot. Reading either
// never leaves the guest.
#pragma once

#include "lib/types.h"

namespace uk::clock {

void init(u64 boot_tsc);
u64 monotonic_ns();
u64 realtime_ns();
void set_realtime_ns(u64 ns);
u64 tsc_hz();
// Nanoseconds from the first instruction of the image to now.
u64 since_entry_ns();
const char* tsc_source();

}
