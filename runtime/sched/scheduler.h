// SPDX-License-Identifier: MIT
// The scheduler: round-robin among runnable threads on every CPU (one shared run queue),
// preemption by each CPU's local APIC timer, a timer queue for timeouts that any CPU expires, an
// idle thread per CPU that halts when nothing can run, and the two locks every CPU's runtime code
// runs under (sched/locks.h).
#pragma once

#include "lib/intrusive_list.h"
#include "lib/result.h"
#include "lib/types.h"
#include "sched/locks.h"
#include "sched/thread.h"
#include "sched/wait_queue.h"

namespace uk::sched {

// Makes the boot thread the boot CPU's current thread: the first thing boot does after the CPU's
// record, since locks and guards look at the current thread.
void early_init();
// Sets up the boot thread, the boot CPU's idle thread and the timer; interrupts stay disabled
// until start().
void init();
// Enables interrupts: from here on the current thread can be preempted in program code.
void start();
// What an application processor needs before it starts (its idle thread, the stack its threads
// exit on), and its entry (arch::start_cpu): it becomes that CPU's idle thread and runs threads
// from the shared run queue from then on. Never returns.
Result<void> prepare_application_processor(u32 index);
[[noreturn]] void run_application_processor(u32 index);
// CPUs running threads.
size_t cpus_running();
u64 running_cpus_mask();
// The CPU the caller runs on (sched_getcpu; it may change at the next preemption).
u32 current_cpu();
// sched_setaffinity/sched_getaffinity: the CPUs thread `tid` (0: the caller) may run on. ESRCH for
// no such thread; EINVAL for a mask with no running CPU in it. A thread excluded from the CPU it
// runs on moves at once.
Result<void> set_affinity(int tid, u64 mask);
Result<u64> affinity(int tid);

void yield();

// Blocks the current thread, whose waiters the caller has queued (see sched/wait_queue.h), until
// one is woken, the monotonic clock reaches `deadline_ns` (0: none), or a signal arrives. Returns
// Deadlock instead of sleeping when the thread would be the last program thread to block on
// queues only program threads can wake, with no deadline. The SchedulerLock must be held; a
// RuntimeLock the thread holds is released for the sleep and taken again before this returns
// (with the SchedulerLock dropped meanwhile, as the lock order requires): the caller checks its
// condition again.
WaitResult block_current_locked(u64 deadline_ns, WakeSource source);
// Ends the sleep of a thread a waiter of which was woken (or sets its wake_pending).
void wake_thread_locked(Thread& thread);
// Before a deadlock report (WaitResult::Deadlock): what every thread waits for.
void report_deadlock_threads();
// Sleeps until the monotonic clock reaches `deadline_ns`; false if a signal interrupted it.
bool sleep_until(u64 deadline_ns);

// Work to finish before the program's orderly exit (exit_group runs the hooks, in the order they
// were added, then ends the machine): a subsystem adds its hook when it starts, so an image that
// never starts it links none of it (the network stack lets its connections deliver what they
// hold). At most k_max_exit_hooks; hooks may sleep.
inline constexpr size_t k_max_exit_hooks = 4;
void add_exit_hook(void (*hook)());
void run_exit_hooks();

// CPU time of the current thread and of all threads (monotonic time not spent idle).
u64 thread_cpu_time_ns();
u64 process_cpu_time_ns();

// The thread this CPU runs: one GS-relative load, right even if the caller is preempted and moves
// to another CPU right after (it is the same thread there).
inline Thread* current() { return static_cast<Thread*>(arch::this_cpu_current()); }

// Runtime code is not preemptible: each system call holds one of these. A timer interrupt that
// arrives meanwhile asks for a reschedule (Thread::need_reschedule), which happens when the
// outermost guard ends. Entering, it makes sure the stack below is present (arch::probe_stack),
// as far down as the runtime may go: no lock it takes then has to wait for a page fault.
void reschedule_now(); // The slow path of ~PreemptGuard.
void prepare_stack(Thread& thread, u64 stack_pointer, u64 reserve); // The slow path of PreemptGuard().

// How much stack below its entry the runtime may use: a shallow call (futex, sleeps, signals: a
// few frames to a sleep) or any call (paths, buffers and the file systems under the
// RuntimeLock).
inline constexpr u64 k_shallow_stack_reserve = 4 * 1024;

class PreemptGuard {
public:
    // Always inline: every system call pays for this pair (the runtime is built -Os, which would
    // otherwise call it and give each handler a stack protector for the guard's address).
    [[gnu::always_inline]] explicit PreemptGuard(u64 reserve = k_shallow_stack_reserve) : m_thread(current())
    {
        u64 sp = arch::current_stack_pointer();
        if (sp - reserve < m_thread->stack_ready_low || sp > m_thread->stack_ready_high) [[unlikely]]
            prepare_stack(*m_thread, sp, reserve);
        ++m_thread->preempt_disabled;
    }
    [[gnu::always_inline]] ~PreemptGuard()
    {
        if (--m_thread->preempt_disabled == 0 && m_thread->need_reschedule) [[unlikely]]
            reschedule_now();
    }
    PreemptGuard(const PreemptGuard&) = delete;
    PreemptGuard& operator=(const PreemptGuard&) = delete;

private:
    Thread* m_thread;
};

// A PreemptGuard whose probe covers as much stack as any runtime call may use: for calls that
// run without the RuntimeLock yet go as deep as those under it (the mmap family: region changes,
// page-table walks, TLB shootdowns). The stack must not fault under the address-space lock: a
// fault then would read the regions while they are being changed.
class DeepPreemptGuard : public PreemptGuard {
public:
    [[gnu::always_inline]] DeepPreemptGuard() : PreemptGuard(arch::k_runtime_stack_reserve) {}
};

// The RuntimeLock for a scope if `needed`, for the calls that learn only from the description
// they work on whether they need it (fs::FileDescription::runs_without_runtime_lock()). The caller
// holds a PreemptGuard that made the stack present as deep as RuntimeGuard's does. With one CPU,
// code that cannot be preempted excludes all other runtime code by itself, as it always did
// there: the lock is not taken (the number of CPUs is settled before the program starts).
class RuntimeGuardIf {
public:
    [[gnu::always_inline]] explicit RuntimeGuardIf(bool needed) : m_locked(needed && arch::cpus_online() > 1)
    {
        if (m_locked)
            g_runtime_lock.lock();
    }
    [[gnu::always_inline]] ~RuntimeGuardIf()
    {
        if (m_locked)
            g_runtime_lock.unlock();
    }
    RuntimeGuardIf(const RuntimeGuardIf&) = delete;
    RuntimeGuardIf& operator=(const RuntimeGuardIf&) = delete;

private:
    bool m_locked;
};

// What a system call runs under by default (docs/architecture.md, "Locking on many CPUs"): no
// preemption, and the RuntimeLock, which a sleep releases and takes again.
class RuntimeGuard {
public:
    RuntimeGuard() = default;
    RuntimeGuard(const RuntimeGuard&) = delete;
    RuntimeGuard& operator=(const RuntimeGuard&) = delete;

private:
    // Constructed first, destroyed last: the lock is never held preemptibly.
    DeepPreemptGuard m_preempt;
    RuntimeGuardIf m_lock { true };
};

}
