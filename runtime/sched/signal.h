// SPDX-License-Identifier: MIT
// Signals: the process's actions, each thread's mask and pending set, and delivery. A handler
// runs as a plain function call in the thread the signal is delivered to, at the point where the
// runtime delivers it (the system call that raised it, or the unblocking of a mask); default
// actions end the program as Linux would end the process.
#pragma once

#include "arch/arch.h"
#include "lib/linux/signal.h"
#include "lib/result.h"
#include "sched/wait_queue.h"
#include "lib/types.h"

namespace uk::sched {

struct Thread;

// The kernel's struct sigaction for x86_64 (what musl passes to rt_sigaction).
struct SignalAction {
    uptr handler;
    u64 flags;
    uptr restorer;
    u64 mask;
};
static_assert(sizeof(SignalAction) == 32);

inline constexpr u64 signal_bit(int signal) { return 1ull << (signal - 1); }

// Process-directed signals that every thread blocked when they were sent.
extern u64 g_process_pending_signals;

Result<void> set_signal_action(int signal, const SignalAction* action, SignalAction* old);

enum class MaskChange { Block = 0, Unblock = 1, Set = 2 };
// rt_sigprocmask on the current thread; returns the previous mask. Signals the change unblocks are
// delivered when the system call returns.
Result<u64> change_signal_mask(MaskChange how, u64 set);
// Puts `mask` in force for the rest of a system call (ppoll, pselect6, epoll_pwait, sigsuspend);
// the old mask comes back when the call returns, after any handler the temporary mask let
// through has run (Linux's restore_sigmask). Returns true when a signal is deliverable under
// `mask` right away: the call must then end with EINTR without sleeping.
bool use_temporary_signal_mask(u64 mask);
u64 blocked_signals();
u64 pending_signals();
bool has_deliverable_signals();

// raise(): the current thread sends itself `signal` (0 checks only); it is delivered when the
// system call returns.
Result<void> raise_signal(int signal);
// tgkill/tkill: `signal` for the thread `tid`.
Result<void> send_signal_to_thread(int tid, int signal);
// kill() or rt_sigqueueinfo() of the one process: `code` and `value` are what the handler's
// siginfo says (SI_USER, SI_QUEUE with a value...).
Result<void> send_signal_to_process(int signal, int code = 0, u64 value = 0);

// Sleeps until a signal in `set` is pending (Ready), a deliverable one arrives (Interrupted) or
// the deadline (0: none) passes. Interrupts disabled.
WaitResult block_for_signal_locked(u64 set, u64 deadline_ns);

// Delivery points (see sched/signal.cpp): a system call's exit, the return of an interrupt to
// program code, a CPU exception the program handles, and rt_sigreturn.
// True if a handler ran, every handler that ran has SA_RESTART and none moved the interrupted
// program counter: the call may start again. `interrupted_pc` is what handlers see as the
// interrupted %rip (0: the caller's return address).
bool deliver_at_system_call_exit(u64 interrupted_pc);
void deliver_at_interrupt_return(arch::TrapFrame& frame);
// rt_sigreturn: restores the mask and FPU state from the ucontext at `context_address` and fills
// `out` with the registers to resume.
Result<void> sigreturn(u64 context_address, arch::TrapFrame& out);
// rt_sigreturn: resumes the context saved in the signal frame at `context_address`.
[[noreturn]] void return_from_signal(u64 context_address);
void signals_init();

// sigaltstack.
struct AlternateStack {
    u64 base;
    int flags;
    u64 size;
};
static_assert(sizeof(AlternateStack) == 24);
Result<void> set_alternate_stack(const AlternateStack* stack, AlternateStack* old);

// Takes the lowest pending signal in `set` off the current thread's (or the process's) pending set
// (signalfd, sigtimedwait); returns it, or 0. `code` and `value` receive its sender's details.
int take_pending_signal(u64 set, int* code = nullptr, u64* value = nullptr);
// `listener` runs (interrupts disabled) whenever a signal becomes pending: signalfd's readiness.
void set_pending_listener(void (*listener)());


}
