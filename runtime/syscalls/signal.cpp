// SPDX-License-Identifier: MIT
// Signal system calls; the signals themselves live in sched/signal.
#include "arch/crash.h"
#include "lib/linux/process.h"
#include "lib/linux/time.h"
#include "lib/string.h"
#include "sched/clock.h"
#include "sched/locks.h"
#include "sched/signal.h"
#include "syscalls/file_support.h"
#include "syscalls/syscall.h"

using namespace uk;

namespace {
constexpr long k_sigset_size = 8;
}

// musl's cancellation-point code (src/thread/x86_64/syscall_cp.s in the overlay): [__cp_begin,
// __cp_end) covers the check of the cancel flag and the call, which is at __uk_cp_call; __cp_end
// is its return address.
extern "C" const char __cp_end[] __attribute__((weak));
extern "C" const char __uk_cp_call[] __attribute__((weak));

bool uk::deliver_signals_at_exit(bool interrupted, const void* return_address) noexcept
{
    // As its contract asks (and as Linux does for a restartable `syscall` instruction), a call
    // from a cancellation point that did not complete is reported as interrupted at the call
    // instruction; one that completed, at __cp_end.
    u64 pc = 0;
    if (__cp_end && return_address == __cp_end)
        pc = reinterpret_cast<u64>(interrupted ? __uk_cp_call : __cp_end);
    return sched::deliver_at_system_call_exit(pc);
}

UK_SYSCALL_HANDLER(rt_sigaction)
{
    if (a3 != k_sigset_size)
        return error(EINVAL);
    TRY(sched::set_signal_action(static_cast<int>(a0), user_pointer<const sched::SignalAction>(a1),
        user_pointer<sched::SignalAction>(a2)));
    return 0;
}

UK_SYSCALL_HANDLER_UNLOCKED(rt_sigprocmask)
{
    if (a3 != k_sigset_size)
        return error(EINVAL);
    auto* set = user_pointer<const u64>(a1);
    auto* old = user_pointer<u64>(a2);
    u64 previous = sched::blocked_signals();
    if (set) {
        if (a0 < 0 || a0 > 2)
            return error(EINVAL);
        previous = TRY(sched::change_signal_mask(static_cast<sched::MaskChange>(a0), *set));
    }
    if (old)
        *old = previous;
    return 0;
}

UK_SYSCALL_HANDLER_UNLOCKED(rt_sigpending)
{
    if (a1 != k_sigset_size)
        return error(EINVAL);
    *user_pointer<u64>(a0) = sched::pending_signals();
    return 0;
}

UK_SYSCALL_HANDLER_UNLOCKED(tkill)
{
    TRY(sched::send_signal_to_thread(static_cast<int>(a0), static_cast<int>(a1)));
    return 0;
}

UK_SYSCALL_HANDLER_UNLOCKED(tgkill)
{
    if (a0 != k_process_id)
        return error(ESRCH);
    TRY(sched::send_signal_to_thread(static_cast<int>(a1), static_cast<int>(a2)));
    return 0;
}

UK_SYSCALL_HANDLER_UNLOCKED(kill)
{
    // The one process; 0 and -1 name it too (its group, every process it may signal).
    if (a0 != k_process_id && a0 != 0 && a0 != -1)
        return error(ESRCH);
    TRY(sched::send_signal_to_process(static_cast<int>(a1), 0 /* SI_USER */));
    return 0;
}

UK_SYSCALL_HANDLER_UNLOCKED(sigaltstack)
{
    sched::AlternateStack stack, old;
    if (a0) {
        if (!user_readable(a0, sizeof(stack)))
            return error(EFAULT);
        stack = *user_pointer<const sched::AlternateStack>(a0);
    }
    if (a1 && !user_writable(a1, sizeof(old)))
        return error(EFAULT);
    TRY(sched::set_alternate_stack(a0 ? &stack : nullptr, a1 ? &old : nullptr));
    if (a1)
        *user_pointer<sched::AlternateStack>(a1) = old;
    return 0;
}

namespace {

// struct siginfo's fields rt_sigtimedwait and rt_sigqueueinfo use.
struct UserSignalInfo {
    int signo, errno_value, code, pad;
    int pid, uid;
    u64 value;
    char rest[96];
};
static_assert(sizeof(UserSignalInfo) == 128);

Result<long> wait_for_signal(long user_set, long user_info, long user_timeout, long set_size)
{
    if (set_size != 8)
        return error(EINVAL);
    if (!user_readable(user_set, 8))
        return error(EFAULT);
    u64 set = *user_pointer<const u64>(user_set) & ~(sched::signal_bit(9) | sched::signal_bit(19));
    u64 deadline = 0;
    if (user_timeout) {
        if (!user_readable(user_timeout, sizeof(Timespec)))
            return error(EFAULT);
        Timespec t = *user_pointer<const Timespec>(user_timeout);
        if (!t.is_valid())
            return error(EINVAL);
        deadline = clock::monotonic_ns() + t.to_ns();
    }
    if (user_info && !user_writable(user_info, sizeof(UserSignalInfo)))
        return error(EFAULT);
    for (;;) {
        int code = 0;
        u64 value = 0;
        if (int signal = sched::take_pending_signal(set, &code, &value)) {
            if (user_info) {
                auto* info = user_pointer<UserSignalInfo>(user_info);
                fill_bytes(info, 0, sizeof(*info));
                info->signo = signal;
                info->code = code;
                info->pid = 1;
                info->value = value;
            }
            return signal;
        }
        // The signals waited for are normally blocked; a signal arriving for this thread ends
        // the sleep (as Interrupted only if it is deliverable, i.e. not one of `set`).
        sched::SchedulerGuard guard;
        auto r = sched::block_for_signal_locked(set, deadline);
        if (r == sched::WaitResult::TimedOut)
            return error(EAGAIN);
        if (r == sched::WaitResult::Interrupted)
            return error(EINTR);
    }
}

Result<long> suspend(long user_mask, long set_size)
{
    if (set_size != 8)
        return error(EINVAL);
    if (!user_readable(user_mask, 8))
        return error(EFAULT);
    if (!sched::use_temporary_signal_mask(*user_pointer<const u64>(user_mask))) {
        sched::SchedulerGuard guard;
        while (sched::block_for_signal_locked(0, 0) != sched::WaitResult::Interrupted) { }
    }
    return error(EINTR); // The handler runs as the call returns.
}

Result<long> queue_signal(long pid, long signal, long user_info)
{
    if (pid != k_process_id && pid != 0)
        return error(ESRCH);
    if (!user_readable(user_info, sizeof(UserSignalInfo)))
        return error(EFAULT);
    auto* info = user_pointer<const UserSignalInfo>(user_info);
    // [rt_sigqueueinfo(2)] Only SI_QUEUE-like (negative) codes may be sent by a program.
    if (info->code >= 0 || info->code == -6)
        return error(EPERM);
    TRY(sched::send_signal_to_process(static_cast<int>(signal), info->code, info->value));
    return 0;
}

} // namespace

UK_SYSCALL_HANDLER_UNLOCKED_NO_RESTART(rt_sigtimedwait) { return wait_for_signal(a0, a1, a2, a3); }
UK_SYSCALL_HANDLER_UNLOCKED_NO_RESTART(rt_sigsuspend) { return suspend(a0, a1); }
UK_SYSCALL_HANDLER_UNLOCKED(rt_sigqueueinfo) { return queue_signal(a0, a1, a2); }

// Reached from the signal frame's restorer (musl's __restore_rt) with its stack pointer, where the
// ucontext is: not a system call like the others, because it never returns to its caller.
extern "C" long __uk_sys_rt_sigreturn(long context, long, long, long, long, long) noexcept
{
    sched::return_from_signal(static_cast<u64>(context));
}
