// SPDX-License-Identifier: MIT
// Futex wait queues: one list of sleeping threads per hash bucket of the word's address.
#include "sched/futex.h"

#include "arch/arch.h"
#include "lib/errno.h"
#include "sched/scheduler.h"

namespace uk::sched {

namespace {

constexpr size_t k_buckets = 64;
IntrusiveList<Thread> g_buckets[k_buckets];

IntrusiveList<Thread>& bucket(u64 address) { return g_buckets[(address >> 2) % k_buckets]; }

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
    self.futex_address = address;
    self.futex_bitset = bitset;
    WaitResult result = block_current_locked(bucket(address), deadline_ns);
    self.futex_address = 0;
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
    bucket(address).for_each([&](Thread& t) {
        if (woken < count && t.futex_address == address && (t.futex_bitset & bitset)) {
            wake_locked(t);
            ++woken;
        }
    });
    return woken;
}

Result<long> futex_requeue(u64 address, int wake, int requeue, u64 target)
{
    arch::InterruptGuard guard;
    long woken = 0, moved = 0;
    IntrusiveList<Thread>& from = bucket(address);
    IntrusiveList<Thread>& to = bucket(target);
    from.for_each([&](Thread& t) {
        if (t.futex_address != address)
            return;
        if (woken < wake) {
            wake_locked(t);
            ++woken;
        } else if (moved < requeue) {
            t.futex_address = target;
            if (&from != &to) {
                IntrusiveList<Thread>::remove(t);
                to.push_back(t);
                t.sleeping_on = &to;
            }
            ++moved;
        }
    });
    return woken + moved;
}

}
