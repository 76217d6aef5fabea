// SPDX-License-Identifier: MIT
// WaitQueue: where threads sleep until another thread (or a timeout) wakes them.
//
// Runtime code (system-call handlers) runs without preemption: a timer interrupt that arrives
// while a thread is inside the runtime only marks it for rescheduling. So the runtime's data
// structures need no locks on one CPU, and a thread gives up the CPU inside the runtime only in
// WaitQueue::wait_until().
#pragma once

#include "arch/arch.h"
#include "lib/intrusive_list.h"
#include "lib/types.h"

namespace uk::sched {

struct Thread;

enum class WaitResult {
    Ready,    // The predicate became true.
    TimedOut, // The deadline passed first.
    Deadlock, // No other thread exists that could ever make the predicate true.
    Interrupted, // A signal was sent to the thread (the system call returns EINTR).
};

class WaitQueue {
public:
    // Sleeps until `ready()` returns true (checked before sleeping and after every wake-up) or the
    // monotonic clock reaches `deadline_ns` (0: no deadline).
    template<typename Predicate>
    WaitResult wait_until(Predicate&& ready, u64 deadline_ns = 0)
    {
        // Interrupts stay off from the check to the sleep, so an interrupt handler's wake-up
        // cannot fall in between and be lost.
        arch::InterruptGuard guard;
        while (!ready()) {
            WaitResult r = sleep(deadline_ns);
            if (r != WaitResult::Ready)
                return ready() ? WaitResult::Ready : r;
        }
        return WaitResult::Ready;
    }

    void wake_one();
    void wake_all();
    bool empty() const { return m_waiters.empty(); }

private:
    // Blocks the current thread once; Ready means "woken", not that any condition holds.
    WaitResult sleep(u64 deadline_ns);

    IntrusiveList<Thread> m_waiters;
};

}
