// SPDX-License-Identifier: MIT
// timerfd: a timer on the scheduler's timer queue whose expiries accumulate in a count that
// read() takes. As on Linux, a periodic timer fires once and then waits to be read: read() (or
// timerfd_gettime) counts the periods that passed meanwhile and re-arms it for the next one, so
// an unread timer raises one readiness edge, not one per period. [timerfd_create(2)]
#include "fs/event_files.h"

#include "lib/string.h"
#include "mm/kmalloc.h"
#include "sched/clock.h"
#include "sched/locks.h"
#include "sched/timer.h"

namespace uk::fs {

namespace {

class TimerFd final : public FileDescription {
public:
    TimerFd(TimerClock clock, u32 flags)
        : FileDescription(DescriptionKind::TimerFd, k_o_rdwr | (flags & k_o_nonblock), sched::WakeSource::External)
        , m_clock(clock)
    {
        m_timer.expire = expired;
        m_timer.context = this;
    }

    Result<size_t> read(void* buffer, size_t length) override
    {
        if (length < sizeof(u64))
            return error(EINVAL);
        u64 ticks;
        {
            sched::SchedulerGuard guard;
            if (m_ticks == 0) {
                if (is_nonblocking())
                    return error(EAGAIN);
                auto waited = m_waiters.wait_until([&] { return m_ticks != 0; });
                if (waited == sched::WaitResult::Interrupted)
                    return error(EINTR);
            }
            catch_up_locked();
            ticks = m_ticks;
            m_ticks = 0;
        }
        copy_bytes(buffer, &ticks, sizeof(ticks));
        return sizeof(u64);
    }

    u32 readiness() override { return m_ticks ? k_poll_in | k_poll_rdnorm : 0; }

    TimerSetting setting_locked()
    {
        catch_up_locked();
        TimerSetting s { 0, m_interval_ns };
        if (m_timer.is_pending()) {
            u64 now = clock::monotonic_ns();
            s.value_ns = m_timer.deadline_ns > now ? m_timer.deadline_ns - now : 1;
        }
        return s;
    }

    TimerSetting set(TimerSetting setting, bool absolute)
    {
        sched::SchedulerGuard guard;
        TimerSetting old = setting_locked();
        sched::cancel_timer_locked(m_timer);
        m_ticks = 0;
        m_expired = false;
        m_interval_ns = setting.interval_ns;
        if (setting.value_ns == 0)
            return old;
        u64 now = clock::monotonic_ns();
        u64 deadline;
        if (!absolute) {
            deadline = now + setting.value_ns;
        } else if (m_clock == TimerClock::Realtime) {
            // An absolute wall-clock time becomes a monotonic deadline now; a later change of the
            // wall clock does not move it (there is no settimeofday here that could).
            u64 wall = clock::realtime_ns();
            deadline = setting.value_ns > wall ? now + (setting.value_ns - wall) : now;
        } else {
            deadline = setting.value_ns;
        }
        // A deadline in the past expires at once, as Linux's does.
        sched::start_timer_locked(m_timer, deadline > now ? deadline : now);
        return old;
    }

protected:
    void release() override { sched::cancel_timer(m_timer); }

private:
    // Interrupt context (the timer interrupt) or interrupts disabled.
    static void expired(sched::Timer& timer)
    {
        auto& self = *static_cast<TimerFd*>(timer.context);
        self.m_ticks += 1;
        self.m_expired = true;
        self.m_waiters.wake_all_locked();
        self.notify_readiness(k_poll_in | k_poll_rdnorm);
    }

    // A periodic timer that fired: counts the further periods that have passed since and arms it
    // for the next one (Linux's hrtimer_forward_now). Interrupts disabled.
    void catch_up_locked()
    {
        if (!m_expired || !m_interval_ns)
            return;
        m_expired = false;
        u64 now = clock::monotonic_ns();
        u64 next = m_timer.deadline_ns + m_interval_ns;
        if (next <= now) {
            u64 missed = (now - next) / m_interval_ns + 1;
            m_ticks += missed;
            next += missed * m_interval_ns;
        }
        sched::start_timer_locked(m_timer, next);
    }

    TimerClock m_clock;
    sched::Timer m_timer;
    u64 m_interval_ns = 0;
    u64 m_ticks = 0;        // Shared with the timer interrupt.
    bool m_expired = false; // Fired and not re-armed yet (periodic timers).
    sched::WaitQueue m_waiters { sched::WakeSource::External };
};

TimerFd* as_timerfd(FileDescription& file)
{
    if (file.kind() != DescriptionKind::TimerFd)
        return nullptr;
    return static_cast<TimerFd*>(&file);
}

} // namespace

Result<FileDescription*> create_timerfd(TimerClock clock, u32 flags)
{
    auto* file = make<TimerFd>(clock, flags);
    if (!file)
        return error(ENOMEM);
    return static_cast<FileDescription*>(file);
}

Result<TimerSetting> set_timer(FileDescription& file, TimerSetting setting, bool absolute)
{
    TimerFd* timer = as_timerfd(file);
    if (!timer)
        return error(EINVAL);
    return timer->set(setting, absolute);
}

Result<TimerSetting> get_timer(FileDescription& file)
{
    TimerFd* timer = as_timerfd(file);
    if (!timer)
        return error(EINVAL);
    sched::SchedulerGuard guard;
    return timer->setting_locked();
}

}
