// SPDX-License-Identifier: MIT
// WaitQueue and WaitSet on top of the scheduler's blocking primitives.
#include "sched/wait_queue.h"

#include "arch/arch.h"
#include "lib/verify.h"
#include "sched/locks.h"
#include "sched/scheduler.h"

namespace uk::sched {

void WaitQueue::add_locked(Waiter& waiter)
{
    VERIFY_SCHEDULER_LOCKED();
    VERIFY(!waiter.is_linked());
    waiter.queue = this;
    m_waiters.push_back(waiter);
}

void WaitQueue::remove_locked(Waiter& waiter)
{
    VERIFY_SCHEDULER_LOCKED();
    if (waiter.is_linked())
        IntrusiveList<Waiter>::remove(waiter);
}

void WaitQueue::wake_locked(Waiter& waiter)
{
    VERIFY_SCHEDULER_LOCKED();
    IntrusiveList<Waiter>::remove(waiter);
    wake_thread_locked(*waiter.thread);
}

void WaitQueue::move_locked(Waiter& waiter)
{
    VERIFY_SCHEDULER_LOCKED();
    remove_locked(waiter);
    add_locked(waiter);
}

void WaitQueue::wake_all_locked()
{
    VERIFY_SCHEDULER_LOCKED();
    while (Waiter* w = m_waiters.front())
        wake_locked(*w);
}

void WaitQueue::wake_one()
{
    sched::SchedulerGuard guard;
    if (Waiter* w = m_waiters.front())
        wake_locked(*w);
}

void WaitQueue::wake_all()
{
    sched::SchedulerGuard guard;
    wake_all_locked();
}

WaitResult WaitQueue::sleep_locked(Waiter& waiter, u64 deadline_ns)
{
    VERIFY_SCHEDULER_LOCKED();
    Thread& self = current_thread();
    if (!waiter.is_linked()) {
        // The caller checked its condition with interrupts disabled since the last sleep, so a
        // wake-up from before that check carries no news.
        self.wake_pending = false;
        waiter.thread = &self;
        add_locked(waiter);
    }
    return block_current_locked(deadline_ns, m_source);
}

WaitSet::~WaitSet()
{
    sched::SchedulerGuard guard;
    for (size_t i = 0; i < m_count; ++i)
        WaitQueue::remove_locked(m_waiters[i]);
}

void WaitSet::prepare()
{
    sched::SchedulerGuard guard;
    current_thread().wake_pending = false;
    for (size_t i = 0; i < m_count; ++i)
        if (!m_waiters[i].is_linked())
            m_waiters[i].queue->add_locked(m_waiters[i]);
}

bool WaitSet::add(WaitQueue& queue)
{
    if (m_count == m_capacity)
        return false;
    Waiter& waiter = m_waiters[m_count++];
    waiter.thread = &current_thread();
    if (queue.is_external())
        m_external = true;
    sched::SchedulerGuard guard;
    queue.add_locked(waiter);
    return true;
}

WaitResult WaitSet::wait(u64 deadline_ns)
{
    sched::SchedulerGuard guard;
    return block_current_locked(deadline_ns, m_external ? WakeSource::External : WakeSource::ProgramThreads);
}

}
