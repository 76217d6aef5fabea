// SPDX-License-Identifier: MIT
// Waiting: WaitQueue (where threads sleep until something happens), Waiter (one thread's entry in
// one queue) and WaitSet (one thread waiting on many queues at once: poll, select, epoll_wait).
//
// Runtime code (system-call handlers) runs without preemption: a timer interrupt that arrives
// while a thread is inside the runtime only marks it for rescheduling. So on one CPU the runtime's
// data structures need no locks, except against interrupt handlers: what a handler touches is
// changed only with interrupts disabled. Queues are such state (handlers wake them), so every
// queue operation disables interrupts, and a thread gives up the CPU inside the runtime only by
// sleeping here (or by yielding).
//
// The protocol that loses no wake-up: a waiter is queued *before* the condition is checked, and a
// wake that finds its thread still awake leaves Thread::wake_pending set, which makes the
// following sleep return at once. Waking a waiter takes it off its queue, so every wake_one()
// reaches a different waiter.
#pragma once

#include "arch/arch.h"
#include "lib/intrusive_list.h"
#include "lib/types.h"
#include "sched/locks.h"

namespace uk::sched {

struct Thread;
class WaitQueue;

enum class WaitResult {
    Ready,       // Woken (WaitQueue::wait_until: the predicate became true).
    TimedOut,    // The deadline passed first.
    Deadlock,    // No thread or device exists that could ever wake this thread.
    Interrupted, // A signal was sent to the thread (the system call returns EINTR).
};

// Who can wake a queue. Only program threads: a thread that sleeps there with no deadline while
// every other program thread does the same is deadlocked. External: a device or a timer can
// (console input, sockets, timerfd), so sleeping there forever is no deadlock.
enum class WakeSource : u8 { ProgramThreads, External };

struct Waiter : ListLink<> {
    Thread* thread = nullptr;
    WaitQueue* queue = nullptr;
    // Futexes: the word's address and the FUTEX_WAIT_BITSET bits this waiter accepts.
    u64 key = 0;
    u32 bitset = 0;
};

class WaitQueue {
public:
    constexpr explicit WaitQueue(WakeSource source = WakeSource::ProgramThreads) : m_source(source) {}
    WaitQueue(const WaitQueue&) = delete;
    WaitQueue& operator=(const WaitQueue&) = delete;

    // Sleeps until `ready()` returns true (checked before sleeping and after every wake-up) or the
    // monotonic clock reaches `deadline_ns` (0: no deadline). `ready` runs with interrupts
    // disabled, so it must be a cheap look at state.
    template<typename Predicate>
    WaitResult wait_until(Predicate&& ready, u64 deadline_ns = 0)
    {
        sched::SchedulerGuard guard;
        Waiter waiter;
        while (!ready()) {
            WaitResult r = sleep_locked(waiter, deadline_ns);
            if (r != WaitResult::Ready) {
                remove_locked(waiter);
                return ready() ? WaitResult::Ready : r;
            }
        }
        remove_locked(waiter);
        return WaitResult::Ready;
    }

    // Interrupt-safe.
    void wake_one();
    void wake_all();
    bool empty() const { return m_waiters.empty(); }
    bool is_external() const { return m_source == WakeSource::External; }
    void set_source(WakeSource source) { m_source = source; }

    // With interrupts disabled.
    void add_locked(Waiter& waiter);
    static void remove_locked(Waiter& waiter); // No-op if the waiter is not queued.
    // Wakes `waiter` (which must be queued here) and takes it off the queue.
    static void wake_locked(Waiter& waiter);
    void wake_all_locked();
    // Visits each queued waiter; `visit` may wake it (wake_locked) or move it (move_locked).
    template<typename Visit>
    void for_each_locked(Visit&& visit)
    {
        VERIFY_SCHEDULER_LOCKED();
        m_waiters.for_each(visit);
    }
    void move_locked(Waiter& waiter);

private:
    // Queues the current thread's `waiter` here (if it is not queued) and sleeps once.
    WaitResult sleep_locked(Waiter& waiter, u64 deadline_ns);

    IntrusiveList<Waiter> m_waiters;
    WakeSource m_source;
};

// One thread waiting on several queues with one sleep. Waiter storage is the caller's (an array on
// the stack for a few queues, a kmalloc'd one for many). Use: prepare(); add() every queue whose
// condition the thread is about to check, then check; if nothing is ready, wait(); repeat from
// prepare(). The destructor takes every waiter off its queue.
class WaitSet {
public:
    WaitSet(Waiter* storage, size_t capacity) : m_waiters(storage), m_capacity(capacity) {}
    ~WaitSet();
    WaitSet(const WaitSet&) = delete;
    WaitSet& operator=(const WaitSet&) = delete;

    // Starts a round of checks: re-queues waiters that a wake-up took off their queue, and forgets
    // wake-ups that came before (the checks that follow see their effect).
    void prepare();
    // Adds a waiter on `queue` (false when the storage is full: the caller must not sleep then).
    bool add(WaitQueue& queue);
    // Sleeps until any queue is woken, the deadline (0: none) passes or a signal arrives.
    WaitResult wait(u64 deadline_ns);
    size_t size() const { return m_count; }

private:
    Waiter* m_waiters;
    size_t m_capacity;
    size_t m_count = 0;
    bool m_external = false;
};

}
