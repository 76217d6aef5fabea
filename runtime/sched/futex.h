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

// Priority-inheritance futexes ([futex(2)] FUTEX_LOCK_PI, FUTEX_TRYLOCK_PI, FUTEX_UNLOCK_PI): the word
// holds the owner's tid, FUTEX_WAITERS and FUTEX_OWNER_DIED. Unlocking hands the lock straight
// to the first waiter. With one scheduling class there are no priorities to lend, so inheritance
// itself is a no-op; the protocol is complete.
inline constexpr u32 k_futex_waiters = 0x80000000;
inline constexpr u32 k_futex_owner_died = 0x40000000;
inline constexpr u32 k_futex_tid_mask = 0x3fffffff;
// Takes the lock at `address` for the current thread, waiting until the deadline (0: none).
// EDEADLK if the caller owns it; ETIMEDOUT; EINTR.
Result<void> futex_lock_pi(u64 address, u64 deadline_ns);
// EAGAIN when another thread owns it.
Result<void> futex_trylock_pi(u64 address);
// EPERM unless the caller owns it.
Result<void> futex_unlock_pi(u64 address);

// A thread that exits still owning priority-inheritance futexes (not on its robust list): each one
// gets FUTEX_OWNER_DIED and its first waiter is woken to take it over, as Linux's
// exit_pi_state_list does. Interrupts disabled.
void release_pi_futexes_locked(int tid);

// The kernel's robust-list walk for a thread that exits ([set_robust_list(2)]): every futex the
// thread still owns gets FUTEX_OWNER_DIED and one waiter is woken.
void release_robust_futexes(u64 list_head, int tid);

}
