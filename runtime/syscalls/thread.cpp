// SPDX-License-Identifier: MIT
// Threads are not implemented yet (the threads issue adds them): thread creation fails cleanly
// with EAGAIN from pthread_create, and futex waits that could never be woken are reported.
#include "lib/crash.h"
#include "sched/clock.h"
#include "syscalls/syscall.h"

using namespace uk;

extern "C" int __clone(int (*)(void*), void*, int, void*, ...) noexcept
{
    return uk::unsupported(56, "clone");
}

extern "C" [[noreturn]] void __unmapself(void*, size_t) noexcept
{
    crash_here(6, "__unmapself called without threads");
}

UK_SYSCALL_HANDLER(futex)
{
    constexpr long k_wait = 0, k_wake = 1, k_wait_bitset = 9, k_wake_bitset = 10, k_command_mask = 0x7f;
    long command = a1 & k_command_mask;
    if (command == k_wake || command == k_wake_bitset)
        return 0; // Nobody else exists to wake.
    if (command == k_wait || command == k_wait_bitset) {
        if (*user_pointer<const volatile int>(a0) != static_cast<int>(a2))
            return -EAGAIN;
        if (a3)
            return -ETIMEDOUT;
        crash_here(6, "deadlock: futex wait with no other thread to wake it");
    }
    return -ENOSYS;
}
