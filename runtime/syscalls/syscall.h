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
// Signals that became deliverable during a system call run their handlers as it returns (see
// sched/signal.cpp); the check is one load in the common case.
void deliver_signals_at_exit() noexcept;
inline bool signals_due()
{
    const sched::Thread& self = *sched::g_current_thread;
    return (self.pending_signals | sched::g_process_pending_signals) & ~self.signal_mask;
}
}

// Each handler runs under a PreemptGuard: runtime code is never preempted (see sched/wait_queue.h).
#define UK_SYSCALL_HANDLER(name)                                                                         \
    static long sys_##name(long, long, long, long, long, long) noexcept;                                 \
    extern "C" long __uk_sys_##name(long a0, long a1, long a2, long a3, long a4, long a5) noexcept       \
    {                                                                                                    \
        long result;                                                                                     \
        {                                                                                                \
            ::uk::sched::PreemptGuard preempt_guard;                                                     \
            result = sys_##name(a0, a1, a2, a3, a4, a5);                                                 \
        }                                                                                                \
        if (::uk::signals_due() || ::uk::sched::g_current_thread->restore_saved_mask) [[unlikely]]      \
            ::uk::deliver_signals_at_exit();                                                             \
        return result;                                                                                   \
    }                                                                                                    \
    static long sys_##name([[maybe_unused]] long a0, [[maybe_unused]] long a1, [[maybe_unused]] long a2, \
        [[maybe_unused]] long a3, [[maybe_unused]] long a4, [[maybe_unused]] long a5) noexcept

namespace uk {

// The one place a Result becomes a raw system-call return value.
template<typename T>
long to_syscall_result(const Result<T>& result)
{
    if (result.is_error())
        return -static_cast<long>(result.error_code());
    return static_cast<long>(result.value());
}

inline long to_syscall_result(const Result<void>& result)
{
    return result.is_error() ? -static_cast<long>(result.error_code()) : 0;
}

template<typename T>
T* user_pointer(long value) { return reinterpret_cast<T*>(value); }

// Logs once per system call that the program used something the runtime does not support.
long unsupported(int number, const char* name);

}

// Like TRY, for handlers that return a raw long: evaluates to the value or returns -errno.
#define TRY_OR_RETURN(expr)                                                                   \
    ({                                                                                        \
        auto _try_result = (expr);                                                            \
        if (_try_result.is_error()) [[unlikely]]                                              \
            return -static_cast<long>(_try_result.error_code());                              \
        _try_result.release_value();                                                          \
    })
