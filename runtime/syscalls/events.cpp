// SPDX-License-Identifier: MIT
// epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait, epoll_pwait2, eventfd,
// eventfd2, timerfd_create, timerfd_settime, timerfd_gettime, signalfd and signalfd4.
#include "fs/epoll.h"
#include "fs/event_files.h"
#include "lib/linux/time.h"
#include "mm/address_space.h"
#include "sched/clock.h"
#include "sched/signal.h"
#include "syscalls/file_support.h"

namespace uk {

namespace {

constexpr long k_int_max = 0x7fffffff;
constexpr u32 k_tfd_timer_abstime = 1, k_tfd_timer_cancel_on_set = 2;
enum ClockId : long { k_clock_realtime = 0, k_clock_monotonic = 1, k_clock_boottime = 7, k_clock_realtime_alarm = 8,
    k_clock_boottime_alarm = 9 };

struct Itimerspec {
    Timespec interval;
    Timespec value;
};
static_assert(sizeof(Itimerspec) == 32);

Result<long> install_new(fs::FileDescription* file, u32 flags)
{
    return static_cast<long>(TRY(fs::install(file, (flags & fs::k_o_cloexec) ? fs::k_fd_cloexec : 0)));
}

Result<long> epoll_create(u32 flags)
{
    if (flags & ~fs::k_o_cloexec)
        return error(EINVAL);
    return install_new(TRY(fs::create_epoll()), flags);
}

Result<long> epoll_ctl(long epfd, long operation, long fd, long user_event)
{
    auto* epoll = TRY(fs::get(static_cast<int>(epfd)));
    fs::DescriptionRef hold_epoll(epoll);
    auto* target = TRY(fs::get(static_cast<int>(fd)));
    fs::DescriptionRef hold_target(target);
    if (epoll->is_path_only() || target->is_path_only())
        return error(EBADF);
    if (operation < 1 || operation > 3)
        return error(EINVAL);
    auto op = static_cast<fs::EpollOperation>(operation);
    fs::EpollEvent event {};
    if (op != fs::EpollOperation::Delete) {
        if (!user_readable(user_event, sizeof(event)))
            return error(EFAULT);
        event = *user_pointer<const fs::EpollEvent>(user_event);
    }
    TRY(fs::epoll_control(*epoll, op, static_cast<int>(fd), *target, op == fs::EpollOperation::Delete ? nullptr : &event));
    return 0;
}

// epoll_wait and its variants: `deadline_ns` 0 waits for ever.
Result<long> epoll_wait(long epfd, long user_events, long capacity, u64 deadline_ns, long user_mask, long mask_size)
{
    if (capacity <= 0 || capacity > k_int_max / static_cast<long>(sizeof(fs::EpollEvent)))
        return error(EINVAL);
    if (!user_writable(user_events, static_cast<u64>(capacity) * sizeof(fs::EpollEvent)))
        return error(EFAULT);
    auto* epoll = TRY(fs::get(static_cast<int>(epfd)));
    fs::DescriptionRef hold(epoll);
    if (user_mask) {
        // In force until the call returns; the system-call exit restores the caller's mask.
        if (mask_size != 8)
            return error(EINVAL);
        if (!user_readable(user_mask, 8))
            return error(EFAULT);
        if (sched::use_temporary_signal_mask(*user_pointer<const u64>(user_mask)))
            return error(EINTR);
    }
    // The events are written under the SchedulerLock, where program memory must not fault.
    u64 end = static_cast<u64>(user_events) + static_cast<u64>(capacity) * sizeof(fs::EpollEvent);
    TRY(mm::populate(align_down(static_cast<u64>(user_events), k_page_size), align_up(end, k_page_size)));
    return static_cast<long>(TRY(fs::epoll_wait(*epoll, user_pointer<fs::EpollEvent>(user_events),
        static_cast<size_t>(capacity), deadline_ns)));
}

u64 deadline_from_milliseconds(long timeout_ms)
{
    int timeout = static_cast<int>(timeout_ms);
    return timeout < 0 ? 0 : clock::monotonic_ns() + static_cast<u64>(timeout) * 1'000'000;
}

Result<long> epoll_pwait2(long epfd, long user_events, long capacity, long user_timeout, long user_mask, long mask_size)
{
    u64 deadline = 0;
    if (user_timeout) {
        if (!user_readable(user_timeout, sizeof(Timespec)))
            return error(EFAULT);
        Timespec t = *user_pointer<const Timespec>(user_timeout);
        if (!t.is_valid())
            return error(EINVAL);
        deadline = clock::monotonic_ns() + t.to_ns();
    }
    return epoll_wait(epfd, user_events, capacity, deadline, user_mask, mask_size);
}

Result<long> eventfd(long initial, long flags)
{
    if (flags & ~static_cast<long>(fs::k_efd_semaphore | fs::k_o_nonblock | fs::k_o_cloexec))
        return error(EINVAL);
    return install_new(TRY(fs::create_eventfd(static_cast<u32>(initial), static_cast<u32>(flags))), static_cast<u32>(flags));
}

Result<long> timerfd_create(long clock, long flags)
{
    if (flags & ~static_cast<long>(fs::k_o_nonblock | fs::k_o_cloexec))
        return error(EINVAL);
    fs::TimerClock which;
    switch (clock) {
    case k_clock_realtime:
    case k_clock_realtime_alarm:
        which = fs::TimerClock::Realtime;
        break;
    case k_clock_monotonic:
    case k_clock_boottime:
    case k_clock_boottime_alarm:
        which = fs::TimerClock::Monotonic; // Nothing suspends here: boot time is monotonic time.
        break;
    default:
        return error(EINVAL);
    }
    return install_new(TRY(fs::create_timerfd(which, static_cast<u32>(flags))), static_cast<u32>(flags));
}

Itimerspec to_itimerspec(const fs::TimerSetting& s) { return { Timespec::from_ns(s.interval_ns), Timespec::from_ns(s.value_ns) }; }

Result<long> timerfd_settime(long fd, long flags, long user_new, long user_old)
{
    if (flags & ~static_cast<long>(k_tfd_timer_abstime | k_tfd_timer_cancel_on_set))
        return error(EINVAL);
    if (!user_readable(user_new, sizeof(Itimerspec)))
        return error(EFAULT);
    if (user_old && !user_writable(user_old, sizeof(Itimerspec)))
        return error(EFAULT);
    Itimerspec spec = *user_pointer<const Itimerspec>(user_new);
    if (!spec.value.is_valid() || !spec.interval.is_valid())
        return error(EINVAL);
    auto* file = TRY(fs::get(static_cast<int>(fd)));
    fs::DescriptionRef hold(file);
    auto old = TRY(fs::set_timer(*file, { spec.value.to_ns(), spec.interval.to_ns() }, flags & k_tfd_timer_abstime));
    if (user_old)
        *user_pointer<Itimerspec>(user_old) = to_itimerspec(old);
    return 0;
}

Result<long> timerfd_gettime(long fd, long user_current)
{
    if (!user_writable(user_current, sizeof(Itimerspec)))
        return error(EFAULT);
    auto* file = TRY(fs::get(static_cast<int>(fd)));
    fs::DescriptionRef hold(file);
    *user_pointer<Itimerspec>(user_current) = to_itimerspec(TRY(fs::get_timer(*file)));
    return 0;
}

// signalfd4(fd, mask, size, flags): a new signalfd when fd is -1, else a new mask for it.
Result<long> signalfd(long fd, long user_mask, long mask_size, long flags)
{
    if (mask_size != 8)
        return error(EINVAL);
    if (flags & ~static_cast<long>(fs::k_o_nonblock | fs::k_o_cloexec))
        return error(EINVAL);
    if (!user_readable(user_mask, 8))
        return error(EFAULT);
    u64 mask = *user_pointer<const u64>(user_mask);
    if (fd == -1)
        return install_new(TRY(fs::create_signalfd(mask, static_cast<u32>(flags))), static_cast<u32>(flags));
    auto* file = TRY(fs::get(static_cast<int>(fd)));
    fs::DescriptionRef hold(file);
    TRY(fs::set_signalfd_mask(*file, mask));
    return fd;
}

} // namespace

}

using namespace uk;

UK_SYSCALL_HANDLER(epoll_create) { return a0 <= 0 ? Result<long>(error(EINVAL)) : uk::epoll_create(0); }
UK_SYSCALL_HANDLER(epoll_create1) { return uk::epoll_create(static_cast<u32>(a0)); }
UK_SYSCALL_HANDLER(epoll_ctl) { return uk::epoll_ctl(a0, a1, a2, a3); }
UK_SYSCALL_HANDLER_NO_RESTART(epoll_wait) { return uk::epoll_wait(a0, a1, a2, deadline_from_milliseconds(a3), 0, 0); }
UK_SYSCALL_HANDLER_NO_RESTART(epoll_pwait) { return uk::epoll_wait(a0, a1, a2, deadline_from_milliseconds(a3), a4, a5); }
UK_SYSCALL_HANDLER_NO_RESTART(epoll_pwait2) { return uk::epoll_pwait2(a0, a1, a2, a3, a4, a5); }
UK_SYSCALL_HANDLER(eventfd) { return uk::eventfd(a0, 0); }
UK_SYSCALL_HANDLER(eventfd2) { return uk::eventfd(a0, a1); }
UK_SYSCALL_HANDLER(timerfd_create) { return uk::timerfd_create(a0, a1); }
UK_SYSCALL_HANDLER(timerfd_settime) { return uk::timerfd_settime(a0, a1, a2, a3); }
UK_SYSCALL_HANDLER(timerfd_gettime) { return uk::timerfd_gettime(a0, a1); }
UK_SYSCALL_HANDLER(signalfd) { return uk::signalfd(a0, a1, a2, 0); }
UK_SYSCALL_HANDLER(signalfd4) { return uk::signalfd(a0, a1, a2, a3); }
