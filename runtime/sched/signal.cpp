// SPDX-License-Identifier: MIT
// Signal actions, masks, pending sets and delivery. A signal a thread sends itself runs its handler
// synchronously; blocked signals stay pending until unblocked; a signal for another thread ends
// that thread's blocking call with EINTR (what pthread_cancel needs) and stays pending for it;
// default actions end the program with a report, as Linux would kill the process.
#include "sched/signal.h"

#include "arch/arch.h"
#include "drivers/debug_exit.h"
#include "lib/crash.h"
#include "lib/format.h"
#include "lib/string.h"
#include "sched/scheduler.h"

namespace uk::sched {

namespace {

constexpr int k_sigkill = 9, k_sigstop = 19, k_sigabrt = 6;
constexpr u64 k_sa_siginfo = 4, k_sa_nodefer = 0x40000000, k_sa_resethand = 0x80000000;
constexpr uptr k_sig_default = 0, k_sig_ignore = 1;
constexpr u64 k_unblockable = signal_bit(k_sigkill) | signal_bit(k_sigstop);

// The kernel's siginfo_t (128 bytes) as a handler with SA_SIGINFO receives it.
struct SignalInfo {
    int signo, errno_value, code, pad;
    int pid, uid;
    char rest[104];
};
static_assert(sizeof(SignalInfo) == 128);

// Where a handler's ucontext_t (musl's x86_64 layout) keeps the mask that sigreturn restores.
constexpr size_t k_ucontext_size = 936;
constexpr size_t k_ucontext_sigmask = 296;

SignalAction g_actions[k_signal_count];
void (*g_pending_listener)();

// Each thread has its own signal mask and pending set (musl blocks every signal in a thread
// that is exiting; that must not leak into the others).
u64& blocked() { return current_thread().signal_mask; }
u64& pending() { return current_thread().pending_signals; }

bool ignored_by_default(int signal)
{
    // SIGCHLD, SIGCONT, SIGURG, SIGWINCH; stop signals cannot stop the only process either.
    return signal == 17 || signal == 18 || signal == 23 || signal == 28 || signal == 19 || signal == 20
        || signal == 21 || signal == 22;
}

bool dumps_core(int signal)
{
    return signal == 3 || signal == 4 || signal == 5 || signal == 6 || signal == 7 || signal == 8 || signal == 11
        || signal == 31 || signal == 24 || signal == 25;
}

bool is_ignored(int signal)
{
    uptr handler = g_actions[signal].handler;
    return handler == k_sig_ignore || (handler == k_sig_default && ignored_by_default(signal));
}

void mark_pending(Thread& thread, int signal)
{
    arch::InterruptGuard guard;
    thread.pending_signals |= signal_bit(signal);
    if (g_pending_listener)
        g_pending_listener();
}

void deliver(int signal);

// Delivers what is pending and not blocked; true if anything was.
bool deliver_pending()
{
    bool any = false;
    while (u64 ready = pending() & ~blocked()) {
        int signal = __builtin_ctzll(ready) + 1;
        pending() &= ~signal_bit(signal);
        deliver(signal);
        any = true;
    }
    return any;
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
    machine_exit(128 + signal);
}

void deliver(int signal)
{
    if (signal != k_sigkill && signal != k_sigstop && (blocked() & signal_bit(signal))) {
        mark_pending(current_thread(), signal);
        return;
    }
    SignalAction action = g_actions[signal];
    if (action.handler == k_sig_ignore)
        return;
    if (action.handler == k_sig_default || signal == k_sigkill) {
        if (ignored_by_default(signal))
            return;
        default_terminate(signal);
    }
    u64 saved_mask = blocked();
    blocked() |= action.mask;
    if (!(action.flags & k_sa_nodefer))
        blocked() |= signal_bit(signal);
    if (action.flags & k_sa_resethand)
        g_actions[signal].handler = k_sig_default;
    if (action.flags & k_sa_siginfo) {
        SignalInfo info {};
        info.signo = signal;
        info.code = -6; // SI_TKILL
        info.pid = 1;
        // The handler may change uc_sigmask, and the mask it leaves there is the one restored
        // afterwards, as rt_sigreturn does (musl's cancellation handler relies on it).
        alignas(16) u8 context[k_ucontext_size] {};
        copy_bytes(context + k_ucontext_sigmask, &saved_mask, sizeof(saved_mask));
        reinterpret_cast<void (*)(int, SignalInfo*, void*)>(action.handler)(signal, &info, context);
        copy_bytes(&saved_mask, context + k_ucontext_sigmask, sizeof(saved_mask));
        saved_mask &= ~k_unblockable;
    } else {
        reinterpret_cast<void (*)(int)>(action.handler)(signal);
    }
    blocked() = saved_mask;
    deliver_pending();
}

} // namespace

const char* signal_name(int signal)
{
    static const char* const names[] = { "0", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
        "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
        "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
        "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS" };
    return signal >= 0 && signal < 32 ? names[signal] : "real-time signal";
}

Result<void> set_signal_action(int signal, const SignalAction* action, SignalAction* old)
{
    if (signal < 1 || signal >= k_signal_count)
        return error(EINVAL);
    if (action && (signal == k_sigkill || signal == k_sigstop))
        return error(EINVAL);
    if (old)
        *old = g_actions[signal];
    if (action) {
        g_actions[signal] = *action;
        g_actions[signal].mask &= ~k_unblockable;
        // Setting SIG_IGN discards what is pending, in every thread. [POSIX 2.4.1]
        if (is_ignored(signal)) {
            arch::InterruptGuard guard;
            pending() &= ~signal_bit(signal);
        }
    }
    return {};
}

Result<u64> change_signal_mask(MaskChange how, u64 set)
{
    u64 previous = blocked();
    u64 value = set & ~k_unblockable;
    switch (how) {
    case MaskChange::Block: blocked() |= value; break;
    case MaskChange::Unblock: blocked() &= ~value; break;
    case MaskChange::Set: blocked() = value; break;
    default: return error(EINVAL);
    }
    deliver_pending();
    return previous;
}

u64 replace_signal_mask(u64 mask, bool& delivered)
{
    u64 saved = blocked();
    blocked() = mask & ~k_unblockable;
    delivered = deliver_pending();
    return saved;
}

void restore_signal_mask(u64 saved)
{
    blocked() = saved;
    deliver_pending();
}

u64 blocked_signals() { return blocked(); }
u64 pending_signals() { return pending(); }

Result<void> raise_signal(int signal)
{
    if (signal < 0 || signal >= k_signal_count)
        return error(EINVAL);
    if (signal == 0)
        return {};
    deliver(signal);
    return {};
}

Result<void> send_signal_to_thread(int tid, int signal)
{
    Thread* target = find_thread(tid);
    if (!target)
        return error(ESRCH);
    if (target == &current_thread())
        return raise_signal(signal);
    if (signal < 0 || signal >= k_signal_count)
        return error(EINVAL);
    if (signal == 0 || is_ignored(signal))
        return {};
    mark_pending(*target, signal);
    interrupt_thread(*target);
    return {};
}

Result<void> send_signal_to_process(int signal) { return raise_signal(signal); }

int take_pending_signal(u64 set)
{
    arch::InterruptGuard guard;
    u64 candidates = pending() & set;
    if (!candidates)
        return 0;
    int signal = __builtin_ctzll(candidates) + 1;
    pending() &= ~signal_bit(signal);
    return signal;
}

void set_pending_listener(void (*listener)()) { g_pending_listener = listener; }

}
