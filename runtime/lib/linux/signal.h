// SPDX-License-Identifier: MIT
// Linux signals as programs see them (x86_64 values): numbers, names, and the constants of
// rt_sigaction, rt_sigprocmask and siginfo.
#pragma once

#include "lib/types.h"

namespace uk {

inline constexpr int k_sighup = 1, k_sigint = 2, k_sigquit = 3, k_sigill = 4, k_sigtrap = 5, k_sigabrt = 6,
                     k_sigbus = 7, k_sigfpe = 8, k_sigkill = 9, k_sigusr1 = 10, k_sigsegv = 11, k_sigusr2 = 12,
                     k_sigpipe = 13, k_sigalrm = 14, k_sigterm = 15, k_sigstkflt = 16, k_sigchld = 17,
                     k_sigcont = 18, k_sigstop = 19, k_sigtstp = 20, k_sigttin = 21, k_sigttou = 22, k_sigurg = 23,
                     k_sigxcpu = 24, k_sigxfsz = 25, k_sigvtalrm = 26, k_sigprof = 27, k_sigwinch = 28, k_sigio = 29,
                     k_sigpwr = 30, k_sigsys = 31;
// Signals 32..64 are the real-time ones; the kernel's _NSIG is 65 (numbers start at 1).
inline constexpr int k_sigrtmin = 32;
inline constexpr int k_signal_count = 65;

// sigaction's sa_handler values and sa_flags bits.
inline constexpr uptr k_sig_dfl = 0, k_sig_ign = 1;
inline constexpr u64 k_sa_siginfo = 4, k_sa_restorer = 0x04000000, k_sa_onstack = 0x08000000,
                     k_sa_restart = 0x10000000, k_sa_nodefer = 0x40000000, k_sa_resethand = 0x80000000;
// rt_sigprocmask's `how`.
inline constexpr long k_sig_block = 0, k_sig_unblock = 1, k_sig_setmask = 2;
// siginfo's si_code for a signal sent by tkill/tgkill.
inline constexpr int k_si_tkill = -6;
// sigaltstack's ss_flags, and the smallest stack it accepts (MINSIGSTKSZ).
inline constexpr int k_ss_onstack = 1, k_ss_disable = 2, k_ss_autodisarm = 1 << 31;
inline constexpr u64 k_min_signal_stack = 2048;
// siginfo's si_code values the runtime sends: kill, sigqueue, tkill/tgkill, and the kernel.
inline constexpr int k_si_user = 0, k_si_queue = -1, k_si_kernel = 0x80;

// The name of a standard signal ("SIGSEGV"), or "real-time signal" for 32..64.
constexpr const char* signal_name(int signal)
{
    constexpr const char* names[] = { "0", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS",
        "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
        "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ",
        "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS" };
    if (signal < 0 || signal >= k_signal_count)
        return "invalid signal";
    return signal < k_sigrtmin ? names[signal] : "real-time signal";
}

}
