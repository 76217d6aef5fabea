// SPDX-License-Identifier: MIT
// Signals: the process's actions, each thread's mask and pending set, and delivery. A handler
// runs as a plain function call in the thread the signal is delivered to, at the point where the
// runtime delivers it (the system call that raised it, or the unblocking of a mask); default
// actions end the program as Linux would end the process.
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace uk::sched {

struct Thread;

inline constexpr int k_signal_count = 65; // Signals 1..64.

// The kernel's struct sigaction for x86_64 (what musl passes to rt_sigaction).
struct SignalAction {
    uptr handler;
    u64 flags;
    uptr restorer;
    u64 mask;
};
static_assert(sizeof(SignalAction) == 32);

inline constexpr u64 signal_bit(int signal) { return 1ull << (signal - 1); }

Result<void> set_signal_action(int signal, const SignalAction* action, SignalAction* old);

enum class MaskChange { Block = 0, Unblock = 1, Set = 2 };
// rt_sigprocmask on the current thread; returns the previous mask. Signals the change unblocks are
// delivered before it returns.
Result<u64> change_signal_mask(MaskChange how, u64 set);
// Replaces the current thread's mask for the length of a wait (ppoll, pselect6, epoll_pwait,
// sigsuspend) and returns the old one, to be given back to restore_signal_mask(). Returns true
// in `delivered` when a pending signal the new mask unblocks was delivered at once: the wait
// must then end with EINTR without sleeping.
u64 replace_signal_mask(u64 mask, bool& delivered);
void restore_signal_mask(u64 saved);
u64 blocked_signals();
u64 pending_signals();

// raise(): the current thread sends itself `signal` (0 checks only).
Result<void> raise_signal(int signal);
// tgkill/tkill: `signal` for the thread `tid`.
Result<void> send_signal_to_thread(int tid, int signal);
// kill() of the one process.
Result<void> send_signal_to_process(int signal);

// Takes pending signals in `set` off the current thread's pending set (signalfd, sigtimedwait);
// returns the lowest such signal, or 0.
int take_pending_signal(u64 set);
// `listener` runs (interrupts disabled) whenever a signal becomes pending: signalfd's readiness.
void set_pending_listener(void (*listener)());

const char* signal_name(int signal);

}
