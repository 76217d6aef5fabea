// SPDX-License-Identifier: MIT
// poll, ppoll, select and pselect6: one pass over the descriptors' readiness, and if nothing is
// ready, one sleep on all their readiness queues at once (a WaitSet), repeated until something
// is, the timeout passes or a signal arrives. As on Linux, each pass looks the descriptors up
// again: one that another thread closed meanwhile reports POLLNVAL (poll) or nothing (select),
// while the descriptions first seen stay referenced as long as the call waits on them.
#include "fs/fd_table.h"
#include "arch/crash.h"
#include "mm/address_space.h"
#include "sched/clock.h"
#include "sched/signal.h"
#include "syscalls/file_support.h"
#include "lib/string.h"
#include "lib/linux/time.h"

namespace uk {

namespace {

constexpr u32 k_pollin = 0x001, k_pollpri = 0x002, k_pollout = 0x004, k_pollerr = 0x008, k_pollhup = 0x010,
              k_pollnval = 0x020, k_pollrdnorm = 0x040, k_pollrdband = 0x080, k_pollwrnorm = 0x100,
              k_pollwrband = 0x200;
// What select counts as readable, writable and exceptional (Linux's POLLIN_SET and friends).
constexpr u32 k_select_read = k_pollrdnorm | k_pollrdband | k_pollin | k_pollhup | k_pollerr;
constexpr u32 k_select_write = k_pollwrband | k_pollwrnorm | k_pollout | k_pollerr;
constexpr u32 k_select_except = k_pollpri;
constexpr long k_fd_setsize = 1024;
constexpr size_t k_on_stack = 32;

struct PollFd {
    int fd;
    short events;
    short revents;
};
static_assert(sizeof(PollFd) == 8);

struct Entry {
    fs::FileDescription* file; // As first looked up; null: negative fd or not open.
    int fd;
    u32 interest; // Events asked for, plus the ones always reported.
    u32 result;
};

// Storage for the entries and their waiters: on the stack for a few descriptors, else a private
// mapping (a call may watch up to RLIMIT_NOFILE of them).
class Batch {
public:
    Batch() = default;
    ~Batch()
    {
        for (size_t i = 0; i < m_count; ++i)
            if (m_entries[i].file)
                m_entries[i].file->unref();
        if (m_mapped)
            (void)mm::unmap(m_mapped, m_mapped_length);
    }
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;

    Result<void> reserve(size_t count)
    {
        if (count <= k_on_stack) {
            m_entries = m_stack_entries;
            m_waiters = m_stack_waiters;
        } else {
            m_mapped_length = align_up(count * (sizeof(Entry) + sizeof(sched::Waiter)), k_page_size);
            m_mapped = TRY(mm::map_anonymous(0, m_mapped_length, 3, mm::k_map_private | mm::k_map_anonymous));
            // Fresh anonymous memory is zeroed, which is what an idle Waiter is.
            m_waiters = reinterpret_cast<sched::Waiter*>(m_mapped);
            m_entries = reinterpret_cast<Entry*>(m_mapped + count * sizeof(sched::Waiter));
        }
        m_capacity = count;
        return {};
    }

    // Takes a reference on the description behind `fd`.
    void add(int fd, u32 interest)
    {
        Entry& e = m_entries[m_count++];
        e = { nullptr, fd, interest, 0 };
        if (fd < 0)
            return;
        auto file = fs::get(fd);
        if (file.is_error())
            return;
        e.file = file.value(); // O_PATH descriptors cannot be polled: POLLNVAL, as on Linux.
    }

    // Sleeps on every entry's queue until one is ready; returns how many are.
    Result<size_t> wait(u64 deadline_ns)
    {
        sched::WaitSet set(m_waiters, m_capacity);
        bool queued = false;
        for (;;) {
            set.prepare();
            size_t ready = 0;
            for (size_t i = 0; i < m_count; ++i) {
                Entry& e = m_entries[i];
                // Queued before looking, so that a change right after the look wakes us.
                if (!queued && e.file)
                    set.add(e.file->readiness_queue());
                e.result = current_readiness(e) & e.interest;
                if (e.result)
                    ++ready;
            }
            queued = true;
            if (ready)
                return ready;
            switch (set.wait(deadline_ns)) {
            case sched::WaitResult::Ready:
                continue;
            case sched::WaitResult::TimedOut:
                return static_cast<size_t>(0);
            case sched::WaitResult::Interrupted:
                return error(EINTR);
            case sched::WaitResult::Deadlock:
                crash_here(6, "deadlock: poll or select without a timeout, and no other thread, device or timer "
                              "could ever make a descriptor ready");
            }
        }
    }

    size_t count() const { return m_count; }
    const Entry& operator[](size_t i) const { return m_entries[i]; }

private:
    static u32 current_readiness(const Entry& e)
    {
        if (e.fd < 0)
            return 0;
        if (!e.file)
            return k_pollnval;
        if (e.file->is_path_only())
            return k_pollnval;
        auto now = fs::get(e.fd);
        if (now.is_error())
            return k_pollnval;
        fs::DescriptionRef hold(now.value());
        if (hold->is_path_only())
            return k_pollnval;
        return hold->readiness();
    }

    Entry m_stack_entries[k_on_stack];
    sched::Waiter m_stack_waiters[k_on_stack];
    Entry* m_entries = nullptr;
    sched::Waiter* m_waiters = nullptr;
    size_t m_count = 0;
    size_t m_capacity = 0;
    u64 m_mapped = 0;
    u64 m_mapped_length = 0;
};

// A relative timeout as an absolute monotonic deadline. A zero timeout gives a deadline that has
// already come: look once, do not sleep. (A deadline of 0 means "none" to the callers.)
u64 deadline_after(u64 timeout_ns) { return clock::monotonic_ns() + timeout_ns; }

Result<u64> deadline_from_timespec(long user_timespec)
{
    if (!user_timespec)
        return static_cast<u64>(0);
    if (!user_readable(user_timespec, sizeof(Timespec)))
        return error(EFAULT);
    Timespec t = *user_pointer<const Timespec>(user_timespec);
    if (!t.is_valid())
        return error(EINVAL);
    return deadline_after(t.to_ns());
}

// Writes the time left back into the caller's timeout, as Linux does for ppoll, select, pselect6.
void write_remaining(long user_time, u64 deadline_ns, bool microseconds)
{
    if (!user_time || !deadline_ns)
        return;
    u64 now = clock::monotonic_ns();
    u64 left = deadline_ns > now ? deadline_ns - now : 0;
    if (microseconds) {
        if (user_writable(user_time, sizeof(Timeval)))
            *user_pointer<Timeval>(user_time) = { static_cast<i64>(left / 1'000'000'000),
                static_cast<i64>(left % 1'000'000'000 / 1000) };
    } else if (user_writable(user_time, sizeof(Timespec))) {
        *user_pointer<Timespec>(user_time) = Timespec::from_ns(left);
    }
}

// The signal mask of ppoll and pselect6: in force until the call returns (the system-call exit
// puts the old one back, after any handler it let through). EINTR at once when a signal is
// deliverable under it.
Result<void> apply_temporary_mask(long user_mask, long size)
{
    if (!user_mask)
        return {};
    if (size != 8)
        return error(EINVAL);
    if (!user_readable(user_mask, sizeof(u64)))
        return error(EFAULT);
    if (sched::use_temporary_signal_mask(*user_pointer<const u64>(user_mask)))
        return error(EINTR);
    return {};
}

Result<long> do_poll(long user_fds, u64 count, u64 deadline_ns, long user_mask, long mask_size)
{
    if (count > static_cast<u64>(fs::k_max_descriptors))
        return error(EINVAL);
    if (count && !user_writable(user_fds, count * sizeof(PollFd)))
        return error(EFAULT);
    auto* fds = user_pointer<PollFd>(user_fds);
    Batch batch;
    TRY(batch.reserve(count));
    for (u64 i = 0; i < count; ++i)
        batch.add(fds[i].fd, static_cast<u16>(fds[i].events) | k_pollerr | k_pollhup | k_pollnval);
    TRY(apply_temporary_mask(user_mask, mask_size));
    size_t ready = TRY(batch.wait(deadline_ns));
    for (u64 i = 0; i < count; ++i)
        fds[i].revents = static_cast<short>(batch[i].result);
    return static_cast<long>(ready);
}

// select's three descriptor sets, as bit arrays of `count` bits.
Result<long> do_select(long count, long user_read, long user_write, long user_except, u64 deadline_ns, long user_mask,
    long mask_size)
{
    if (count < 0)
        return error(EINVAL);
    if (count > k_fd_setsize)
        count = k_fd_setsize; // Descriptors past FD_SETSIZE cannot be open.
    size_t bytes = align_up(static_cast<u64>(count), 64) / 8;
    u64* sets[3] = { user_pointer<u64>(user_read), user_pointer<u64>(user_write), user_pointer<u64>(user_except) };
    for (u64* set : sets)
        if (set && !user_writable(reinterpret_cast<long>(set), bytes))
            return error(EFAULT);
    auto is_set = [&](int which, long fd) { return sets[which] && (sets[which][fd / 64] >> (fd % 64)) & 1; };
    size_t watched = 0;
    for (long fd = 0; fd < count; ++fd)
        if (is_set(0, fd) || is_set(1, fd) || is_set(2, fd))
            ++watched;
    Batch batch;
    TRY(batch.reserve(watched));
    for (long fd = 0; fd < count; ++fd) {
        u32 interest = (is_set(0, fd) ? k_select_read : 0) | (is_set(1, fd) ? k_select_write : 0)
            | (is_set(2, fd) ? k_select_except : 0);
        if (!interest)
            continue;
        batch.add(static_cast<int>(fd), interest);
        if (!batch[batch.count() - 1].file)
            return error(EBADF); // Unlike poll, select fails on a descriptor that is not open.
    }
    TRY(apply_temporary_mask(user_mask, mask_size));
    TRY(batch.wait(deadline_ns));
    for (u64* set : sets)
        if (set)
            fill_bytes(set, 0, bytes);
    long total = 0;
    for (size_t i = 0; i < batch.count(); ++i) {
        const Entry& e = batch[i];
        u32 asked[3] = { k_select_read, k_select_write, k_select_except };
        for (int which = 0; which < 3; ++which) {
            if (sets[which] && (e.interest & asked[which]) && (e.result & asked[which])) {
                sets[which][e.fd / 64] |= 1ull << (e.fd % 64);
                ++total;
            }
        }
    }
    return total;
}

Result<long> select_with_timeval(long count, long r, long w, long x, long user_timeval)
{
    u64 deadline = 0;
    if (user_timeval) {
        if (!user_writable(user_timeval, sizeof(Timeval)))
            return error(EFAULT);
        Timeval t = *user_pointer<const Timeval>(user_timeval);
        if (t.seconds < 0 || t.microseconds < 0 || t.microseconds >= 1'000'000)
            return error(EINVAL);
        deadline = deadline_after(static_cast<u64>(t.seconds) * 1'000'000'000 + static_cast<u64>(t.microseconds) * 1000);
    }
    auto result = do_select(count, r, w, x, deadline, 0, 0);
    write_remaining(user_timeval, deadline, true);
    return result;
}

Result<long> pselect(long count, long r, long w, long x, long user_timespec, long user_mask_pair)
{
    u64 deadline = TRY(deadline_from_timespec(user_timespec));
    long user_mask = 0, mask_size = 0;
    if (user_mask_pair) {
        // The sixth argument points to { const sigset_t *mask; size_t size; }.
        if (!user_readable(user_mask_pair, 16))
            return error(EFAULT);
        user_mask = user_pointer<const long>(user_mask_pair)[0];
        mask_size = user_pointer<const long>(user_mask_pair)[1];
    }
    auto result = do_select(count, r, w, x, deadline, user_mask, mask_size);
    write_remaining(user_timespec, deadline, false);
    return result;
}

Result<long> poll_with_milliseconds(long user_fds, long count, long timeout_ms)
{
    // A negative timeout waits for ever; 0 looks once.
    int timeout = static_cast<int>(timeout_ms);
    u64 deadline = timeout < 0 ? 0 : deadline_after(static_cast<u64>(timeout) * 1'000'000);
    return do_poll(user_fds, static_cast<u64>(count), deadline, 0, 0);
}

Result<long> ppoll(long user_fds, long count, long user_timespec, long user_mask, long mask_size)
{
    u64 deadline = TRY(deadline_from_timespec(user_timespec));
    auto result = do_poll(user_fds, static_cast<u64>(count), deadline, user_mask, mask_size);
    write_remaining(user_timespec, deadline, false);
    return result;
}

} // namespace

}

using namespace uk;

UK_SYSCALL_HANDLER_NO_RESTART(poll) { return poll_with_milliseconds(a0, a1, a2); }
UK_SYSCALL_HANDLER_NO_RESTART(ppoll) { return ppoll(a0, a1, a2, a3, a4); }
UK_SYSCALL_HANDLER_NO_RESTART(select) { return select_with_timeval(a0, a1, a2, a3, a4); }
UK_SYSCALL_HANDLER_NO_RESTART(pselect6) { return pselect(a0, a1, a2, a3, a4, a5); }
