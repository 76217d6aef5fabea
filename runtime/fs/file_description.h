// SPDX-License-Identifier: MIT
// FileDescription: an open file description (POSIX's term): what a file descriptor refers to.
// Every kind of descriptor (ramfs files and directories, devices, the console, pipes, eventfd,
// timerfd, signalfd, epoll, sockets) is a subclass; dup'd descriptors share one description (and
// its offset and status flags). Descriptions are reference counted: every descriptor holds one
// reference, and so does a system call while it uses the description (it may sleep in a WaitQueue
// while another thread closes the descriptor). The count is atomic: calls that run without the
// RuntimeLock (socket reads and writes, runs_without_runtime_lock()) take and drop references too;
// the last one's release() always runs under the RuntimeLock.
//
// Readiness: readiness() says which poll events hold now. Whenever they may have changed, the
// description calls notify_readiness(), which wakes the threads sleeping on readiness_queue()
// (poll, select, blocking calls) and tells every registered ReadinessObserver (epoll instances).
#pragma once

#include "lib/intrusive_list.h"
#include "lib/linux/fcntl.h"
#include "lib/linux/poll.h"
#include "lib/result.h"
#include "lib/types.h"
#include "sched/wait_queue.h"

namespace uk::fs {

struct Inode;

// Open flags and poll events (lib/linux/) are the vocabulary of descriptions: fs:: names them
// too (k_o_rdonly, k_poll_in).
using enum OpenFlags;
using enum PollEvents;

// The flags F_SETFL may change.
inline constexpr u32 k_settable_status_flags = k_o_append | k_o_nonblock | k_o_async | k_o_direct | k_o_noatime;

enum class Whence : int { Set = 0, Current = 1, End = 2, Data = 3, Hole = 4 };
// The position lseek(2) moves to from `current` in a file of `size` bytes for SEEK_SET, SEEK_CUR
// and SEEK_END: EINVAL for another whence or a negative result, EOVERFLOW past the largest off_t.
Result<u64> seek_offset(u64 current, u64 size, i64 offset, Whence whence);

// Linux's struct stat for x86_64 (musl's struct stat and struct kstat have the same layout,
// checked on musl's side in uk_abi_checks.c).
struct Stat {
    u64 dev;
    u64 ino;
    u64 nlink;
    u32 mode;
    u32 uid;
    u32 gid;
    u32 pad0;
    u64 rdev;
    i64 size;
    i64 blksize;
    i64 blocks;
    i64 atime_sec, atime_nsec;
    i64 mtime_sec, mtime_nsec;
    i64 ctime_sec, ctime_nsec;
    i64 reserved[3];
};
static_assert(sizeof(Stat) == 144);

// Fills `out` from an inode (the common case for stat on any file).
void stat_inode(const Inode& inode, Stat& out);

// What a description is; the answer to "is this a pipe?" never has to be guessed.
enum class DescriptionKind : u8 {
    RegularFile,
    Directory,
    ProcFile, // A synthetic /proc file.
    PathOnly, // O_PATH.
    Device,   // /dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom.
    Console,
    Pipe,
    Fifo,
    EventFd,
    TimerFd,
    SignalFd,
    Epoll,
    Socket,
};

class FileDescription;
struct ObserverTag;

// Something that follows a description's readiness (an epoll instance's entry for it).
class ReadinessObserver : public ListLink<ObserverTag> {
public:
    // readiness() may have changed, in the `events` named (a hint: only events in it may have
    // become ready). Runs with interrupts disabled, possibly in interrupt context (see
    // arch/arch.h): it may only record the news and wake waiters.
    virtual void readiness_changed(FileDescription& description, u32 events) = 0;
    // The description's last reference is going away: the observer must forget it.
    virtual void description_released(FileDescription& description) = 0;

protected:
    ~ReadinessObserver() = default;
};

class FileDescription {
public:
    FileDescription(const FileDescription&) = delete;
    FileDescription& operator=(const FileDescription&) = delete;

    // Stream reads and writes use and advance the description's offset where it has one.
    virtual Result<size_t> read(void* buffer, size_t length);
    virtual Result<size_t> write(const void* buffer, size_t length);
    virtual Result<size_t> pread(void* buffer, size_t length, u64 offset);
    virtual Result<size_t> pwrite(const void* buffer, size_t length, u64 offset);
    virtual Result<u64> seek(i64 offset, Whence whence);
    virtual Result<long> ioctl(unsigned long request, long argument);
    virtual Result<void> stat(Stat& out);
    virtual Result<void> truncate(u64 length);
    // getdents64 records into `buffer`; 0 at the end of the directory.
    virtual Result<size_t> read_directory(void* buffer, size_t length);
    virtual Result<void> sync();
    // mmap of the description's file at `offset` (page-aligned; the caller checked the access
    // mode and the flags). ENODEV: this kind of file cannot be mapped.
    virtual Result<u64> map(u64 hint, u64 length, u32 protection, u32 flags, u64 offset);
    // The poll events that hold now (k_poll_in when a read would not block, ...).
    virtual u32 readiness();
    // The file-system node behind the description, if any (fchdir, fstatfs, *at system calls).
    virtual Inode* inode();
    virtual bool is_terminal() const { return false; }
    // Whether read, write and the socket data calls on this description may run without the
    // RuntimeLock (docs/architecture.md, "Locking on many CPUs"): true for descriptions whose
    // every state those calls touch is under locks of their own (inet sockets: the CoreLock).
    // Fixed for the description's life.
    virtual bool runs_without_runtime_lock() const { return false; }

    void ref() { __atomic_add_fetch(&m_references, 1, __ATOMIC_RELAXED); }
    // Drops a reference; the last one releases the description under the RuntimeLock, taken here
    // if the caller does not hold it (a call without it whose description was closed meanwhile).
    void unref();

    u32 access_mode() const { return status_flags() & k_o_accmode; }
    bool is_path_only() const { return status_flags() & k_o_path; }
    bool can_read() const { return !is_path_only() && access_mode() != k_o_wronly; }
    bool can_write() const { return !is_path_only() && access_mode() != k_o_rdonly; }
    bool is_nonblocking() const { return status_flags() & k_o_nonblock; }
    // Read without a lock by the calls that run without the RuntimeLock; written (F_SETFL,
    // FIONBIO) under it, so writers never race each other.
    u32 status_flags() const { return __atomic_load_n(&m_status_flags, __ATOMIC_RELAXED); }
    void set_status_flags(u32 flags)
    {
        u32 kept = status_flags() & ~k_settable_status_flags;
        __atomic_store_n(&m_status_flags, kept | (flags & k_settable_status_flags), __ATOMIC_RELAXED);
    }

    DescriptionKind kind() const { return m_kind; }
    // Whether reads may block waiting for data (pipes, the console, sockets, event counters), as
    // opposed to files, whose reads always complete.
    bool is_stream() const
    {
        return m_kind == DescriptionKind::Pipe || m_kind == DescriptionKind::Fifo || m_kind == DescriptionKind::Console
            || m_kind == DescriptionKind::Socket || m_kind == DescriptionKind::EventFd
            || m_kind == DescriptionKind::TimerFd || m_kind == DescriptionKind::SignalFd;
    }

    // Woken whenever readiness() may have changed; poll and select sleep here.
    sched::WaitQueue& readiness_queue() { return m_readiness_changed; }
    // Wakes the readiness queue and tells the observers that the `events` named may have become
    // ready (or that others stopped being so). Interrupt-safe.
    void notify_readiness(u32 events = k_poll_all);
    void add_observer(ReadinessObserver& observer);
    void remove_observer(ReadinessObserver& observer);

protected:
    FileDescription(DescriptionKind kind, u32 status_flags, sched::WakeSource source = sched::WakeSource::ProgramThreads)
        : m_readiness_changed(source)
        , m_status_flags(status_flags & ~(k_o_creat | k_o_excl | k_o_trunc | k_o_cloexec | k_o_noctty))
        , m_kind(kind)
    {
    }
    ~FileDescription() = default;
    // The last reference is gone: release what the description holds (under the RuntimeLock).
    // The memory itself is freed by unref(), so subclasses must not need a destructor.
    virtual void release() {}

    u64 m_offset = 0;

private:
    void release_and_free();

    sched::WaitQueue m_readiness_changed;
    IntrusiveList<ReadinessObserver, ObserverTag> m_observers;
    u32 m_status_flags;
    u32 m_references = 1; // Atomic.
    DescriptionKind m_kind;
};

// Holds a reference for the length of a scope.
class DescriptionRef {
public:
    explicit DescriptionRef(FileDescription* description) : m_description(description) {}
    ~DescriptionRef()
    {
        if (m_description)
            m_description->unref();
    }
    DescriptionRef(const DescriptionRef&) = delete;
    DescriptionRef& operator=(const DescriptionRef&) = delete;
    FileDescription* operator->() const { return m_description; }
    FileDescription& operator*() const { return *m_description; }

private:
    FileDescription* m_description;
};

// A description of a ramfs node: regular file, directory or (with O_PATH) anything.
// Takes over the caller's reference on `inode`; null when out of memory.
Result<FileDescription*> open_inode_description(Inode& inode, u32 flags);

}
