// SPDX-License-Identifier: MIT
// Descriptions that exist to be waited on: eventfd (a counter), timerfd (a timer's expiries) and
// signalfd (pending signals as records). Each is an ordinary description: read, poll, select and
// epoll see it through readiness() and notify_readiness() like any other.
#pragma once

#include "fs/file_description.h"

namespace uk::fs {

// eventfd2 flags (Linux values; EFD_NONBLOCK and EFD_CLOEXEC are O_NONBLOCK and O_CLOEXEC).
inline constexpr u32 k_efd_semaphore = 1;

// A new eventfd counter starting at `initial`; `flags` may hold EFD_SEMAPHORE and O_NONBLOCK.
Result<FileDescription*> create_eventfd(u64 initial, u32 flags);

enum class TimerClock { Monotonic, Realtime };

// A new, disarmed timerfd; `flags` may hold O_NONBLOCK.
Result<FileDescription*> create_timerfd(TimerClock clock, u32 flags);

struct TimerSetting {
    u64 value_ns;    // Until the next expiry (0: disarmed).
    u64 interval_ns; // Between periodic expiries (0: one-shot).
};

// timerfd_settime: arms (value_ns != 0) or disarms the timer; with `absolute` the value is a time
// on the timer's clock. Returns the previous setting. EINVAL if `file` is not a timerfd.
Result<TimerSetting> set_timer(FileDescription& file, TimerSetting setting, bool absolute);
Result<TimerSetting> get_timer(FileDescription& file);

// A new signalfd reading the signals in `mask` (which the program keeps blocked) as struct
// signalfd_siginfo records; `flags` may hold O_NONBLOCK.
Result<FileDescription*> create_signalfd(u64 mask, u32 flags);
// signalfd4 on an existing signalfd: replaces its mask. EINVAL if `file` is not a signalfd.
Result<void> set_signalfd_mask(FileDescription& file, u64 mask);

}
