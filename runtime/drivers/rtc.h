// SPDX-License-Identifier: MIT
// The CMOS real-time clock: wall-clock time at boot.
#pragma once

#include "lib/types.h"

namespace uk::rtc {
// Seconds since the Unix epoch, or 0 when no RTC answers sensibly.
u64 read_epoch_seconds();
// Days since 1970-01-01 of a proleptic Gregorian date (portable).
i64 days_from_civil(i64 year, unsigned month, unsigned day);
}
