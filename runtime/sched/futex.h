// SPDX-License-Identifier: MIT
// Futexes: threads waiting on a 32-bit word, woken by address. [futex(2)]
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace uk::sched {

// Sleeps while *address == expected, until woken, the deadline (ETIMEDOUT), a mismatch (EAGAIN),
// a signal (EINTR), or no other thread could ever wake it (EDEADLK). Only wakes whose bitset
// intersects `bitset` apply.
Result<void> futex_wait(u64 address, u32 expected, u64 deadline_ns, u32 bitset);
// Wakes up to `count` waiters on `address` (matching `bitset`); returns how many.
Result<long> futex_wake(u64 address, int count, u32 bitset);
// Wakes up to `wake` waiters on `address` and moves up to `requeue` others to `target`.
Result<long> futex_requeue(u64 address, int wake, int requeue, u64 target);

}
