// SPDX-License-Identifier: MIT
// The scheduler: round-robin among runnable threads, preemption by the local APIC timer, a timer
// queue for timeouts, and halting the CPU when nothing can run.
#pragma once

#include "lib/intrusive_list.h"
#include "lib/types.h"
#include "sched/thread.h"
#include "sched/wait_queue.h"

namespace uk::sched {

// Sets up the boot thread and the timer; interrupts stay disabled until start().
void init();
// Enables interrupts: from here on the current thread can be preempted in program code.
void start();

void yield();

// Blocks the current thread, whose waiters the caller has queued (see sched/wait_queue.h), until
// one is woken, the monotonic clock reaches `deadline_ns` (0: none), or a signal arrives. Returns
// Deadlock instead of sleeping when the thread would be the last program thread to block on
// queues only program threads can wake, with no deadline. Interrupts must be disabled.
WaitResult block_current_locked(u64 deadline_ns, WakeSource source);
// Ends the sleep of a thread a waiter of which was woken (or sets its wake_pending).
void wake_thread_locked(Thread& thread);
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

// Runtime code is not preemptible: each system call holds one of these. A timer interrupt that
// arrives meanwhile asks for a reschedule, which happens when the outermost guard ends.
extern Thread* g_current_thread;
extern bool g_reschedule_pending;
void reschedule_now(); // The slow path of ~PreemptGuard.

class PreemptGuard {
public:
    // Inline: every system call pays for this pair.
    PreemptGuard() { ++g_current_thread->preempt_disabled; }
    ~PreemptGuard()
    {
        if (--g_current_thread->preempt_disabled == 0 && g_reschedule_pending) [[unlikely]]
            reschedule_now();
    }
    PreemptGuard(const PreemptGuard&) = delete;
    PreemptGuard& operator=(const PreemptGuard&) = delete;
};

}
