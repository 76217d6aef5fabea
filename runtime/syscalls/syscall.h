// SPDX-License-Identifier: MIT
// How runtime system-call handlers are defined: one extern "C" function per Linux system call,
// `__uk_sys_NAME`, taking the six raw argument registers and returning the result or -errno.
// musl binds each constant-number call site to its function at link time.
#pragma once

#include "lib/result.h"
#include "lib/types.h"
#include "sched/scheduler.h"
#include "sched/signal.h"

namespace uk {
// Runs the handlers of signals that became deliverable during a system call (sched/signal.cpp);
// true if the call, which failed with EINTR if `interrupted`, may start again (SA_RESTART).
// `return_address` is the call's: a call from musl's cancellation point returns to __cp_end.
bool deliver_signals_at_exit(bool interrupted, const void* return_address) noexcept;
inline bool signals_due(const sched::Thread& self)
{
    return (self.pending_signals | sched::g_process_pending_signals) & ~self.signal_mask;
}
}

// A handler returns Result<long> (`return error(EINVAL);`, `return TRY(...);`, plain values);
// its extern "C" wrapper is the one place that turns the Result into the raw value musl expects.
// Each handler runs under a RuntimeGuard: runtime code is never preempted, and holds the
// RuntimeLock (sched/locks.h), which a sleep gives up meanwhile. The calls that need no runtime
// state beyond the scheduler's (futex, sched_yield, nanosleep, clock_gettime, ...) use
// UK_SYSCALL_HANDLER_UNLOCKED: a PreemptGuard only, so the CPUs do not queue for them. The
// handler is static, so it inlines into its wrapper: a handler that returns a constant (getpid)
// compiles to little more than a raw `return 1;` would. Signals that became deliverable during
// the call run their handlers as it returns (the check is a few loads when none did); a call
// those handlers interrupted (EINTR) starts again if every one of them asked for SA_RESTART,
// except the calls Linux never restarts (signal(7)), which use UK_SYSCALL_HANDLER_NO_RESTART.
#define UK_SYSCALL_HANDLER_WITH(name, restartable, Guard)                                                       \
    static ::uk::Result<long> sys_##name(long, long, long, long, long, long) noexcept;                          \
    extern "C" long __uk_sys_##name(long a0, long a1, long a2, long a3, long a4, long a5) noexcept              \
    {                                                                                                           \
        for (;;) {                                                                                              \
            long result;                                                                                        \
            {                                                                                                   \
                [[maybe_unused]] Guard guard;                                                                   \
                result = ::uk::to_syscall_result(sys_##name(a0, a1, a2, a3, a4, a5));                           \
            }                                                                                                   \
            const ::uk::sched::Thread& self = *::uk::sched::current();                                          \
            if (::uk::signals_due(self) || self.restore_saved_mask) [[unlikely]] {                              \
                bool restart = ::uk::deliver_signals_at_exit(result == -EINTR, __builtin_return_address(0));    \
                if ((restartable) && restart && result == -EINTR)                                               \
                    continue;                                                                                   \
            }                                                                                                   \
            return result;                                                                                      \
        }                                                                                                       \
    }                                                                                                           \
    static ::uk::Result<long> sys_##name([[maybe_unused]] long a0, [[maybe_unused]] long a1,                    \
        [[maybe_unused]] long a2, [[maybe_unused]] long a3, [[maybe_unused]] long a4, [[maybe_unused]] long a5) \
        noexcept
#define UK_SYSCALL_HANDLER(name) UK_SYSCALL_HANDLER_WITH(name, true, ::uk::sched::RuntimeGuard)
#define UK_SYSCALL_HANDLER_NO_RESTART(name) UK_SYSCALL_HANDLER_WITH(name, false, ::uk::sched::RuntimeGuard)
#define UK_SYSCALL_HANDLER_UNLOCKED(name) UK_SYSCALL_HANDLER_WITH(name, true, ::uk::sched::PreemptGuard)
#define UK_SYSCALL_HANDLER_UNLOCKED_NO_RESTART(name) UK_SYSCALL_HANDLER_WITH(name, false, ::uk::sched::PreemptGuard)
// Without the RuntimeLock, but as deep into the runtime as a locked call (the mmap family).
#define UK_SYSCALL_HANDLER_UNLOCKED_DEEP(name) UK_SYSCALL_HANDLER_WITH(name, true, ::uk::sched::DeepPreemptGuard)
// The read/write family and the socket data calls (read, write, readv, writev, sendto, recvfrom,
// sendmsg, recvmsg, sendmmsg, recvmmsg) decide per description: the handler looks the descriptor
// up without the RuntimeLock (the descriptor table has its own lock) and takes it with
// sched::RuntimeGuardIf unless the description runs_without_runtime_lock() (inet sockets). Their
// guard makes the stack present as deep as RuntimeGuard's, since either may follow.
#define UK_SYSCALL_HANDLER_PER_DESCRIPTION(name) UK_SYSCALL_HANDLER_WITH(name, true, ::uk::sched::DeepPreemptGuard)
// Leaf calls (getpid, getuid, ...) take no lock, never sleep and touch no runtime state that
// changes: they run as the program's own code would, with no guard, and return with no signal
// check, as a call into program code would. None is needed for Linux's "pending signals are
// delivered on the way back to user mode": a leaf call runs preemptibly and changes neither a
// mask nor a pending set, so what makes a signal deliverable while it runs comes with an
// interrupt whose return delivers it (sched/signal.cpp: another thread's kill or tgkill sends the
// thread's CPU a reschedule IPI through interrupt_thread; a timer's signal is raised in the
// timer interrupt itself), exactly as for the program code around the call, and nothing is
// deliverable when it starts that the program's code would not already have been given.
#define UK_SYSCALL_HANDLER_LEAF(name)                                                                           \
    static ::uk::Result<long> sys_##name(long, long, long, long, long, long) noexcept;                          \
    extern "C" long __uk_sys_##name(long a0, long a1, long a2, long a3, long a4, long a5) noexcept              \
    {                                                                                                           \
        return ::uk::to_syscall_result(sys_##name(a0, a1, a2, a3, a4, a5));                                     \
    }                                                                                                           \
    static ::uk::Result<long> sys_##name([[maybe_unused]] long a0, [[maybe_unused]] long a1,                    \
        [[maybe_unused]] long a2, [[maybe_unused]] long a3, [[maybe_unused]] long a4, [[maybe_unused]] long a5) \
        noexcept

namespace uk {

// The raw system-call return value of a handler's result: the value, or -errno. Used only by the
// handler wrappers above and by the other functions musl calls directly (the table, __clone).
inline long to_syscall_result(const Result<long>& result)
{
    if (result.is_error()) [[unlikely]]
        return -static_cast<long>(result.error_code());
    return result.value();
}

// The result of a call whose work succeeds with nothing to return: 0, Linux's convention.
inline Result<long> zero_or_error(const Result<void>& result)
{
    if (result.is_error())
        return error(result.error_code());
    return 0;
}

template<typename T>
T* user_pointer(long value) { return reinterpret_cast<T*>(value); }

// Logs once per system call that the program used something the runtime does not support, and
// returns ENOSYS.
Result<long> unsupported(int number, const char* name);

}
