// SPDX-License-Identifier: MIT
// WaitQueue on top of the scheduler's blocking primitives.
#include "sched/wait_queue.h"

#include "arch/arch.h"
#include "sched/scheduler.h"

namespace uk::sched {

WaitResult WaitQueue::sleep(u64 deadline_ns)
{
    arch::InterruptGuard guard;
    return block_current_locked(m_waiters, deadline_ns);
}

void WaitQueue::wake_one()
{
    arch::InterruptGuard guard;
    if (Thread* t = m_waiters.front())
        wake_locked(*t);
}

void WaitQueue::wake_all()
{
    arch::InterruptGuard guard;
    m_waiters.for_each([](Thread& t) { wake_locked(t); });
}

}
