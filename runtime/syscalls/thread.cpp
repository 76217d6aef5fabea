// SPDX-License-Identifier: MIT
// Thread system calls: musl's __clone and __unmapself (which the runtime provides in place of
// musl's assembly), exit, futex, scheduling and sleeping.
#include "arch/crash.h"
#include "lib/linux/signal.h"
#include "lib/linux/time.h"
#include "mm/address_space.h"
#include "sched/clock.h"
#include "sched/futex.h"
#include "sched/scheduler.h"
#include "syscalls/file_support.h"
#include "syscalls/syscall.h"

using namespace uk;

namespace {

constexpr int k_clone_vm = 0x100, k_clone_thread = 0x10000, k_clone_settls = 0x80000,
              k_clone_parent_settid = 0x100000, k_clone_child_cleartid = 0x200000;

Result<long> clone_thread(int (*entry)(void*), void* stack, int flags, void* argument, int* parent_tid, void* tls,
    int* child_tid)
{
    if (!(flags & k_clone_vm) || !(flags & k_clone_thread))
        return uk::unsupported(56, "clone (without CLONE_VM|CLONE_THREAD: no processes)");
    return sched::create_thread(entry, argument, reinterpret_cast<u64>(stack),
        (flags & k_clone_settls) ? reinterpret_cast<u64>(tls) : arch::thread_pointer(),
        (flags & k_clone_child_cleartid) ? child_tid : nullptr, (flags & k_clone_parent_settid) ? parent_tid : nullptr);
}

} // namespace

// musl's pthread_create: __clone(start, stack, flags, arg, &new->tid, tls, &__thread_list_lock).
// Threads share everything, so only thread-creating flag combinations exist here. musl calls
// this directly, so, like a system-call wrapper, it returns the raw value or -errno.
extern "C" int __clone(int (*entry)(void*), void* stack, int flags, void* argument, int* parent_tid, void* tls,
    int* child_tid) noexcept
{
    sched::PreemptGuard guard;
    return static_cast<int>(to_syscall_result(clone_thread(entry, stack, flags, argument, parent_tid, tls, child_tid)));
}

// A detached thread's last act: unmap its own stack and exit.
extern "C" [[noreturn]] void __unmapself(void* base, size_t size) noexcept
{
    sched::exit_current_thread_and_unmap(reinterpret_cast<u64>(base), size);
}

// No guard: the exit disables interrupts and leaves for its CPU's exit stack at once.
UK_SYSCALL_HANDLER_LEAF(exit) { sched::exit_current_thread(static_cast<int>(a0)); }

UK_SYSCALL_HANDLER_UNLOCKED(set_tid_address)
{
    sched::current_thread().clear_child_tid = user_pointer<int>(a0);
    return sched::current_thread().tid;
}

UK_SYSCALL_HANDLER_LEAF(gettid) { return sched::current_thread().tid; }

// The robust-list head: struct robust_list_head, 3 longs. [set_robust_list(2)]
UK_SYSCALL_HANDLER_UNLOCKED(set_robust_list)
{
    if (a1 != 3 * sizeof(long))
        return error(EINVAL);
    sched::current_thread().robust_list = static_cast<u64>(a0);
    return 0;
}

UK_SYSCALL_HANDLER_UNLOCKED(get_robust_list)
{
    u64 head;
    {
        sched::SchedulerGuard guard; // The thread may exit meanwhile on another CPU.
        sched::Thread* thread = a0 == 0 ? &sched::current_thread() : sched::find_thread(static_cast<int>(a0));
        if (!thread)
            return error(ESRCH);
        head = thread->robust_list;
    }
    if (!user_writable(a1, sizeof(u64)) || !user_writable(a2, sizeof(u64)))
        return error(EFAULT);
    *user_pointer<u64>(a1) = head;
    *user_pointer<u64>(a2) = 3 * sizeof(long);
    return 0;
}

UK_SYSCALL_HANDLER_UNLOCKED(sched_yield)
{
    sched::yield();
    return 0;
}

UK_SYSCALL_HANDLER_UNLOCKED(futex)
{
    constexpr long k_wait = 0, k_wake = 1, k_requeue = 3, k_cmp_requeue = 4, k_lock_pi = 6, k_unlock_pi = 7,
                   k_trylock_pi = 8, k_wait_bitset = 9, k_wake_bitset = 10, k_futex_private = 128,
                   k_futex_clock_realtime = 256;
    long command = a1 & ~(k_futex_private | k_futex_clock_realtime);
    u64 address = static_cast<u64>(a0);
    if (address % 4)
        return error(EINVAL);
    switch (command) {
    case k_wait:
    case k_wait_bitset: {
        u64 deadline = 0;
        if (a3) {
            auto* timeout = user_pointer<const Timespec>(a3);
            if (!timeout->is_valid())
                return error(EINVAL);
            if (command == k_wait)
                deadline = clock::monotonic_ns() + timeout->to_ns(); // Relative.
            else if (a1 & k_futex_clock_realtime)
                deadline = clock::monotonic_ns() + (timeout->to_ns() > clock::realtime_ns() ? timeout->to_ns() - clock::realtime_ns() : 0);
            else
                deadline = timeout->to_ns(); // Absolute CLOCK_MONOTONIC.
            if (deadline == 0)
                deadline = 1;
        }
        auto r = sched::futex_wait(address, static_cast<u32>(a2), deadline,
            command == k_wait_bitset ? static_cast<u32>(a5) : 0xffffffff);
        if (r.is_error() && r.error_code() == EDEADLK) {
            sched::report_deadlock_threads();
            crash_here(k_sigabrt, "deadlock: futex wait with no other thread to wake it");
        }
        TRY(r);
        return 0;
    }
    case k_wake:
    case k_wake_bitset:
        return sched::futex_wake(address, static_cast<int>(a2), command == k_wake_bitset ? static_cast<u32>(a5) : 0xffffffff);
    case k_cmp_requeue:
        if (*user_pointer<const volatile u32>(a0) != static_cast<u32>(a5))
            return error(EAGAIN);
        [[fallthrough]];
    case k_requeue:
        return sched::futex_requeue(address, static_cast<int>(a2), static_cast<int>(a3), static_cast<u64>(a4));
    case k_lock_pi: {
        // The timeout is absolute, on CLOCK_REALTIME. [futex(2)]
        u64 deadline = 0;
        if (a3) {
            auto* timeout = user_pointer<const Timespec>(a3);
            if (!timeout->is_valid())
                return error(EINVAL);
            u64 wall = clock::realtime_ns();
            deadline = clock::monotonic_ns() + (timeout->to_ns() > wall ? timeout->to_ns() - wall : 0);
            if (deadline == 0)
                deadline = 1;
        }
        auto r = sched::futex_lock_pi(address, deadline);
        if (r.is_error() && r.error_code() == EDEADLK && (*user_pointer<const u32>(a0) & sched::k_futex_tid_mask)
                != static_cast<u32>(sched::current_thread().tid))
            crash_here(k_sigabrt, "deadlock: waiting for a priority-inheritance mutex no other thread can release");
        TRY(r);
        return 0;
    }
    case k_trylock_pi:
        TRY(sched::futex_trylock_pi(address));
        return 0;
    case k_unlock_pi:
        TRY(sched::futex_unlock_pi(address));
        return 0;
    default:
        return uk::unsupported(202, "futex (this operation)");
    }
}
