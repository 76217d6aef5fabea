// SPDX-License-Identifier: MIT
// Futex wait queues: one list of sleeping threads per hash bucket of the word's address.
#include "sched/futex.h"

#include "arch/arch.h"
#include "lib/errno.h"
#include "sched/scheduler.h"

namespace uk::sched {

namespace {

constexpr size_t k_buckets = 64;
// Each bucket is a queue of waiters on any word whose address hashes there.
WaitQueue g_buckets[k_buckets];

WaitQueue& bucket(u64 address) { return g_buckets[(address >> 2) % k_buckets]; }

}

Result<void> futex_wait(u64 address, u32 expected, u64 deadline_ns, u32 bitset)
{
    if (bitset == 0)
        return error(EINVAL);
    arch::InterruptGuard guard;
    // Checked with interrupts off: no wake can slip in between the check and the sleep.
    if (*reinterpret_cast<volatile u32*>(address) != expected)
        return error(EAGAIN);
    Thread& self = current_thread();
    Waiter waiter;
    waiter.thread = &self;
    waiter.key = address;
    waiter.bitset = bitset;
    self.wake_pending = false;
    bucket(address).add_locked(waiter);
    WaitResult result = block_current_locked(deadline_ns, WakeSource::ProgramThreads);
    // A requeue may have moved the waiter to another bucket: remove it from wherever it is.
    WaitQueue::remove_locked(waiter);
    if (result == WaitResult::TimedOut)
        return error(ETIMEDOUT);
    if (result == WaitResult::Deadlock)
        return error(EDEADLK);
    if (result == WaitResult::Interrupted)
        return error(EINTR);
    return {};
}

Result<long> futex_wake(u64 address, int count, u32 bitset)
{
    if (bitset == 0)
        return error(EINVAL);
    arch::InterruptGuard guard;
    long woken = 0;
    bucket(address).for_each_locked([&](Waiter& w) {
        if (woken < count && w.key == address && (w.bitset & bitset)) {
            WaitQueue::wake_locked(w);
            ++woken;
        }
    });
    return woken;
}

Result<long> futex_requeue(u64 address, int wake, int requeue, u64 target)
{
    arch::InterruptGuard guard;
    long woken = 0, moved = 0;
    WaitQueue& from = bucket(address);
    WaitQueue& to = bucket(target);
    from.for_each_locked([&](Waiter& w) {
        if (w.key != address)
            return;
        if (woken < wake) {
            WaitQueue::wake_locked(w);
            ++woken;
        } else if (moved < requeue) {
            w.key = target;
            if (&from != &to)
                to.move_locked(w);
            ++moved;
        }
    });
    return woken + moved;
}

}
