// SPDX-License-Identifier: MIT
// Signal system calls; the signals themselves live in sched/signal.
#include "lib/crash.h"
#include "sched/signal.h"
#include "syscalls/syscall.h"

using namespace uk;

namespace {
constexpr long k_sigset_size = 8;
}

UK_SYSCALL_HANDLER(rt_sigaction)
{
    if (a3 != k_sigset_size)
        return -EINVAL;
    return to_syscall_result(sched::set_signal_action(static_cast<int>(a0),
        user_pointer<const sched::SignalAction>(a1), user_pointer<sched::SignalAction>(a2)));
}

UK_SYSCALL_HANDLER(rt_sigprocmask)
{
    if (a3 != k_sigset_size)
        return -EINVAL;
    auto* set = user_pointer<const u64>(a1);
    auto* old = user_pointer<u64>(a2);
    u64 previous = sched::blocked_signals();
    if (set) {
        if (a0 < 0 || a0 > 2)
            return -EINVAL;
        previous = TRY_OR_RETURN(sched::change_signal_mask(static_cast<sched::MaskChange>(a0), *set));
    }
    if (old)
        *old = previous;
    return 0;
}

UK_SYSCALL_HANDLER(rt_sigpending)
{
    if (a1 != k_sigset_size)
        return -EINVAL;
    *user_pointer<u64>(a0) = sched::pending_signals();
    return 0;
}

UK_SYSCALL_HANDLER(tkill) { return to_syscall_result(sched::send_signal_to_thread(static_cast<int>(a0), static_cast<int>(a1))); }

UK_SYSCALL_HANDLER(tgkill)
{
    if (a0 != 1)
        return -ESRCH;
    return to_syscall_result(sched::send_signal_to_thread(static_cast<int>(a1), static_cast<int>(a2)));
}

UK_SYSCALL_HANDLER(kill)
{
    // The one process is pid 1; 0 and -1 name it too (its group, every process it may signal).
    if (a0 != 1 && a0 != 0 && a0 != -1)
        return -ESRCH;
    return to_syscall_result(sched::send_signal_to_process(static_cast<int>(a1)));
}

UK_SYSCALL_HANDLER(sigaltstack)
{
    if (a1) {
        struct StackT {
            void* sp;
            int flags;
            size_t size;
        };
        auto* old = user_pointer<StackT>(a1);
        old->sp = nullptr;
        old->flags = 2; // SS_DISABLE
        old->size = 0;
    }
    return 0;
}

UK_SYSCALL_HANDLER(rt_sigreturn)
{
    // Handlers are called as functions and return normally; nothing ever enters through the
    // signal trampoline.
    crash_here(11, "rt_sigreturn called outside a signal frame");
}
