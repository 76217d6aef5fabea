// SPDX-License-Identifier: MIT
// How runtime system-call handlers are defined: one extern "C" function per Linux system call,
// `__uk_sys_NAME`, taking the six raw argument registers and returning the result or -errno.
// musl binds each constant-number call site to its function at link time.
#pragma once

#include "lib/result.h"
#include "lib/types.h"
#include "sched/scheduler.h"

// A handler returns Result<long> (`return error(EINVAL);`, `return TRY(...);`, plain values);
// its extern "C" wrapper is the one place that turns the Result into the raw value musl expects.
// Each handler runs under a PreemptGuard: runtime code is never preempted (see sched/wait_queue.h).
// The handler is static, so it inlines into its wrapper: a handler that returns a constant
// (getpid) compiles to the same instructions as a raw `return 1;` would.
#define UK_SYSCALL_HANDLER(name)                                                                                \
    static ::uk::Result<long> sys_##name(long, long, long, long, long, long) noexcept;                          \
    extern "C" long __uk_sys_##name(long a0, long a1, long a2, long a3, long a4, long a5) noexcept              \
    {                                                                                                           \
        ::uk::sched::PreemptGuard preempt_guard;                                                                \
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

template<typename T>
T* user_pointer(long value) { return reinterpret_cast<T*>(value); }

// Logs once per system call that the program used something the runtime does not support, and
// returns ENOSYS.
Result<long> unsupported(int number, const char* name);

}
