// SPDX-License-Identifier: MIT
// Checks the runtime's Linux ABI constants (lib/errno.h, lib/linux/*.h) against the host's C
// library headers: the host is x86_64 Linux, so every value must match what glibc declares.
//
// The runtime's values are captured before the C library's headers are included: lib/errno.h
// declares the errno names as enumerators, which <errno.h>'s macros would otherwise rewrite.
#include "lib/errno.h"
#include "lib/linux/fcntl.h"
#include "lib/linux/ioctl.h"
#include "lib/linux/poll.h"
#include "lib/linux/signal.h"
#include "lib/linux/time.h"

#define UK_ERRNO_NAMES(X)                                                                                             \
    X(EPERM) X(ENOENT) X(ESRCH) X(EINTR) X(EIO) X(ENXIO) X(E2BIG) X(ENOEXEC) X(EBADF) X(ECHILD) X(EAGAIN) X(ENOMEM) \
    X(EACCES) X(EFAULT) X(EBUSY) X(EEXIST) X(EXDEV) X(ENODEV) X(ENOTDIR) X(EISDIR) X(EINVAL) X(ENFILE) X(EMFILE)      \
    X(ENOTTY) X(EFBIG) X(ENOSPC) X(ESPIPE) X(EROFS) X(EMLINK) X(EPIPE) X(EDOM) X(ERANGE) X(EDEADLK) X(ENAMETOOLONG) \
    X(ENOLCK) X(ENOSYS) X(ENOTEMPTY) X(ELOOP) X(ENODATA) X(EOVERFLOW) X(ENOTSOCK) X(EOPNOTSUPP) X(ETIMEDOUT)
#define UK_STRINGIFY(name) #name,
#define UK_RUNTIME_VALUE(name) uk::name,
static const char* const k_errno_names[] = { UK_ERRNO_NAMES(UK_STRINGIFY) };
static const int k_runtime_errnos[] = { UK_ERRNO_NAMES(UK_RUNTIME_VALUE) };

#include <gtest/gtest.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include <string>

namespace uk {
namespace {

#define UK_HOST_VALUE(name) name,
const int k_host_errnos[] = { UK_ERRNO_NAMES(UK_HOST_VALUE) };

TEST(LinuxAbi, ErrnoValues)
{
    static_assert(sizeof(k_runtime_errnos) == sizeof(k_host_errnos));
    for (size_t i = 0; i < sizeof(k_host_errnos) / sizeof(k_host_errnos[0]); ++i)
        EXPECT_EQ(k_runtime_errnos[i], k_host_errnos[i]) << k_errno_names[i];
}

TEST(LinuxAbi, SignalNumbersAndNames)
{
    const int numbers[] = { k_sighup, k_sigint, k_sigquit, k_sigill, k_sigtrap, k_sigabrt, k_sigbus, k_sigfpe,
        k_sigkill, k_sigusr1, k_sigsegv, k_sigusr2, k_sigpipe, k_sigalrm, k_sigterm, k_sigstkflt, k_sigchld,
        k_sigcont, k_sigstop, k_sigtstp, k_sigttin, k_sigttou, k_sigurg, k_sigxcpu, k_sigxfsz, k_sigvtalrm,
        k_sigprof, k_sigwinch, k_sigio, k_sigpwr, k_sigsys };
    const int host[] = { SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGKILL, SIGUSR1, SIGSEGV,
        SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGSTKFLT, SIGCHLD, SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG,
        SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGIO, SIGPWR, SIGSYS };
    static_assert(sizeof(numbers) == sizeof(host));
    for (size_t i = 0; i < sizeof(host) / sizeof(host[0]); ++i) {
        EXPECT_EQ(numbers[i], host[i]);
        // glibc names signal 29 after its alias SIGPOLL.
        if (host[i] != SIGIO) {
            EXPECT_EQ(std::string(signal_name(numbers[i])), std::string("SIG") + sigabbrev_np(host[i]));
        }
    }
    EXPECT_STREQ(signal_name(k_sigio), "SIGIO");
    EXPECT_STREQ(signal_name(k_sigrtmin), "real-time signal");
    EXPECT_STREQ(signal_name(64), "real-time signal");
    EXPECT_STREQ(signal_name(65), "invalid signal");
    EXPECT_STREQ(signal_name(-1), "invalid signal");
    EXPECT_EQ(k_signal_count, _NSIG);

    EXPECT_EQ(k_sig_dfl, reinterpret_cast<uptr>(SIG_DFL));
    EXPECT_EQ(k_sig_ign, reinterpret_cast<uptr>(SIG_IGN));
    EXPECT_EQ(k_sa_siginfo, static_cast<u64>(SA_SIGINFO));
    EXPECT_EQ(k_sa_onstack, static_cast<u64>(SA_ONSTACK));
    EXPECT_EQ(k_sa_restart, static_cast<u64>(SA_RESTART));
    EXPECT_EQ(k_sa_nodefer, static_cast<u64>(SA_NODEFER));
    EXPECT_EQ(k_sa_resethand, static_cast<u64>(static_cast<unsigned>(SA_RESETHAND)));
    EXPECT_EQ(k_sig_block, SIG_BLOCK);
    EXPECT_EQ(k_sig_unblock, SIG_UNBLOCK);
    EXPECT_EQ(k_sig_setmask, SIG_SETMASK);
    EXPECT_EQ(k_si_tkill, SI_TKILL);
    EXPECT_EQ(k_ss_disable, SS_DISABLE);
}

TEST(LinuxAbi, IoctlRequests)
{
    EXPECT_EQ(k_tcgets, static_cast<unsigned long>(TCGETS));
    EXPECT_EQ(k_tcsets, static_cast<unsigned long>(TCSETS));
    EXPECT_EQ(k_tcsetsw, static_cast<unsigned long>(TCSETSW));
    EXPECT_EQ(k_tcsetsf, static_cast<unsigned long>(TCSETSF));
    EXPECT_EQ(k_tcsbrk, static_cast<unsigned long>(TCSBRK));
    EXPECT_EQ(k_tcxonc, static_cast<unsigned long>(TCXONC));
    EXPECT_EQ(k_tcflsh, static_cast<unsigned long>(TCFLSH));
    EXPECT_EQ(k_tiocsctty, static_cast<unsigned long>(TIOCSCTTY));
    EXPECT_EQ(k_tiocgpgrp, static_cast<unsigned long>(TIOCGPGRP));
    EXPECT_EQ(k_tiocspgrp, static_cast<unsigned long>(TIOCSPGRP));
    EXPECT_EQ(k_tiocgwinsz, static_cast<unsigned long>(TIOCGWINSZ));
    EXPECT_EQ(k_tiocswinsz, static_cast<unsigned long>(TIOCSWINSZ));
    EXPECT_EQ(k_tiocnotty, static_cast<unsigned long>(TIOCNOTTY));
    EXPECT_EQ(k_fionread, static_cast<unsigned long>(FIONREAD));
    EXPECT_EQ(k_fionbio, static_cast<unsigned long>(FIONBIO));
    EXPECT_EQ(k_fionclex, static_cast<unsigned long>(FIONCLEX));
    EXPECT_EQ(k_fioclex, static_cast<unsigned long>(FIOCLEX));
    EXPECT_EQ(k_fioasync, static_cast<unsigned long>(FIOASYNC));
}

TEST(LinuxAbi, PollEvents)
{
    EXPECT_EQ(k_poll_in, POLLIN);
    EXPECT_EQ(k_poll_pri, POLLPRI);
    EXPECT_EQ(k_poll_out, POLLOUT);
    EXPECT_EQ(k_poll_err, POLLERR);
    EXPECT_EQ(k_poll_hup, POLLHUP);
    EXPECT_EQ(k_poll_nval, POLLNVAL);
    EXPECT_EQ(k_poll_rdnorm, POLLRDNORM);
    EXPECT_EQ(k_poll_wrnorm, POLLWRNORM);
}

TEST(LinuxAbi, OpenFlagsAndFcntl)
{
    const u32 ours[] = { k_o_accmode, k_o_rdonly, k_o_wronly, k_o_rdwr, k_o_creat, k_o_excl, k_o_noctty, k_o_trunc,
        k_o_append, k_o_nonblock, k_o_dsync, k_o_async, k_o_direct, k_o_directory, k_o_nofollow, k_o_noatime,
        k_o_cloexec, k_o_sync, k_o_path, k_o_tmpfile };
    const int host[] = { O_ACCMODE, O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC, O_APPEND,
        O_NONBLOCK, O_DSYNC, O_ASYNC, O_DIRECT, O_DIRECTORY, O_NOFOLLOW, O_NOATIME, O_CLOEXEC, O_SYNC, O_PATH,
        O_TMPFILE };
    static_assert(sizeof(ours) == sizeof(host));
    for (size_t i = 0; i < sizeof(host) / sizeof(host[0]); ++i)
        EXPECT_EQ(ours[i], static_cast<u32>(host[i])) << "open flag " << i;
    // glibc's O_LARGEFILE is 0 on 64-bit hosts; the kernel's value is what F_GETFL reports.
    EXPECT_EQ(k_o_largefile, 0100000u);

    EXPECT_EQ(k_fd_cloexec, static_cast<u32>(FD_CLOEXEC));
    EXPECT_EQ(k_at_fdcwd, AT_FDCWD);
    EXPECT_EQ(k_at_symlink_nofollow, static_cast<u32>(AT_SYMLINK_NOFOLLOW));
    EXPECT_EQ(k_at_removedir, static_cast<u32>(AT_REMOVEDIR));
    EXPECT_EQ(k_at_eaccess, static_cast<u32>(AT_EACCESS));
    EXPECT_EQ(k_at_symlink_follow, static_cast<u32>(AT_SYMLINK_FOLLOW));
    EXPECT_EQ(k_at_no_automount, static_cast<u32>(AT_NO_AUTOMOUNT));
    EXPECT_EQ(k_at_empty_path, static_cast<u32>(AT_EMPTY_PATH));
    EXPECT_EQ(k_at_statx_sync_type, static_cast<u32>(AT_STATX_SYNC_TYPE));

    const long commands[] = { k_f_dupfd, k_f_getfd, k_f_setfd, k_f_getfl, k_f_setfl, k_f_getlk, k_f_setlk,
        k_f_setlkw, k_f_setown, k_f_getown, k_f_setsig, k_f_getsig, k_f_setown_ex, k_f_getown_ex, k_f_ofd_getlk,
        k_f_ofd_setlk, k_f_ofd_setlkw, k_f_setlease, k_f_getlease, k_f_notify, k_f_dupfd_cloexec, k_f_setpipe_sz,
        k_f_getpipe_sz, k_f_add_seals, k_f_get_seals };
    const long host_commands[] = { F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_GETLK, F_SETLK, F_SETLKW, F_SETOWN,
        F_GETOWN, F_SETSIG, F_GETSIG, F_SETOWN_EX, F_GETOWN_EX, F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW, F_SETLEASE,
        F_GETLEASE, F_NOTIFY, F_DUPFD_CLOEXEC, F_SETPIPE_SZ, F_GETPIPE_SZ, F_ADD_SEALS, F_GET_SEALS };
    static_assert(sizeof(commands) == sizeof(host_commands));
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); ++i)
        EXPECT_EQ(commands[i], host_commands[i]) << "fcntl command " << i;
    EXPECT_EQ(k_f_rdlck, F_RDLCK);
    EXPECT_EQ(k_f_wrlck, F_WRLCK);
    EXPECT_EQ(k_f_unlck, F_UNLCK);
}

TEST(LinuxAbi, ClocksAndTimes)
{
    EXPECT_EQ(k_clock_realtime, CLOCK_REALTIME);
    EXPECT_EQ(k_clock_monotonic, CLOCK_MONOTONIC);
    EXPECT_EQ(k_clock_process_cputime, CLOCK_PROCESS_CPUTIME_ID);
    EXPECT_EQ(k_clock_thread_cputime, CLOCK_THREAD_CPUTIME_ID);
    EXPECT_EQ(k_clock_monotonic_raw, CLOCK_MONOTONIC_RAW);
    EXPECT_EQ(k_clock_realtime_coarse, CLOCK_REALTIME_COARSE);
    EXPECT_EQ(k_clock_monotonic_coarse, CLOCK_MONOTONIC_COARSE);
    EXPECT_EQ(k_clock_boottime, CLOCK_BOOTTIME);
    EXPECT_EQ(k_clock_realtime_alarm, CLOCK_REALTIME_ALARM);
    EXPECT_EQ(k_clock_boottime_alarm, CLOCK_BOOTTIME_ALARM);
    EXPECT_EQ(k_clock_tai, CLOCK_TAI);
    EXPECT_EQ(k_timer_abstime, TIMER_ABSTIME);
    EXPECT_EQ(sizeof(Timespec), sizeof(timespec));
    EXPECT_EQ(sizeof(Timeval), sizeof(timeval));
}

} // namespace
} // namespace uk
