/* SPDX-License-Identifier: MIT */
/* uksdk addition to musl (no upstream counterpart): compile-time checks of everything the runtime
 * and musl must agree on. The runtime is C++ built from its own headers, so it sees none of musl's
 * types; a mismatch would corrupt memory silently, so the musl build fails instead. The runtime
 * asserts the same numbers on its side. This file defines no symbols. */
#define _GNU_SOURCE
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <netinet/in.h>
#include <time.h>
#include <ucontext.h>
#include "pthread_impl.h"
#include "kstat.h"
#include "ksigaction.h"

#define UK_CHECK_SIZE(type, size) _Static_assert(sizeof(type) == (size), "sizeof(" #type ")")
#define UK_CHECK_OFFSET(type, member, offset) \
	_Static_assert(offsetof(type, member) == (offset), "offsetof(" #type ", " #member ")")

/* The runtime's list of system calls (copied here as arch/x86_64/uk_syscalls.def) must number
 * every call exactly as musl's <bits/syscall.h> does: musl calls by number, the runtime
 * dispatches by the list. (__NR_*, not SYS_*: musl's internal syscall.h maps some SYS_* names to
 * newer calls, e.g. SYS_getdents to SYS_getdents64.) */
#define UK_SYSCALL(nr, name) _Static_assert(__NR_##name == (nr), "__NR_" #name " differs from uk_syscalls.def");
#include "uk_syscalls.def"
#undef UK_SYSCALL

/* Scalar types that appear in system call arguments and in the structs below. */
UK_CHECK_SIZE(long, 8);
UK_CHECK_SIZE(void *, 8);
UK_CHECK_SIZE(off_t, 8);
UK_CHECK_SIZE(time_t, 8);
UK_CHECK_SIZE(clock_t, 8);
UK_CHECK_SIZE(suseconds_t, 8);
UK_CHECK_SIZE(dev_t, 8);
UK_CHECK_SIZE(ino_t, 8);
UK_CHECK_SIZE(nlink_t, 8);
UK_CHECK_SIZE(blksize_t, 8);
UK_CHECK_SIZE(blkcnt_t, 8);
UK_CHECK_SIZE(pid_t, 4);
UK_CHECK_SIZE(uid_t, 4);
UK_CHECK_SIZE(gid_t, 4);
UK_CHECK_SIZE(mode_t, 4);
UK_CHECK_SIZE(socklen_t, 4);
UK_CHECK_SIZE(nfds_t, 8);

/* Time. */
UK_CHECK_SIZE(struct timespec, 16);
UK_CHECK_OFFSET(struct timespec, tv_nsec, 8);
UK_CHECK_SIZE(struct timeval, 16);
UK_CHECK_OFFSET(struct timeval, tv_usec, 8);
UK_CHECK_SIZE(struct timezone, 8);
UK_CHECK_SIZE(struct itimerspec, 32);
UK_CHECK_SIZE(struct itimerval, 32);
UK_CHECK_SIZE(struct tms, 32);

/* Files. stat and fstat fill struct stat directly; fstatat goes through musl's struct kstat. */
UK_CHECK_SIZE(struct stat, 144);
UK_CHECK_OFFSET(struct stat, st_ino, 8);
UK_CHECK_OFFSET(struct stat, st_nlink, 16);
UK_CHECK_OFFSET(struct stat, st_mode, 24);
UK_CHECK_OFFSET(struct stat, st_uid, 28);
UK_CHECK_OFFSET(struct stat, st_gid, 32);
UK_CHECK_OFFSET(struct stat, st_rdev, 40);
UK_CHECK_OFFSET(struct stat, st_size, 48);
UK_CHECK_OFFSET(struct stat, st_blksize, 56);
UK_CHECK_OFFSET(struct stat, st_blocks, 64);
UK_CHECK_OFFSET(struct stat, st_atim, 72);
UK_CHECK_OFFSET(struct stat, st_mtim, 88);
UK_CHECK_OFFSET(struct stat, st_ctim, 104);
UK_CHECK_SIZE(struct kstat, 144);
UK_CHECK_OFFSET(struct kstat, st_size, 48);
UK_CHECK_OFFSET(struct kstat, st_atime_sec, 72);
UK_CHECK_OFFSET(struct kstat, st_mtime_sec, 88);
UK_CHECK_OFFSET(struct kstat, st_ctime_sec, 104);
UK_CHECK_SIZE(struct statfs, 120);
UK_CHECK_SIZE(struct flock, 32);
UK_CHECK_OFFSET(struct flock, l_start, 8);
UK_CHECK_OFFSET(struct flock, l_pid, 24);
UK_CHECK_SIZE(struct iovec, 16);
UK_CHECK_SIZE(struct pollfd, 8);
UK_CHECK_SIZE(fd_set, 128);
UK_CHECK_SIZE(struct winsize, 8);
/* getdents64 writes Linux's struct linux_dirent64 records, which readdir returns in place. */
UK_CHECK_OFFSET(struct dirent, d_off, 8);
UK_CHECK_OFFSET(struct dirent, d_reclen, 16);
UK_CHECK_OFFSET(struct dirent, d_type, 18);
UK_CHECK_OFFSET(struct dirent, d_name, 19);

/* Polling: x86_64 is the one architecture where struct epoll_event is packed. */
UK_CHECK_SIZE(struct epoll_event, 12);
UK_CHECK_OFFSET(struct epoll_event, data, 4);

/* Sockets. */
UK_CHECK_SIZE(struct sockaddr, 16);
UK_CHECK_SIZE(struct sockaddr_in, 16);
UK_CHECK_SIZE(struct sockaddr_in6, 28);
UK_CHECK_SIZE(struct sockaddr_un, 110);
UK_CHECK_SIZE(struct sockaddr_storage, 128);
UK_CHECK_SIZE(struct msghdr, 56);
UK_CHECK_OFFSET(struct msghdr, msg_iov, 16);
UK_CHECK_OFFSET(struct msghdr, msg_iovlen, 24);
UK_CHECK_OFFSET(struct msghdr, msg_control, 32);
UK_CHECK_OFFSET(struct msghdr, msg_controllen, 40);
UK_CHECK_OFFSET(struct msghdr, msg_flags, 48);
UK_CHECK_SIZE(struct cmsghdr, 16);
UK_CHECK_SIZE(struct mmsghdr, 64);
UK_CHECK_SIZE(struct linger, 8);

/* Signals. rt_sigaction receives musl's struct k_sigaction and a kernel sigset of _NSIG/8 bytes. */
UK_CHECK_SIZE(struct k_sigaction, 32);
UK_CHECK_OFFSET(struct k_sigaction, flags, 8);
UK_CHECK_OFFSET(struct k_sigaction, restorer, 16);
UK_CHECK_OFFSET(struct k_sigaction, mask, 24);
UK_CHECK_SIZE(((struct k_sigaction *)0)->mask, 8);
_Static_assert(_NSIG / 8 == 8, "kernel sigset size");
UK_CHECK_SIZE(siginfo_t, 128);
UK_CHECK_SIZE(stack_t, 24);
UK_CHECK_OFFSET(stack_t, ss_flags, 8);
UK_CHECK_OFFSET(stack_t, ss_size, 16);
/* The signal frame the runtime builds (and rt_sigreturn reads) is Linux's struct ucontext. */
UK_CHECK_OFFSET(ucontext_t, uc_link, 8);
UK_CHECK_OFFSET(ucontext_t, uc_stack, 16);
UK_CHECK_OFFSET(ucontext_t, uc_mcontext, 40);
UK_CHECK_SIZE(mcontext_t, 256);
UK_CHECK_OFFSET(mcontext_t, fpregs, 184);
UK_CHECK_OFFSET(ucontext_t, uc_sigmask, 296);
_Static_assert(REG_RIP == 16 && REG_RSP == 15 && REG_RBP == 10 && REG_EFL == 17,
               "mcontext_t greg indices");

/* Threads: x86_64 TLS is variant II, %fs points at struct pthread, whose first word points to
 * itself; compilers read the stack-protector canary at %fs:0x28. */
UK_CHECK_OFFSET(struct pthread, self, 0);
UK_CHECK_OFFSET(struct pthread, canary, 0x28);
UK_CHECK_SIZE(cpu_set_t, 128);

/* Miscellaneous structs the runtime fills in. */
UK_CHECK_SIZE(struct utsname, 390);
/* musl's sysinfo and rusage carry reserved space after the kernel's fields (112 and 144 bytes);
 * the runtime fills in the kernel's part only. */
UK_CHECK_OFFSET(struct sysinfo, procs, 80);
UK_CHECK_OFFSET(struct sysinfo, mem_unit, 104);
_Static_assert(sizeof(struct sysinfo) >= 112, "sizeof(struct sysinfo)");
UK_CHECK_OFFSET(struct rusage, ru_stime, 16);
UK_CHECK_OFFSET(struct rusage, ru_nivcsw, 136);
_Static_assert(sizeof(struct rusage) >= 144, "sizeof(struct rusage)");
UK_CHECK_SIZE(struct rlimit, 16);
UK_CHECK_SIZE(Elf64_auxv_t, 16);
