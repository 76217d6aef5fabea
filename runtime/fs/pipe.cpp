// SPDX-License-Identifier: MIT
// Pipes. The ring's pages are allocated as data first reaches them, so an idle pipe costs one
// small object. Waiting happens only in WaitQueue::wait_until; everything a waiter looks at
// afterwards is re-read from the pipe, which its description's reference keeps alive.
#include "fs/pipe.h"

#include "fs/inode.h"
#include "lib/format.h"
#include "lib/intrusive_list.h"
#include "lib/linux/ioctl.h"
#include "lib/linux/signal.h"
#include "lib/string.h"
#include "lib/verify.h"
#include "mm/address_space.h"
#include "mm/kmalloc.h"
#include "sched/signal.h"
#include "sched/wait_queue.h"


namespace uk::fs {

namespace {
constexpr size_t k_page_count = k_pipe_capacity / k_page_size;
}

class PipeEnd;

class Pipe {
public:
    size_t available() const { return static_cast<size_t>(m_written - m_read); }
    size_t room() const { return k_pipe_capacity - available(); }

    size_t take(u8* out, size_t length)
    {
        size_t n = length < available() ? length : available();
        for (size_t done = 0; done < n;) {
            size_t at = static_cast<size_t>(m_read % k_pipe_capacity);
            size_t in_page = at % k_page_size;
            size_t chunk = k_page_size - in_page;
            if (chunk > n - done)
                chunk = n - done;
            copy_bytes(out + done, m_pages[at / k_page_size] + in_page, chunk);
            done += chunk;
            m_read += chunk;
        }
        return n;
    }

    // Copies as much of `in` as fits; returns the count, or ENOMEM if nothing could be stored.
    Result<size_t> put(const u8* in, size_t length)
    {
        size_t n = length < room() ? length : room();
        size_t done = 0;
        while (done < n) {
            size_t at = static_cast<size_t>(m_written % k_pipe_capacity);
            size_t in_page = at % k_page_size;
            u8*& page = m_pages[at / k_page_size];
            if (!page) {
                page = static_cast<u8*>(allocate_page());
                if (!page)
                    break;
            }
            size_t chunk = k_page_size - in_page;
            if (chunk > n - done)
                chunk = n - done;
            copy_bytes(page + in_page, in + done, chunk);
            done += chunk;
            m_written += chunk;
        }
        if (done == 0 && n > 0)
            return error(ENOMEM);
        return done;
    }

    // Wakes blocked readers and writers, and tells the ends that `events` may have changed.
    void changed(u32 events);
    void attach(PipeEnd& end);
    void detach(PipeEnd& end);

    u32 readers = 0;
    u32 writers = 0;
    u32 ever_readers = 0; // For FIFOs: whether an O_RDONLY|O_NONBLOCK open may see EOF.
    u32 ever_writers = 0;
    Inode* fifo = nullptr;
    sched::WaitQueue waiters;

private:
    u8* m_pages[k_page_count] {};
    u64 m_read = 0;
    u64 m_written = 0;
    IntrusiveList<PipeEnd> m_ends;

    friend class PipeEnd;
};

class PipeEnd final : public FileDescription, public ListLink<> {
public:
    PipeEnd(Pipe& pipe, u32 flags)
        : FileDescription(pipe.fifo ? DescriptionKind::Fifo : DescriptionKind::Pipe, flags)
        , m_pipe(pipe)
    {
    }

    Result<size_t> read(void* buffer, size_t length) override
    {
        if (length == 0)
            return static_cast<size_t>(0);
        Pipe& pipe = m_pipe;
        if (!pipe.available()) {
            if (!pipe.writers)
                return static_cast<size_t>(0);
            if (is_nonblocking())
                return error(EAGAIN);
            auto waited = pipe.waiters.wait_until([&] { return pipe.available() > 0 || pipe.writers == 0; });
            if (waited == sched::WaitResult::Deadlock)
                return deadlock("read from");
            if (waited == sched::WaitResult::Interrupted)
                return error(EINTR);
        }
        bool was_full = pipe.room() < k_pipe_buf;
        size_t n = pipe.take(static_cast<u8*>(buffer), length);
        // Writers hear about it only when room appears, as on Linux (an edge-triggered EPOLLOUT
        // fires once the pipe stops being full, not on every read).
        if (n)
            pipe.changed(was_full && pipe.room() >= k_pipe_buf ? k_poll_out | k_poll_wrnorm : 0);
        return n;
    }

    Result<size_t> write(const void* buffer, size_t length) override
    {
        Pipe& pipe = m_pipe;
        auto* in = static_cast<const u8*>(buffer);
        size_t done = 0;
        while (done < length) {
            if (!pipe.readers) {
                if (done)
                    return done;
                (void)sched::raise_signal(k_sigpipe);
                return error(EPIPE);
            }
            size_t left = length - done;
            // Up to PIPE_BUF bytes go in at once or not at all.
            size_t needed = left <= k_pipe_buf ? left : 1;
            if (pipe.room() < needed) {
                if (is_nonblocking())
                    return done ? Result<size_t>(done) : error(EAGAIN);
                auto waited = pipe.waiters.wait_until([&] { return pipe.room() >= needed || pipe.readers == 0; });
                if (waited == sched::WaitResult::Deadlock)
                    return done ? Result<size_t>(done) : deadlock("write to");
                if (waited == sched::WaitResult::Interrupted)
                    return done ? Result<size_t>(done) : error(EINTR);
                continue;
            }
            auto put = pipe.put(in + done, left);
            if (put.is_error())
                return done ? Result<size_t>(done) : error(put.error_code());
            done += put.value();
            pipe.changed(k_poll_in | k_poll_rdnorm);
        }
        return done;
    }

    Result<long> ioctl(unsigned long request, long argument) override
    {
        if (request != k_fionread)
            return error(ENOTTY);
        if (!mm::is_user_range(static_cast<u64>(argument), sizeof(int), true))
            return error(EFAULT);
        *reinterpret_cast<int*>(argument) = static_cast<int>(m_pipe.available());
        return 0;
    }

    Result<void> stat(Stat& out) override
    {
        if (m_pipe.fifo) {
            stat_inode(*m_pipe.fifo, out);
            return {};
        }
        fill_bytes(&out, 0, sizeof(out));
        out.dev = 0xd;
        out.ino = reinterpret_cast<uptr>(&m_pipe) >> 4;
        out.mode = k_mode_fifo | 0600;
        out.nlink = 1;
        out.blksize = k_page_size;
        return {};
    }

    u32 readiness() override
    {
        u32 events = 0;
        if (can_read()) {
            if (m_pipe.available())
                events |= k_poll_in | k_poll_rdnorm;
            if (!m_pipe.writers && m_pipe.ever_writers)
                events |= k_poll_hup;
        }
        if (can_write()) {
            if (m_pipe.room() >= k_pipe_buf)
                events |= k_poll_out | k_poll_wrnorm;
            if (!m_pipe.readers)
                events |= k_poll_err;
        }
        return events;
    }

    Inode* inode() override { return m_pipe.fifo; }


protected:
    void release() override
    {
        Pipe* pipe = &m_pipe;
        if (can_read())
            --pipe->readers;
        if (can_write())
            --pipe->writers;
        pipe->detach(*this);
        pipe->changed(k_poll_all);
        if (pipe->readers == 0 && pipe->writers == 0) {
            for (u8* page : pipe->m_pages)
                free_page(page);
            if (Inode* fifo = pipe->fifo) {
                fifo->fifo = nullptr;
                fs::unref(*fifo);
            }
            destroy(pipe);
        }
    }

private:
    Error deadlock(const char* what)
    {
        printk("uk: deadlock: %s a pipe that no other thread can ever serve\n", what);
        return error(EDEADLK);
    }

    Pipe& m_pipe;
};

void Pipe::changed(u32 events)
{
    waiters.wake_all();
    if (events)
        m_ends.for_each([&](PipeEnd& end) { end.notify_readiness(events); });
}

void Pipe::attach(PipeEnd& end)
{
    m_ends.push_back(end);
    if (end.can_read()) {
        ++readers;
        ++ever_readers;
    }
    if (end.can_write()) {
        ++writers;
        ++ever_writers;
    }
}

void Pipe::detach(PipeEnd& end) { IntrusiveList<PipeEnd>::remove(end); }

Result<void> create_pipe(FileDescription* ends[2], u32 flags)
{
    auto* pipe = make<Pipe>();
    if (!pipe)
        return error(ENOMEM);
    u32 status = flags & (k_o_nonblock | k_o_direct);
    auto* reader = make<PipeEnd>(*pipe, status | k_o_rdonly);
    auto* writer = reader ? make<PipeEnd>(*pipe, status | k_o_wronly) : nullptr;
    if (!writer) {
        kfree(reader);
        destroy(pipe);
        return error(ENOMEM);
    }
    pipe->attach(*reader);
    pipe->attach(*writer);
    ends[0] = reader;
    ends[1] = writer;
    return {};
}

Result<FileDescription*> open_fifo(Inode& inode, u32 flags)
{
    u32 mode = flags & k_o_accmode;
    Pipe* pipe = inode.fifo;
    bool created = false;
    if (!pipe) {
        if (mode == k_o_wronly && (flags & k_o_nonblock)) {
            unref(inode);
            return error(ENXIO); // No reader: POSIX's answer for a non-blocking writer.
        }
        pipe = make<Pipe>();
        if (!pipe) {
            unref(inode);
            return error(ENOMEM);
        }
        pipe->fifo = &inode;
        inode.fifo = pipe;
        created = true;
    } else {
        unref(inode); // The pipe already holds the inode.
    }
    if (mode == k_o_wronly && (flags & k_o_nonblock) && !pipe->readers)
        return error(ENXIO);
    auto* end = make<PipeEnd>(*pipe, flags);
    if (!end) {
        if (created) {
            inode.fifo = nullptr;
            destroy(pipe);
            unref(inode);
        }
        return error(ENOMEM);
    }
    // Counted before attaching: an opener of the other side that comes (and perhaps already
    // goes) while this one waits is what a blocking open waits for.
    u32 readers_before = pipe->ever_readers, writers_before = pipe->ever_writers;
    pipe->attach(*end);
    pipe->changed(k_poll_all);
    // A blocking open waits for the other side, as open(2) on a FIFO does.
    if (!(flags & k_o_nonblock) && mode != k_o_rdwr) {
        auto waited = pipe->waiters.wait_until([&] {
            return mode == k_o_rdonly ? pipe->writers > 0 || pipe->ever_writers > writers_before
                                      : pipe->readers > 0 || pipe->ever_readers > readers_before;
        });
        if (waited == sched::WaitResult::Deadlock || waited == sched::WaitResult::Interrupted) {
            end->unref();
            if (waited == sched::WaitResult::Interrupted)
                return error(EINTR);
            printk("uk: deadlock: opening a FIFO that no other thread can ever open for %s\n",
                mode == k_o_rdonly ? "writing" : "reading");
            return error(EDEADLK);
        }
    }
    return static_cast<FileDescription*>(end);
}

}
