// SPDX-License-Identifier: MIT
// eventfd: a 64-bit counter that writes add to and reads take, with eventfd(2)'s blocking rules
// (a read waits for a non-zero count, a write for room below 2^64 - 1) and EFD_SEMAPHORE.
#include "fs/event_files.h"

#include "lib/format.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "sched/locks.h"

namespace uk::fs {

namespace {

constexpr u64 k_max_count = 0xfffffffffffffffeull;

class EventFd final : public FileDescription {
public:
    EventFd(u64 initial, u32 flags)
        : FileDescription(DescriptionKind::EventFd, k_o_rdwr | (flags & k_o_nonblock))
        , m_count(initial)
        , m_semaphore(flags & k_efd_semaphore)
    {
    }

    Result<size_t> read(void* buffer, size_t length) override
    {
        if (length < sizeof(u64))
            return error(EINVAL);
        u64 value;
        {
            sched::SchedulerGuard guard;
            if (m_count == 0) {
                if (is_nonblocking())
                    return error(EAGAIN);
                auto waited = m_waiters.wait_until([&] { return m_count != 0; });
                if (waited == sched::WaitResult::Interrupted)
                    return error(EINTR);
                if (waited == sched::WaitResult::Deadlock)
                    return deadlock("read from");
            }
            value = m_semaphore ? 1 : m_count;
            m_count -= value;
        }
        copy_bytes(buffer, &value, sizeof(value));
        changed(k_poll_out | k_poll_wrnorm);
        return sizeof(u64);
    }

    Result<size_t> write(const void* buffer, size_t length) override
    {
        if (length < sizeof(u64))
            return error(EINVAL);
        u64 value;
        copy_bytes(&value, buffer, sizeof(value));
        if (value == ~0ull)
            return error(EINVAL);
        {
            sched::SchedulerGuard guard;
            if (value > k_max_count - m_count) {
                if (is_nonblocking())
                    return error(EAGAIN);
                auto waited = m_waiters.wait_until([&] { return value <= k_max_count - m_count; });
                if (waited == sched::WaitResult::Interrupted)
                    return error(EINTR);
                if (waited == sched::WaitResult::Deadlock)
                    return deadlock("write to");
            }
            m_count += value;
        }
        // Every write is an event, even one that leaves a non-zero count non-zero: an
        // edge-triggered epoll reports each one, as on Linux.
        changed(k_poll_in | k_poll_rdnorm);
        return sizeof(u64);
    }

    u32 readiness() override
    {
        u32 events = 0;
        if (m_count > 0)
            events |= k_poll_in | k_poll_rdnorm;
        if (m_count < k_max_count)
            events |= k_poll_out | k_poll_wrnorm;
        return events;
    }

private:
    void changed(u32 events)
    {
        m_waiters.wake_all();
        notify_readiness(events);
    }

    Error deadlock(const char* what)
    {
        printk("uk: deadlock: %s an eventfd that no other thread can ever serve\n", what);
        return error(EDEADLK);
    }

    u64 m_count;
    bool m_semaphore;
    sched::WaitQueue m_waiters;
};

} // namespace

Result<FileDescription*> create_eventfd(u64 initial, u32 flags)
{
    auto* file = make<EventFd>(initial, flags);
    if (!file)
        return error(ENOMEM);
    return static_cast<FileDescription*>(file);
}

}
