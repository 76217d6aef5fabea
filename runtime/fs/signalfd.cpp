// SPDX-License-Identifier: MIT
// signalfd: pending signals of the reading thread (or the process) in the descriptor's mask, read
// as struct signalfd_siginfo records. Readiness follows the pending sets: the signal layer tells
// every signalfd when a signal becomes pending. [signalfd(2)]
#include "fs/event_files.h"

#include "lib/intrusive_list.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "sched/locks.h"
#include "sched/scheduler.h"
#include "sched/signal.h"

namespace uk::fs {

namespace {

// struct signalfd_siginfo (128 bytes).
struct SignalRecord {
    u32 signo;
    i32 errno_value;
    i32 code;
    u32 pid;
    u32 uid;
    i32 fd;
    u32 tid;
    u32 band;
    u32 overrun;
    u32 trapno;
    i32 status;
    i32 int_value;
    u64 ptr;
    u64 utime;
    u64 stime;
    u64 addr;
    u16 addr_lsb;
    u8 pad[46];
};
static_assert(sizeof(SignalRecord) == 128);

class SignalFd;
IntrusiveList<SignalFd> g_signalfds;

void signal_became_pending();

class SignalFd final : public FileDescription, public ListLink<> {
public:
    SignalFd(u64 mask, u32 flags)
        : FileDescription(DescriptionKind::SignalFd, k_o_rdwr | (flags & k_o_nonblock))
        , m_mask(mask)
    {
        sched::SchedulerGuard guard;
        static bool s_listening;
        if (!s_listening) {
            sched::set_pending_listener(signal_became_pending);
            s_listening = true;
        }
        g_signalfds.push_back(*this);
    }

    Result<size_t> read(void* buffer, size_t length) override
    {
        if (length < sizeof(SignalRecord))
            return error(EINVAL);
        size_t done = 0;
        while (done + sizeof(SignalRecord) <= length) {
            int code = 0;
            u64 value = 0;
            int signal = sched::take_pending_signal(m_mask, &code, &value);
            if (!signal) {
                if (done)
                    break;
                if (is_nonblocking())
                    return error(EAGAIN);
                // Signals come from other threads; waiting for them is like a sigtimedwait.
                sched::SchedulerGuard guard;
                auto r = sched::block_for_signal_locked(m_mask, 0);
                if (r == sched::WaitResult::Interrupted)
                    return error(EINTR);
                continue;
            }
            SignalRecord record {};
            record.signo = static_cast<u32>(signal);
            record.code = code;
            record.pid = 1;
            record.tid = static_cast<u32>(sched::current_thread().tid);
            record.int_value = static_cast<i32>(value);
            record.ptr = value;
            copy_bytes(static_cast<u8*>(buffer) + done, &record, sizeof(record));
            done += sizeof(record);
        }
        return done;
    }

    u32 readiness() override { return (sched::pending_signals() & m_mask) ? k_poll_in | k_poll_rdnorm : 0; }

    void set_mask(u64 mask)
    {
        m_mask = mask;
        notify_readiness(k_poll_in | k_poll_rdnorm);
    }

protected:
    void release() override
    {
        sched::SchedulerGuard guard;
        IntrusiveList<SignalFd>::remove(*this);
    }

private:
    u64 m_mask;
};

void signal_became_pending()
{
    sched::SchedulerGuard guard; // The list changes under it as signalfds come and go.
    g_signalfds.for_each([](SignalFd& file) { file.notify_readiness(k_poll_in | k_poll_rdnorm); });
}

} // namespace

Result<FileDescription*> create_signalfd(u64 mask, u32 flags)
{
    // SIGKILL and SIGSTOP are silently left out, as Linux does.
    mask &= ~(sched::signal_bit(k_sigkill) | sched::signal_bit(k_sigstop));
    auto* file = make<SignalFd>(mask, flags);
    if (!file)
        return error(ENOMEM);
    return static_cast<FileDescription*>(file);
}

Result<void> set_signalfd_mask(FileDescription& file, u64 mask)
{
    if (file.kind() != DescriptionKind::SignalFd)
        return error(EINVAL);
    static_cast<SignalFd&>(file).set_mask(mask & ~(sched::signal_bit(k_sigkill) | sched::signal_bit(k_sigstop)));
    return {};
}

}
