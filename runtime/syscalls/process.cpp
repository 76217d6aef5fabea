// SPDX-License-Identifier: MIT
// The one process: exit, identity, limits, uname, thread-pointer set-up.
#include "arch/arch.h"
#include "fs/vfs.h"
#include "lib/linux/process.h"
#include "lib/runtime_options.h"
#include "lib/string.h"
#include "mm/address_space.h"
#include "mm/frame_allocator.h"
#include "sched/clock.h"
#include "syscalls/syscall.h"

using namespace uk;

namespace {

struct ResourceLimit {
    u64 current, maximum;
};
constexpr u64 k_infinity = ~0ull;
constexpr int k_resource_count = 16;
constexpr int k_rlimit_stack = 3, k_rlimit_core = 4, k_rlimit_nofile = 7;

ResourceLimit g_limits[k_resource_count] = {
    { k_infinity, k_infinity }, { k_infinity, k_infinity }, { k_infinity, k_infinity },
    { 8ull << 20, k_infinity }, { 0, k_infinity }, { k_infinity, k_infinity },
    { k_infinity, k_infinity }, { 1024, 4096 }, { k_infinity, k_infinity },
    { k_infinity, k_infinity }, { k_infinity, k_infinity }, { k_infinity, k_infinity },
    { k_infinity, k_infinity }, { 0, 0 }, { 0, 0 }, { k_infinity, k_infinity },
};
static_assert(k_rlimit_stack == 3 && k_rlimit_core == 4 && k_rlimit_nofile == 7);

struct Utsname {
    char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

constexpr int k_arch_set_gs = 0x1001, k_arch_set_fs = 0x1002, k_arch_get_fs = 0x1003, k_arch_get_gs = 0x1004;

} // namespace

UK_SYSCALL_HANDLER(exit_group) { arch::machine_exit(static_cast<int>(a0)); }


UK_SYSCALL_HANDLER(getpid) { return k_process_id; }
UK_SYSCALL_HANDLER(getppid) { return k_parent_process_id; }
UK_SYSCALL_HANDLER(getuid) { return 0; }
UK_SYSCALL_HANDLER(geteuid) { return 0; }
UK_SYSCALL_HANDLER(getgid) { return 0; }
UK_SYSCALL_HANDLER(getegid) { return 0; }
UK_SYSCALL_HANDLER(getpgid) { return k_process_id; }
UK_SYSCALL_HANDLER(getpgrp) { return k_process_id; }
UK_SYSCALL_HANDLER(getsid) { return k_process_id; }
UK_SYSCALL_HANDLER(setsid) { return error(EPERM); }

UK_SYSCALL_HANDLER(getresuid)
{
    const long ids[] = { a0, a1, a2 };
    for (long p : ids)
        if (p)
            *user_pointer<u32>(p) = 0;
    return 0;
}
UK_SYSCALL_HANDLER(getresgid) { return sys_getresuid(a0, a1, a2, 0, 0, 0); }
UK_SYSCALL_HANDLER(getgroups) { return 0; }
// Everything runs as root in a unikernel; changing identity is accepted and has no effect.
UK_SYSCALL_HANDLER(setuid) { return 0; }
UK_SYSCALL_HANDLER(setgid) { return 0; }
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

UK_SYSCALL_HANDLER(prlimit64)
{
    if (a0 != 0 && a0 != k_process_id)
        return error(ESRCH);
    if (a1 < 0 || a1 >= k_resource_count)
        return error(EINVAL);
    auto* new_limit = user_pointer<const ResourceLimit>(a2);
    auto* old_limit = user_pointer<ResourceLimit>(a3);
    if (old_limit)
        *old_limit = g_limits[a1];
    if (new_limit) {
        if (new_limit->current > new_limit->maximum)
            return error(EINVAL);
        g_limits[a1] = *new_limit;
    }
    return 0;
}
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

UK_SYSCALL_HANDLER(sched_getaffinity)
{
    // One vCPU until SMP arrives: CPU 0 only.
    if (a1 < 8)
        return error(EINVAL);
    if (!mm::is_user_range(static_cast<u64>(a2), static_cast<u64>(a1), true))
        return error(EFAULT);
    fill_bytes(user_pointer<void>(a2), 0, static_cast<size_t>(a1));
    *user_pointer<u8>(a2) = 1;
    return 8;
}
UK_SYSCALL_HANDLER(sched_setaffinity) { return 0; }
UK_SYSCALL_HANDLER(getcpu)
{
    if (a0)
        *user_pointer<unsigned>(a0) = 0;
    if (a1)
        *user_pointer<unsigned>(a1) = 0;
    return 0;
}
UK_SYSCALL_HANDLER(umask) { return fs::set_umask(static_cast<u32>(a0)); }
UK_SYSCALL_HANDLER(getpriority) { return 20; }
UK_SYSCALL_HANDLER(setpriority) { return 0; }
