// SPDX-License-Identifier: MIT
// Clock system calls. Reading a clock is a TSC read and a multiply: it never exits to the VMM.
#include "arch/arch.h"
#include "lib/linux/time.h"
#include "mm/address_space.h"
#include "sched/clock.h"
#include "sched/scheduler.h"
#include "syscalls/syscall.h"

using namespace uk;

namespace {

Result<u64> read_clock(long id)
{
    switch (id) {
    case k_clock_realtime:
    case k_clock_realtime_coarse:
    case k_clock_realtime_alarm:
    case k_clock_tai:
        return clock::realtime_ns();
    case k_clock_monotonic:
    case k_clock_monotonic_raw:
    case k_clock_monotonic_coarse:
    case k_clock_boottime:
    case k_clock_boottime_alarm:
        return clock::monotonic_ns();
    case k_clock_process_cputime:
        return sched::process_cpu_time_ns();
    case k_clock_thread_cputime:
        return sched::thread_cpu_time_ns();
    default:
        return error(EINVAL);
    }
}

void store(Timespec* out, u64 ns)
{
    out->seconds = static_cast<i64>(ns / 1'000'000'000);
    out->nanoseconds = static_cast<i64>(ns % 1'000'000'000);
}

} // namespace

UK_SYSCALL_HANDLER_UNLOCKED(clock_gettime)
{
    u64 ns = TRY(read_clock(a0));
    if (!mm::is_user_range(static_cast<u64>(a1), sizeof(Timespec), true))
        return error(EFAULT);
    store(user_pointer<Timespec>(a1), ns);
    return 0;
}

// What Linux's vDSO gives clock_gettime, which musl calls before the system call (patch 0014):
// the realtime and monotonic clocks without a system call's entry and exit work, as on Linux
// without a kernel entry. Like the vDSO it writes through the pointer unchecked (a bad one
// faults: SIGSEGV, not EFAULT) and returns -ENOSYS for the clocks it does not serve (CPU-time
// clocks), which musl then asks the system call for.
extern "C" int __uk_vdso_clock_gettime(int id, Timespec* out) noexcept
{
    // One leaf function with no call and few branches: under TCG a clock read costs what its
    // calls, returns and branches do, far more than the TSC read and the arithmetic.
    constexpr u32 k_monotonic_clocks = (1u << k_clock_monotonic) | (1u << k_clock_monotonic_raw)
        | (1u << k_clock_monotonic_coarse) | (1u << k_clock_boottime);
    constexpr u32 k_realtime_clocks = (1u << k_clock_realtime) | (1u << k_clock_realtime_coarse) | (1u << k_clock_tai);
    u32 bit = static_cast<u32>(id) < 32 ? 1u << id : 0;
    u64 offset = 0;
    if (!(bit & k_monotonic_clocks)) [[unlikely]] {
        if (!(bit & k_realtime_clocks))
            return -ENOSYS;
        offset = clock::realtime_offset_ns();
    }
    store(out, offset + clock::monotonic_ns());
    return 0;
}

UK_SYSCALL_HANDLER_UNLOCKED(clock_getres)
{
    TRY(read_clock(a0));
    if (a1) {
        auto* res = user_pointer<Timespec>(a1);
        res->seconds = 0;
        res->nanoseconds = 1;
    }
    return 0;
}

UK_SYSCALL_HANDLER(clock_settime)
{
    if (a0 != k_clock_realtime)
        return error(EINVAL);
    auto* ts = user_pointer<const Timespec>(a1);
    if (ts->nanoseconds < 0 || ts->nanoseconds >= 1'000'000'000 || ts->seconds < 0)
        return error(EINVAL);
    clock::set_realtime_ns(static_cast<u64>(ts->seconds) * 1'000'000'000 + static_cast<u64>(ts->nanoseconds));
    return 0;
}

UK_SYSCALL_HANDLER_UNLOCKED(gettimeofday)
{
    u64 ns = clock::realtime_ns();
    if (a0) {
        auto* tv = user_pointer<Timeval>(a0);
        tv->seconds = static_cast<i64>(ns / 1'000'000'000);
        tv->microseconds = static_cast<i64>(ns % 1'000'000'000 / 1000);
    }
    if (a1) {
        auto* tz = user_pointer<int>(a1);
        tz[0] = tz[1] = 0;
    }
    return 0;
}

UK_SYSCALL_HANDLER_UNLOCKED(time)
{
    i64 seconds = static_cast<i64>(clock::realtime_ns() / 1'000'000'000);
    if (a0)
        *user_pointer<i64>(a0) = seconds;
    return seconds;
}

UK_SYSCALL_HANDLER_UNLOCKED_NO_RESTART(nanosleep)
{
    auto* request = user_pointer<const Timespec>(a0);
    if (!mm::is_user_range(static_cast<u64>(a0), sizeof(Timespec), false))
        return error(EFAULT);
    if (request->nanoseconds < 0 || request->nanoseconds >= 1'000'000'000 || request->seconds < 0)
        return error(EINVAL);
    u64 deadline = clock::monotonic_ns() + static_cast<u64>(request->seconds) * 1'000'000'000
        + static_cast<u64>(request->nanoseconds);
    if (!sched::sleep_until(deadline)) {
        if (a1) {
            u64 now = clock::monotonic_ns();
            store(user_pointer<Timespec>(a1), deadline > now ? deadline - now : 0);
        }
        return error(EINTR);
    }
    return 0;
}

UK_SYSCALL_HANDLER_UNLOCKED_NO_RESTART(clock_nanosleep)
{
    // The raw call fails with -errno like every other; musl's clock_nanosleep negates it, since
    // the C function returns the error number itself.
    auto* request = user_pointer<const Timespec>(a2);
    if (request->nanoseconds < 0 || request->nanoseconds >= 1'000'000'000 || request->seconds < 0)
        return error(EINVAL);
    if (a0 == k_clock_thread_cputime)
        return error(EINVAL);
    u64 now = TRY(read_clock(a0));
    u64 duration = static_cast<u64>(request->seconds) * 1'000'000'000 + static_cast<u64>(request->nanoseconds);
    u64 deadline_on_clock = (a1 & k_timer_abstime) ? duration : now + duration;
    if (deadline_on_clock > now && !sched::sleep_until(clock::monotonic_ns() + (deadline_on_clock - now))) {
        if (a3 && !(a1 & k_timer_abstime)) {
            u64 slept = TRY(read_clock(a0)) - now;
            store(user_pointer<Timespec>(a3), slept < duration ? duration - slept : 0);
        }
        return error(EINTR);
    }
    return 0;
}

UK_SYSCALL_HANDLER_UNLOCKED(times)
{
    struct Tms {
        long user, system, children_user, children_system;
    };
    long ticks = static_cast<long>(clock::monotonic_ns() / 10'000'000); // CLK_TCK = 100
    if (a0) {
        auto* t = user_pointer<Tms>(a0);
        t->user = ticks;
        t->system = t->children_user = t->children_system = 0;
    }
    return ticks;
}

UK_SYSCALL_HANDLER_UNLOCKED(getrusage)
{
    struct Rusage {
        Timeval user, system;
        long fields[14];
    };
    auto* usage = user_pointer<Rusage>(a1);
    if (!mm::is_user_range(static_cast<u64>(a1), sizeof(Rusage), true))
        return error(EFAULT);
    *usage = {};
    u64 ns = clock::monotonic_ns();
    usage->user.seconds = static_cast<i64>(ns / 1'000'000'000);
    usage->user.microseconds = static_cast<i64>(ns % 1'000'000'000 / 1000);
    return 0;
}
