// SPDX-License-Identifier: MIT
// Signals a program sends itself (raise, abort, kill(getpid())): handlers run synchronously,
// blocked signals stay pending until unblocked, and default actions end the program with a
// report, as Linux would kill the process.
#include "arch/arch.h"
#include "arch/crash.h"
#include "lib/format.h"
#include "lib/linux/process.h"
#include "lib/linux/signal.h"
#include "mm/address_space.h"
#include "sched/scheduler.h"
#include "syscalls/syscall.h"

using namespace uk;

namespace {

// The kernel's struct sigaction for x86_64 (what musl passes to rt_sigaction).
struct KernelSigaction {
    uptr handler;
    u64 flags;
    uptr restorer;
    u64 mask;
};
static_assert(sizeof(KernelSigaction) == 32);

struct SignalInfo {
    int signo, errno_value, code, pad;
    int pid, uid;
    char rest[104];
};
static_assert(sizeof(SignalInfo) == 128);

KernelSigaction g_actions[k_signal_count];
// Each thread has its own signal mask and pending set (musl blocks every signal in a thread
// that is exiting; that must not leak into the others).
u64& blocked() { return sched::current_thread().signal_mask; }
u64& pending() { return sched::current_thread().pending_signals; }

u64 bit(int signal) { return 1ull << (signal - 1); }

bool ignored_by_default(int signal)
{
    // SIGCHLD, SIGCONT, SIGURG, SIGWINCH; stop signals cannot stop the only process either.
    return signal == k_sigchld || signal == k_sigcont || signal == k_sigurg || signal == k_sigwinch
        || signal == k_sigstop || signal == k_sigtstp || signal == k_sigttin || signal == k_sigttou;
}

bool dumps_core(int signal)
{
    return signal == k_sigquit || signal == k_sigill || signal == k_sigtrap || signal == k_sigabrt
        || signal == k_sigbus || signal == k_sigfpe || signal == k_sigsegv || signal == k_sigsys || signal == k_sigxcpu
        || signal == k_sigxfsz;
}

void deliver(int signal);

void deliver_pending()
{
    while (u64 ready = pending() & ~blocked()) {
        int signal = __builtin_ctzll(ready) + 1;
        pending() &= ~bit(signal);
        deliver(signal);
    }
}

[[noreturn]] void default_terminate(int signal)
{
    char what[96];
    if (signal == k_sigabrt)
        format(what, sizeof(what), "program aborted (SIGABRT)");
    else
        format(what, sizeof(what), "program terminated by signal %d (%s)", signal, signal_name(signal));
    if (dumps_core(signal))
        crash_here(signal, what);
    printk("uk: %s\n", what);
    arch::machine_exit(128 + signal);
}

void deliver(int signal)
{
    if (signal != k_sigkill && signal != k_sigstop && (blocked() & bit(signal))) {
        pending() |= bit(signal);
        return;
    }
    KernelSigaction action = g_actions[signal];
    if (action.handler == k_sig_ign)
        return;
    if (action.handler == k_sig_dfl || signal == k_sigkill) {
        if (ignored_by_default(signal))
            return;
        default_terminate(signal);
    }
    u64 saved_mask = blocked();
    blocked() |= action.mask;
    if (!(action.flags & k_sa_nodefer))
        blocked() |= bit(signal);
    if (action.flags & k_sa_resethand)
        g_actions[signal].handler = k_sig_dfl;
    if (action.flags & k_sa_siginfo) {
        SignalInfo info {};
        info.signo = signal;
        info.code = k_si_tkill;
        info.pid = k_process_id;
        alignas(16) char context[1024] {};
        reinterpret_cast<void (*)(int, SignalInfo*, void*)>(action.handler)(signal, &info, context);
    } else {
        reinterpret_cast<void (*)(int)>(action.handler)(signal);
    }
    blocked() = saved_mask;
    deliver_pending();
}

Result<long> send_to_self(long signal)
{
    if (signal < 0 || signal >= k_signal_count)
        return error(EINVAL);
    if (signal == 0)
        return 0;
    deliver(static_cast<int>(signal));
    return 0;
}

Result<long> send_to_thread(long tid, long signal);

} // namespace

UK_SYSCALL_HANDLER(rt_sigaction)
{
    if (a0 < 1 || a0 >= k_signal_count || a3 != 8)
        return error(EINVAL);
    auto* new_action = user_pointer<const KernelSigaction>(a1);
    auto* old_action = user_pointer<KernelSigaction>(a2);
    if (new_action && (a0 == k_sigkill || a0 == k_sigstop))
        return error(EINVAL);
    if (old_action)
        *old_action = g_actions[a0];
    if (new_action) {
        g_actions[a0] = *new_action;
        g_actions[a0].mask &= ~(bit(k_sigkill) | bit(k_sigstop));
        if (new_action->handler == k_sig_ign)
            pending() &= ~bit(static_cast<int>(a0));
    }
    return 0;
}

UK_SYSCALL_HANDLER(rt_sigprocmask)
{
    if (a3 != 8)
        return error(EINVAL);
    auto* set = user_pointer<const u64>(a1);
    auto* old = user_pointer<u64>(a2);
    u64 previous = blocked();
    if (set) {
        u64 value = *set & ~(bit(k_sigkill) | bit(k_sigstop));
        if (a0 == k_sig_block)
            blocked() |= value;
        else if (a0 == k_sig_unblock)
            blocked() &= ~value;
        else if (a0 == k_sig_setmask)
            blocked() = value;
        else
            return error(EINVAL);
    }
    if (old)
        *old = previous;
    deliver_pending();
    return 0;
}

UK_SYSCALL_HANDLER(rt_sigpending)
{
    *user_pointer<u64>(a0) = pending();
    return 0;
}

namespace {
// A signal for another thread interrupts whatever it is blocked in (EINTR), which is what
// pthread_cancel needs; handlers run only for signals a thread sends itself.
Result<long> send_to_thread(long tid, long signal)
{
    sched::Thread* target = sched::find_thread(static_cast<int>(tid));
    if (!target)
        return error(ESRCH);
    if (target == &sched::current_thread())
        return send_to_self(signal);
    if (signal < 0 || signal >= k_signal_count)
        return error(EINVAL);
    if (signal)
        sched::interrupt_thread(*target);
    return 0;
}
}

UK_SYSCALL_HANDLER(tkill) { return send_to_thread(a0, a1); }
UK_SYSCALL_HANDLER(tgkill)
{
    if (a0 != k_process_id)
        return error(ESRCH);
    return send_to_thread(a1, a2);
}
UK_SYSCALL_HANDLER(kill)
{
    if (a0 != k_process_id && a0 != 0 && a0 != -1)
        return error(ESRCH);
    return send_to_self(a1);
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
        old->flags = k_ss_disable;
        old->size = 0;
    }
    return 0;
}

UK_SYSCALL_HANDLER(rt_sigreturn)
{
    // Handlers are called as functions and return normally; nothing ever enters through the
    // signal trampoline.
    crash_here(k_sigsegv, "rt_sigreturn called outside a signal frame");
}
