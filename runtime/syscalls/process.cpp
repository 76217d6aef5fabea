// SPDX-License-Identifier: MIT
// The one process: exit, identity, limits, uname, thread-pointer set-up.
#include "arch/arch.h"
#include "fs/fd_table.h"
#include "fs/vfs.h"
#include "lib/format.h"
#include "lib/linux/process.h"
#include "lib/runtime_options.h"
#include "lib/string.h"
#include "mm/address_space.h"
#include "mm/frame_allocator.h"
#include "sched/clock.h"
#include "sched/scheduler.h"
#include "syscalls/file_support.h"
#include "syscalls/syscall.h"

using namespace uk;

namespace {

struct ResourceLimit {
    u64 current, maximum;
};
constexpr u64 k_infinity = ~0ull;

// [getrlimit(2)] The resource numbers (Linux x86_64).
enum Resource : int {
    k_rlimit_cpu, k_rlimit_fsize, k_rlimit_data, k_rlimit_stack, k_rlimit_core, k_rlimit_rss, k_rlimit_nproc,
    k_rlimit_nofile, k_rlimit_memlock, k_rlimit_as, k_rlimit_locks, k_rlimit_sigpending, k_rlimit_msgqueue,
    k_rlimit_nice, k_rlimit_rtprio, k_rlimit_rttime, k_resource_count
};

// Linux's defaults for a root process (RLIMIT_SIGPENDING and RLIMIT_MSGQUEUE as on a small VM).
ResourceLimit g_limits[k_resource_count] = {
    { k_infinity, k_infinity }, { k_infinity, k_infinity }, { k_infinity, k_infinity },
    { mm::k_default_main_stack_size, k_infinity }, { 0, k_infinity }, { k_infinity, k_infinity },
    { k_infinity, k_infinity }, { fs::k_default_descriptor_limit, fs::k_max_descriptors }, { 8ull << 20, 8ull << 20 },
    { k_infinity, k_infinity }, { k_infinity, k_infinity }, { 63000, 63000 }, { 819200, 819200 },
    { 0, 0 }, { 0, 0 }, { k_infinity, k_infinity },
};

// Applies a new limit, or refuses one the runtime would not honour. What each resource does
// here is in docs/syscalls.md.
Result<void> apply_limit(int resource, const ResourceLimit& limit)
{
    switch (resource) {
    case k_rlimit_nofile:
        if (limit.maximum > static_cast<u64>(fs::k_max_descriptors))
            return error(EPERM); // [setrlimit(2)] A hard limit above fs.nr_open.
        fs::set_descriptor_limit(static_cast<int>(limit.current));
        return {};
    case k_rlimit_stack:
        return mm::set_main_stack_size(limit.current);
    case k_rlimit_data:
        mm::set_data_limit(limit.current);
        return {};
    case k_rlimit_as:
        mm::set_address_space_limit(limit.current);
        return {};
    case k_rlimit_cpu:
    case k_rlimit_fsize: {
        // Enforcing these needs SIGXCPU at a CPU-time deadline, or EFBIG and SIGXFSZ in every
        // write path; until then, a finite limit is refused rather than silently ignored.
        if (limit.current == k_infinity && limit.maximum == k_infinity)
            return {};
        static bool s_logged[2];
        bool& logged = s_logged[resource == k_rlimit_fsize];
        if (!logged) {
            printk("uk: setrlimit(%s) with a finite limit is not supported: returning EINVAL\n",
                resource == k_rlimit_cpu ? "RLIMIT_CPU" : "RLIMIT_FSIZE");
            logged = true;
        }
        return error(EINVAL);
    }
    default:
        // RLIMIT_CORE (no core files are written), RLIMIT_RSS and RLIMIT_LOCKS (ignored by Linux
        // too), RLIMIT_NPROC, RLIMIT_MEMLOCK, RLIMIT_NICE and RLIMIT_RTPRIO (a root process is
        // exempt from them on Linux), RLIMIT_MSGQUEUE and RLIMIT_RTTIME (no message queues, no
        // real-time scheduling), RLIMIT_SIGPENDING (see docs/syscalls.md): stored and reported.
        return {};
    }
}

Result<void> prlimit(long pid, long resource, long new_address, long old_address)
{
    if (pid != 0 && pid != 1)
        return error(ESRCH);
    if (resource < 0 || resource >= k_resource_count)
        return error(EINVAL);
    if (new_address && !mm::is_user_range(static_cast<u64>(new_address), sizeof(ResourceLimit), false))
        return error(EFAULT);
    if (old_address && !mm::is_user_range(static_cast<u64>(old_address), sizeof(ResourceLimit), true))
        return error(EFAULT);
    ResourceLimit old = g_limits[resource];
    if (new_address) {
        ResourceLimit limit = *user_pointer<const ResourceLimit>(new_address);
        if (limit.current > limit.maximum)
            return error(EINVAL);
        TRY(apply_limit(static_cast<int>(resource), limit));
        g_limits[resource] = limit;
    }
    if (old_address)
        *user_pointer<ResourceLimit>(old_address) = old;
    return {};
}

struct Utsname {
    char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

constexpr int k_arch_set_gs = 0x1001, k_arch_set_fs = 0x1002, k_arch_get_fs = 0x1003, k_arch_get_gs = 0x1004;

// [prctl(2)] The options the runtime answers (linux/prctl.h).
enum PrctlOption : long {
    k_pr_set_pdeathsig = 1, k_pr_get_pdeathsig = 2, k_pr_get_dumpable = 3, k_pr_set_dumpable = 4,
    k_pr_get_keepcaps = 7, k_pr_set_keepcaps = 8, k_pr_set_name = 15, k_pr_get_name = 16,
    k_pr_set_timerslack = 29, k_pr_get_timerslack = 30, k_pr_set_no_new_privs = 38, k_pr_get_no_new_privs = 39,
    k_pr_set_thp_disable = 41, k_pr_get_thp_disable = 42,
};

// What the program set: stored and reported back; none changes anything here (there is no
// parent to die, no core dump, no privilege to gain, no timer slack to add, and no huge pages).
struct ProcessControls {
    long death_signal = 0;
    long dumpable = 1;
    long keep_capabilities = 0;
    long timer_slack_ns = 50'000; // Linux's default.
    long no_new_privileges = 0;
    long thp_disabled = 0;
};
ProcessControls g_controls;

// An option the runtime does not know: EINVAL, as Linux answers one it does not know, and one
// line the first time each comes up (options above 127 share one).
Result<long> unknown_prctl_option(long option)
{
    static u64 s_reported[2];
    u32 bit = option >= 0 && option < 128 ? static_cast<u32>(option) : 127;
    if (!(s_reported[bit / 64] & (1ull << (bit % 64)))) {
        s_reported[bit / 64] |= 1ull << (bit % 64);
        printk("uk: unsupported prctl option %ld: returning EINVAL\n", option);
    }
    return error(EINVAL);
}

} // namespace

UK_SYSCALL_HANDLER(exit_group)
{
    sched::run_exit_hooks();
    arch::machine_exit(static_cast<int>(a0));
}


UK_SYSCALL_HANDLER_LEAF(getpid) { return k_process_id; }
#if !defined(__linux__)
// The C library's getpid() is this handler itself: musl's wrapper (src/unistd/getpid.c, removed by
// sysroot/musl/remove.txt) only jumped here, and under TCG that jump was a fifth of a getpid. A
// leaf call needs nothing around it; the handler ignores its argument registers and returns the
// pid in %rax, of which getpid's int is %eax.
extern "C" int getpid() __attribute__((alias("__uk_sys_getpid")));
#endif
UK_SYSCALL_HANDLER_LEAF(getppid) { return k_parent_process_id; }
UK_SYSCALL_HANDLER_LEAF(getuid) { return 0; }
UK_SYSCALL_HANDLER_LEAF(geteuid) { return 0; }
UK_SYSCALL_HANDLER_LEAF(getgid) { return 0; }
UK_SYSCALL_HANDLER_LEAF(getegid) { return 0; }
UK_SYSCALL_HANDLER_LEAF(getpgid) { return k_process_id; }
UK_SYSCALL_HANDLER_LEAF(getpgrp) { return k_process_id; }
UK_SYSCALL_HANDLER_LEAF(getsid) { return k_process_id; }
UK_SYSCALL_HANDLER(setsid) { return error(EPERM); }

UK_SYSCALL_HANDLER_LEAF(getresuid)
{
    const long ids[] = { a0, a1, a2 };
    for (long p : ids)
        if (p)
            *user_pointer<u32>(p) = 0;
    return 0;
}
UK_SYSCALL_HANDLER_LEAF(getresgid) { return sys_getresuid(a0, a1, a2, 0, 0, 0); }
UK_SYSCALL_HANDLER_LEAF(getgroups) { return 0; }
// Everything runs as root in a unikernel; changing identity is accepted and has no effect.
// Partial: the one process runs as root; changing identity succeeds and changes nothing.
UK_SYSCALL_HANDLER(setuid) { return 0; }
// Partial: as setuid.
UK_SYSCALL_HANDLER(setgid) { return 0; }
// Partial: as setuid.
UK_SYSCALL_HANDLER(setgroups) { return 0; }

UK_SYSCALL_HANDLER(arch_prctl)
{
    switch (a0) {
    case k_arch_set_fs:
        arch::set_thread_pointer(static_cast<u64>(a1));
        return 0;
    case k_arch_get_fs:
        if (!mm::is_user_range(static_cast<u64>(a1), 8, true))
            return error(EFAULT);
        *user_pointer<u64>(a1) = arch::thread_pointer();
        return 0;
    case k_arch_set_gs:
    case k_arch_get_gs:
        return error(EINVAL); // %gs belongs to the runtime.
    default:
        return error(EINVAL);
    }
}

// Partial: PR_SET_NAME/PR_GET_NAME name the calling thread (pthread_setname_np on itself; the hang
// report prints the names). PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_KEEPCAPS, PR_SET_TIMERSLACK,
// PR_SET_NO_NEW_PRIVS and PR_SET_THP_DISABLE are checked and stored, and their PR_GET_ report them,
// but change nothing. Other options: EINVAL, logged once each.
UK_SYSCALL_HANDLER(prctl)
{
    auto flag = [](long value, long& out) -> Result<long> {
        if (value != 0 && value != 1)
            return error(EINVAL);
        out = value;
        return 0;
    };
    switch (a0) {
    case k_pr_set_name: {
        // As Linux: at most 15 bytes are read, the rest of a longer name is ignored.
        char name[16] = {};
        auto copied = copy_user_string(a1, name, sizeof(name) - 1);
        if (copied.is_error() && copied.error_code() != ENAMETOOLONG)
            return error(copied.error_code());
        sched::set_thread_name(sched::current_thread(), name);
        return 0;
    }
    case k_pr_get_name:
        if (!mm::is_user_range(static_cast<u64>(a1), 16, true))
            return error(EFAULT);
        copy_bytes(user_pointer<char>(a1), sched::current_thread().name, 16);
        return 0;
    case k_pr_set_pdeathsig:
        if (a1 < 0 || a1 > 64)
            return error(EINVAL);
        g_controls.death_signal = a1;
        return 0;
    case k_pr_get_pdeathsig:
        if (!mm::is_user_range(static_cast<u64>(a1), sizeof(int), true))
            return error(EFAULT);
        *user_pointer<int>(a1) = static_cast<int>(g_controls.death_signal);
        return 0;
    case k_pr_set_dumpable:
        return flag(a1, g_controls.dumpable);
    case k_pr_get_dumpable:
        return g_controls.dumpable;
    case k_pr_set_keepcaps:
        return flag(a1, g_controls.keep_capabilities);
    case k_pr_get_keepcaps:
        return g_controls.keep_capabilities;
    case k_pr_set_timerslack:
        g_controls.timer_slack_ns = a1 > 0 ? a1 : 50'000; // 0 or less restores the default.
        return 0;
    case k_pr_get_timerslack:
        return g_controls.timer_slack_ns;
    case k_pr_set_no_new_privs:
        if (a1 != 1 || a2 || a3 || a4)
            return error(EINVAL); // It can only be set, never cleared.
        g_controls.no_new_privileges = 1;
        return 0;
    case k_pr_get_no_new_privs:
        if (a1 || a2 || a3 || a4)
            return error(EINVAL);
        return g_controls.no_new_privileges;
    case k_pr_set_thp_disable:
        if (a2 || a3 || a4)
            return error(EINVAL);
        g_controls.thp_disabled = a1 ? 1 : 0;
        return 0;
    case k_pr_get_thp_disable:
        if (a1 || a2 || a3 || a4)
            return error(EINVAL);
        return g_controls.thp_disabled;
    default:
        return unknown_prctl_option(a0);
    }
}

// Partial: RLIMIT_CPU and RLIMIT_FSIZE only take "unlimited"; RLIMIT_SIGPENDING is stored, not
// enforced (docs/syscalls.md, Resource limits).
UK_SYSCALL_HANDLER(prlimit64) { return zero_or_error(prlimit(a0, a1, a2, a3)); }
UK_SYSCALL_HANDLER(getrlimit) { return sys_prlimit64(0, a0, 0, a1, 0, 0); }
UK_SYSCALL_HANDLER(setrlimit) { return sys_prlimit64(0, a0, a1, 0, 0, 0); }

UK_SYSCALL_HANDLER(uname)
{
    auto* u = user_pointer<Utsname>(a0);
    if (!mm::is_user_range(static_cast<u64>(a0), sizeof(Utsname), true))
        return error(EFAULT);
    copy_string(u->sysname, sizeof(u->sysname), "uksdk");
    copy_string(u->nodename, sizeof(u->nodename), runtime_options().hostname);
    // The system-call ABI the runtime implements is Linux's; programs that parse the release
    // for kernel features see a modern one.
    copy_string(u->release, sizeof(u->release), "6.1.0-uksdk");
    copy_string(u->version, sizeof(u->version), "uksdk " UKSDK_VERSION);
    copy_string(u->machine, sizeof(u->machine), "x86_64");
    copy_string(u->domainname, sizeof(u->domainname), "(none)");
    return 0;
}

UK_SYSCALL_HANDLER(sethostname)
{
    if (a1 < 0 || a1 > 64)
        return error(EINVAL);
    // /etc/hostname and /etc/hosts hold the name given at boot, also when they are built later.
    fs::build_deferred_tree();
    char* name = runtime_options().hostname;
    copy_bytes(name, user_pointer<const char>(a0), static_cast<size_t>(a1));
    name[a1] = 0;
    return 0;
}

UK_SYSCALL_HANDLER(sysinfo)
{
    struct Sysinfo {
        long uptime;
        unsigned long loads[3];
        unsigned long totalram, freeram, sharedram, bufferram, totalswap, freeswap;
        unsigned short procs, pad;
        unsigned long totalhigh, freehigh;
        unsigned int mem_unit;
        char reserved[256];
    };
    auto* info = user_pointer<Sysinfo>(a0);
    if (!mm::is_user_range(static_cast<u64>(a0), 112, true))
        return error(EFAULT);
    fill_bytes(info, 0, 112);
    info->uptime = static_cast<long>(clock::monotonic_ns() / 1'000'000'000);
    info->totalram = mm::total_frames() * k_page_size;
    info->freeram = mm::uncommitted_frames() * k_page_size;
    info->procs = 1;
    info->mem_unit = 1;
    return 0;
}

// [sched_setaffinity(2)] `pid` names a thread (0: the caller; the process's pid 1 is its main
// thread's tid). The kernel's mask is 8 bytes (64 CPUs): a shorter buffer is EINVAL, as Linux's
// check against nr_cpu_ids is; musl's sysconf(_SC_NPROCESSORS_ONLN) counts the bits.
UK_SYSCALL_HANDLER_UNLOCKED(sched_getaffinity)
{
    if (a1 < 8 || a1 % 8)
        return error(EINVAL);
    u64 mask = TRY(sched::affinity(static_cast<int>(a0)));
    if (!mm::is_user_range(static_cast<u64>(a2), static_cast<u64>(a1), true))
        return error(EFAULT);
    fill_bytes(user_pointer<void>(a2), 0, static_cast<size_t>(a1));
    copy_bytes(user_pointer<void>(a2), &mask, sizeof(mask));
    return 8;
}

UK_SYSCALL_HANDLER_UNLOCKED(sched_setaffinity)
{
    if (a1 <= 0)
        return error(EINVAL);
    if (!mm::is_user_range(static_cast<u64>(a2), static_cast<u64>(a1), false))
        return error(EFAULT);
    u64 mask = 0;
    copy_bytes(&mask, user_pointer<const void>(a2), a1 < 8 ? static_cast<size_t>(a1) : sizeof(mask));
    TRY(sched::set_affinity(static_cast<int>(a0), mask));
    return 0;
}

UK_SYSCALL_HANDLER_LEAF(getcpu)
{
    unsigned cpu = sched::current_cpu();
    if (a0)
        *user_pointer<unsigned>(a0) = cpu;
    if (a1)
        *user_pointer<unsigned>(a1) = 0;
    return 0;
}
UK_SYSCALL_HANDLER(umask) { return fs::set_umask(static_cast<u32>(a0)); }
UK_SYSCALL_HANDLER_LEAF(getpriority) { return 20; }
// Partial: the scheduler has no priorities; accepted and ignored.
UK_SYSCALL_HANDLER_LEAF(setpriority) { return 0; }
