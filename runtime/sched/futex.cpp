// SPDX-License-Identifier: MIT
// Futex wait queues: one list of sleeping threads per hash bucket of the word's address, under the
// SchedulerLock (futex calls do not take the RuntimeLock). The word is program memory, which must
// not fault under that lock (docs/architecture.md): each call touches it first, so that it is
// present by the time the lock is held.
#include "sched/futex.h"

#include "arch/arch.h"
#include "lib/errno.h"
#include "sched/locks.h"
#include "sched/scheduler.h"

namespace uk::sched {

namespace {

constexpr size_t k_buckets = 64;
// Each bucket is a queue of waiters on any word whose address hashes there.
WaitQueue g_buckets[k_buckets];

WaitQueue& bucket(u64 address) { return g_buckets[(address >> 2) % k_buckets]; }

// Makes the word's page present (and writable, for the calls that change the word) before the
// SchedulerLock is taken: a fault here is the program's (SIGSEGV), as it would be on Linux.
void touch(u64 address) { (void)*reinterpret_cast<volatile u32*>(address); }
void touch_for_write(u64 address) { __atomic_fetch_or(reinterpret_cast<u32*>(address), 0u, __ATOMIC_RELAXED); }

}

Result<void> futex_wait(u64 address, u32 expected, u64 deadline_ns, u32 bitset)
{
    if (bitset == 0)
        return error(EINVAL);
    touch(address);
    sched::SchedulerGuard guard;
    // Checked under the lock: no wake can slip in between the check and the sleep.
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
    sched::SchedulerGuard guard;
    long woken = 0;
    bucket(address).for_each_locked([&](Waiter& w) {
        if (woken < count && w.key == address && (w.bitset & bitset)) { // PI waiters have no bits.
            WaitQueue::wake_locked(w);
            ++woken;
        }
    });
    return woken;
}

namespace {

volatile u32& word(u64 address) { return *reinterpret_cast<volatile u32*>(address); }

bool owner_alive(u32 tid)
{
    Thread* owner = find_thread(static_cast<int>(tid));
    return owner && owner->state != ThreadState::Dead;
}

// PI waiters carry this in their bitset so that plain FUTEX_WAKE never wakes them.
constexpr u32 k_pi_waiter = 0;
// How many wait in futex_lock_pi (under the SchedulerLock): every thread's exit looks for the PI
// locks it held only when some thread waits for one (release_pi_futexes_locked).
size_t g_pi_waiters;

// Tries to take the lock now; true if taken. Otherwise, with `mark_waiters`, sets FUTEX_WAITERS
// so that the owner's unlock comes to the runtime. Both decisions are compare-and-swaps against
// the same reading of the word: the owner may unlock in program code (no runtime, no lock) at any
// moment, and a mark set on a lock that had just become free would leave its waiter asleep with
// nobody to hand the lock over. Interrupts disabled.
Result<bool> try_take_pi_locked(u64 address, int tid, bool mark_waiters)
{
    volatile u32& value = word(address);
    for (;;) {
        u32 seen = value;
        u32 owner = seen & k_futex_tid_mask;
        if (owner == static_cast<u32>(tid))
            return error(EDEADLK);
        if (owner != 0 && owner_alive(owner)) {
            if (!mark_waiters || (seen & k_futex_waiters)
                || __atomic_compare_exchange_n(&value, &seen, seen | k_futex_waiters, false, __ATOMIC_ACQ_REL,
                    __ATOMIC_ACQUIRE))
                return false;
            continue; // The word changed (an unlock, another waiter's mark): decide again.
        }
        // Free, or its owner is gone without releasing it: take it, telling the new owner (musl
        // turns FUTEX_OWNER_DIED into EOWNERDEAD) when the previous one died holding it.
        u32 next = static_cast<u32>(tid) | (seen & k_futex_waiters) | (owner ? k_futex_owner_died : seen & k_futex_owner_died);
        if (__atomic_compare_exchange_n(&value, &seen, next, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            return true;
    }
}

} // namespace

Result<void> futex_lock_pi(u64 address, u64 deadline_ns)
{
    touch_for_write(address);
    sched::SchedulerGuard guard;
    Thread& self = current_thread();
    for (;;) {
        if (TRY(try_take_pi_locked(address, self.tid, true)))
            return {};
        // Owned, and now marked as having waiters: wait for the owner's unlock to hand it over.
        Waiter waiter;
        waiter.thread = &self;
        waiter.key = address;
        waiter.bitset = k_pi_waiter;
        self.wake_pending = false;
        bucket(address).add_locked(waiter);
        ++g_pi_waiters;
        WaitResult result = block_current_locked(deadline_ns, WakeSource::ProgramThreads);
        WaitQueue::remove_locked(waiter);
        --g_pi_waiters;
        if ((word(address) & k_futex_tid_mask) == static_cast<u32>(self.tid))
            return {}; // Handed over.
        if (result == WaitResult::TimedOut)
            return error(ETIMEDOUT);
        if (result == WaitResult::Interrupted)
            return error(EINTR);
        if (result == WaitResult::Deadlock)
            return error(EDEADLK);
    }
}

Result<void> futex_trylock_pi(u64 address)
{
    touch_for_write(address);
    sched::SchedulerGuard guard;
    if (TRY(try_take_pi_locked(address, current_thread().tid, false)))
        return {};
    return error(EAGAIN);
}

Result<void> futex_unlock_pi(u64 address)
{
    touch_for_write(address);
    sched::SchedulerGuard guard;
    Thread& self = current_thread();
    volatile u32& value = word(address);
    if ((value & k_futex_tid_mask) != static_cast<u32>(self.tid))
        return error(EPERM);
    Waiter* first = nullptr;
    bool more = false;
    bucket(address).for_each_locked([&](Waiter& w) {
        if (w.key != address || w.bitset != k_pi_waiter)
            return;
        if (!first)
            first = &w;
        else
            more = true;
    });
    if (!first) {
        __atomic_store_n(&value, 0u, __ATOMIC_RELEASE);
        return {};
    }
    // Hand the lock to the first waiter; FUTEX_WAITERS stays while others wait.
    __atomic_store_n(&value, static_cast<u32>(first->thread->tid) | (more ? k_futex_waiters : 0u), __ATOMIC_RELEASE);
    WaitQueue::wake_locked(*first);
    return {};
}

void release_pi_futexes_locked(int tid)
{
    if (g_pi_waiters == 0)
        return; // Nobody to hand a lock to (a scan of every bucket, at each exit, otherwise).
    for (WaitQueue& queue : g_buckets) {
        queue.for_each_locked([&](Waiter& w) {
            if (w.bitset != k_pi_waiter || !arch::is_mapped(w.key, true))
                return;
            volatile u32& value = word(w.key);
            u32 seen = value;
            if ((seen & k_futex_tid_mask) != static_cast<u32>(tid))
                return;
            // Mark it and wake the waiter, which takes the lock over from the dead owner.
            if (__atomic_compare_exchange_n(&value, &seen, seen | k_futex_owner_died, false, __ATOMIC_ACQ_REL,
                    __ATOMIC_ACQUIRE)
                || (seen & k_futex_owner_died))
                WaitQueue::wake_locked(w);
        });
    }
}

void release_robust_futexes(u64 list_head, int tid)
{
    // struct robust_list_head { struct robust_list *next; long futex_offset; struct robust_list
    // *list_op_pending; }. Walked with a bound, as Linux does (ROBUST_LIST_LIMIT), so a corrupt or
    // circular list cannot hang the exit.
    constexpr int k_limit = 2048;
    auto readable = [](u64 a, u64 n) { return a && a % 8 == 0 && arch::is_mapped(a) && arch::is_mapped(a + n - 1); };
    if (!readable(list_head, 24))
        return;
    const u64* head = reinterpret_cast<const u64*>(list_head);
    i64 offset = static_cast<i64>(head[1]);
    auto release = [&](u64 entry) {
        u64 address = entry + static_cast<u64>(offset);
        if (address % 4 || !arch::is_mapped(address, true))
            return;
        volatile u32& value = word(address);
        u32 seen = value;
        if ((seen & k_futex_tid_mask) != static_cast<u32>(tid))
            return;
        u32 next = (seen & k_futex_waiters) | k_futex_owner_died;
        if (!__atomic_compare_exchange_n(&value, &seen, next, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            return;
        if (seen & k_futex_waiters) {
            (void)futex_wake(address, 1, 0xffffffff);
            // A PI waiter takes the lock over when it finds the owner dead.
            sched::SchedulerGuard guard;
            bucket(address).for_each_locked([&](Waiter& w) {
                if (w.key == address && w.bitset == k_pi_waiter)
                    WaitQueue::wake_locked(w);
            });
        }
    };
    u64 entry = head[0];
    for (int n = 0; n < k_limit && entry != list_head && readable(entry, 8); ++n) {
        u64 next = *reinterpret_cast<const u64*>(entry);
        if (entry != head[2])
            release(entry);
        entry = next;
    }
    if (head[2])
        release(head[2]);
}

Result<long> futex_requeue(u64 address, int wake, int requeue, u64 target)
{
    sched::SchedulerGuard guard;
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
