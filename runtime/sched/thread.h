// SPDX-License-Identifier: MIT
// Thread: one schedulable context. Program threads run the program's code in ring 0 on stacks the
// program (musl's pthread_create) provides; kernel threads run runtime code (device work, the
// network stack) on stacks the runtime allocates. The runtime keeps only this control block.
#pragma once

#include "arch/arch.h"
#include "lib/intrusive_list.h"
#include "lib/result.h"
#include "lib/types.h"
#include "sched/timer.h"

namespace uk::sched {

struct AllThreadsTag;

enum class ThreadState { Runnable, Running, Blocked, Dead };

// A thread's saved FPU state. Zero in a constant-initialized thread (the boot thread); left as it
// is in a new thread's control block, which is a zeroed frame that fpu_init_state() then fills
// (allocate_thread): zeroing 3 KiB again, which the compiler does a byte at a time in the
// runtime, cost 25 us of a pthread_create under TCG.
struct FpuArea {
    alignas(64) u8 bytes[arch::k_max_fpu_state];
    constexpr FpuArea()
    {
        if (__builtin_is_constant_evaluated())
            for (u8& byte : bytes)
                byte = 0;
    }
    operator void*() { return bytes; }
    operator const void*() const { return bytes; }
};

struct Thread
    : ListLink<>
    , ListLink<AllThreadsTag> {
    FpuArea fpu_state; // First: XSAVE needs 64-byte alignment.
    u64 saved_stack_pointer = 0;
    int tid = 0;
    ThreadState state = ThreadState::Runnable;
    int preempt_disabled = 0;
    // The time slice is over, or a thread woken for this CPU should run: switch at the next
    // preemption point (interrupt return to program code, or the end of the system call). Set only
    // by the CPU that runs the thread, cleared when it stops running.
    bool need_reschedule = false;
    // A kernel thread: runtime code that never ends the program and does not keep it alive.
    bool kernel = false;
    // A CPU's idle thread: never queued, runs only when nothing else may run on its CPU.
    bool idle = false;
    // The depth of the SchedulerLock this thread held when it switched away (the next thread to
    // run on the CPU gets the lock at its own depth).
    u32 scheduler_depth = 1;
    // [stack_ready_low, stack_ready_high) of the stack it runs on is known to be present
    // (arch::probe_stack): an entry into the runtime with its stack pointer at most
    // stack_ready_high and a reserve above stack_ready_low probes nothing (PreemptGuard).
    // A signal handler on the alternate stack, or the boot thread entering the program, moves to
    // another stack, which is probed in turn.
    u64 stack_ready_low = 0;
    u64 stack_ready_high = 0;
    // The CPUs this thread may run on (sched_setaffinity), and the one it runs or last ran on.
    u64 affinity = ~0ull;
    u32 cpu = 0;
    u64 thread_pointer = 0; // FS base.
    int* clear_child_tid = nullptr;
    int (*entry)(void*) = nullptr;
    void (*kernel_entry)(void*) = nullptr;
    void* entry_argument = nullptr;

    // Blocking (see sched/wait_queue.h): the timeout, and how the sleep ended.
    Timer sleep_timer;
    bool timed_out = false;
    bool wake_pending = false; // A waiter of this thread was woken while it was not asleep yet.
    // Blocked with no deadline on queues that only other program threads can wake: if every
    // program thread is in that state, nothing can ever wake any of them.
    bool hopeless = false;

    u64 signal_mask = 0;
    u64 pending_signals = 0;
    // ppoll, pselect6, epoll_pwait, sigsuspend: the mask to restore once the system call is over
    // (after a handler it let through has run), as Linux's restore_sigmask.
    u64 saved_signal_mask = 0;
    bool restore_saved_mask = false;
    // rt_sigtimedwait: blocked signals whose arrival ends this thread's sleep.
    u64 signals_waited = 0;
    // sigaltstack: the alternate signal stack (size 0: none, or disabled).
    u64 alternate_stack = 0;
    u64 alternate_stack_size = 0;
    // set_robust_list: the head of the thread's robust mutex list, walked when it exits.
    u64 robust_list = 0;

    u64 cpu_time_ns = 0;
    u64 running_since_ns = 0;

    // [prctl(2)] PR_SET_NAME: up to 15 bytes and a NUL. The main thread's is the program's name,
    // a new thread's its creator's, as on Linux; the hang report prints it.
    char name[16] = {};
};

// Sets `thread`'s name to the first 15 bytes of `name`.
void set_thread_name(Thread& thread, const char* name);

// Creates a thread that will run entry(argument) on the stack below `stack_top`, with FS base
// `tls`; returns its tid, or EAGAIN when no memory is left for it.
Result<int> create_thread(int (*entry)(void*), void* argument, u64 stack_top, u64 tls, int* clear_child_tid,
    int* parent_tid);
// Creates a kernel thread running entry(argument) on a runtime-allocated stack. It runs with
// preemption disabled (it is runtime code) and gives up the CPU only by blocking or yielding.
Result<Thread*> create_kernel_thread(void (*entry)(void*), void* argument);
// Ends the current thread: clears and wakes its clear-child-tid futex; the last program thread to
// exit ends the program with `status`.
[[noreturn]] void exit_current_thread(int status);
// Unmaps [base, base + size) (the current thread's own stack) and exits.
[[noreturn]] void exit_current_thread_and_unmap(u64 base, u64 size);

Thread& current_thread();
// The live thread with this tid, or null. The SchedulerLock must be held for as long as the
// caller uses the thread (a thread that exits is freed under it).
Thread* find_thread(int tid);
// The first live thread for which `matches(thread)` holds, or null. The same rule.
template<typename Predicate>
Thread* find_thread_where(Predicate&& matches);
// A signal became deliverable to `thread`: if it sleeps, its sleep ends with
// WaitResult::Interrupted (a sleep also never starts while a signal is deliverable); if it runs
// program code on another CPU, that CPU is asked to look (the signal is delivered when it
// returns from the interrupt).
void interrupt_thread(Thread& thread);
// Program threads alive.
size_t thread_count();

namespace detail {
Thread* first_thread();
Thread* next_thread(Thread& thread);
}

template<typename Predicate>
Thread* find_thread_where(Predicate&& matches)
{
    for (Thread* t = detail::first_thread(); t; t = detail::next_thread(*t))
        if (t->state != ThreadState::Dead && matches(*t))
            return t;
    return nullptr;
}

}
