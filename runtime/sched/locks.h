// SPDX-License-Identifier: MIT
// The two locks that replace the single-CPU rule "runtime code is never preempted, and what
// interrupt handlers share is guarded by disabling interrupts" (docs/architecture.md, "Locking on
// many CPUs"):
// - the SchedulerLock: run queue, timer queue, thread states, every WaitQueue and Waiter, futex
//   queues, signal pending sets and masks, and all state interrupt handlers share (the console's
//   input ring, epoll ready lists, timerfd counts, virtqueues). Taken with interrupts disabled,
//   from anywhere including interrupt handlers; recursive, as disabling interrupts was; held
//   across a thread switch and released by the thread switched to.
// - the RuntimeLock: the rest of the runtime's state (the file tree, descriptions other than inet
//   sockets, AF_UNIX sockets, process state). System calls take it by default (RuntimeGuard in
//   sched/scheduler.h), kernel threads hold it while they run; a sleep releases it. Interrupts stay
//   enabled while it is held or awaited, and its holder is never preempted. The descriptor table
//   has a lock of its own (fs/fd_table.cpp), and inet sockets are under the CoreLock.
#pragma once

#include "arch/arch.h"
#include "arch/spin_lock.h"

namespace uk::sched {

extern arch::RecursiveSpinLock g_scheduler_lock;
extern arch::SpinLock g_runtime_lock;

// The SchedulerLock for a scope, interrupts disabled on this CPU meanwhile.
class SchedulerGuard : public arch::IrqLockGuard<arch::RecursiveSpinLock> {
public:
    UK_LOCK_INLINE SchedulerGuard() : IrqLockGuard(g_scheduler_lock) {}
};

// The contract of every `_locked` function on scheduler state. Debug builds check that this CPU
// holds the SchedulerLock; the host tests also check the interrupt flag their fake machine keeps.
#ifdef UKSDK_RUNTIME_DEBUG
#define VERIFY_SCHEDULER_LOCKED()                                 \
    do {                                                          \
        VERIFY(::uk::sched::g_scheduler_lock.is_held_here());     \
        VERIFY_INTERRUPTS_DISABLED();                             \
    } while (0)
#else
#define VERIFY_SCHEDULER_LOCKED() VERIFY_INTERRUPTS_DISABLED()
#endif

}
