// SPDX-License-Identifier: MIT
// FileDescription's defaults (what Linux answers for a descriptor that cannot do something),
// and the descriptions of ramfs nodes: regular files, directories, synthetic /proc files and
// O_PATH descriptors.
#include "fs/file_description.h"

#include "fs/directory.h"
#include "fs/inode.h"
#include "fs/vfs.h"
#include "lib/string.h"
#include "lib/verify.h"
#include "arch/arch.h"
#include "mm/file_mapping.h"
#include "mm/kmalloc.h"
#include "sched/locks.h"
#include "sched/scheduler.h"

namespace uk::fs {

Result<size_t> FileDescription::read(void*, size_t) { return error(EINVAL); }
Result<size_t> FileDescription::write(const void*, size_t) { return error(EINVAL); }
Result<size_t> FileDescription::pread(void*, size_t, u64) { return error(ESPIPE); }
Result<size_t> FileDescription::pwrite(const void*, size_t, u64) { return error(ESPIPE); }
Result<u64> FileDescription::seek(i64, Whence) { return error(ESPIPE); }
Result<long> FileDescription::ioctl(unsigned long, long) { return error(ENOTTY); }
Result<void> FileDescription::truncate(u64) { return error(EINVAL); }
Result<size_t> FileDescription::read_directory(void*, size_t) { return error(ENOTDIR); }
Result<void> FileDescription::sync() { return error(EINVAL); }
Result<u64> FileDescription::map(u64, u64, u32, u32, u64) { return error(ENODEV); }
// Linux's DEFAULT_POLLMASK: what a file that cannot block reports.
u32 FileDescription::readiness() { return k_poll_in | k_poll_out | k_poll_rdnorm | k_poll_wrnorm; }
Inode* FileDescription::inode() { return nullptr; }

Result<void> FileDescription::stat(Stat& out)
{
    if (Inode* node = inode())
        return fs::stat(*node, out);
    return error(EINVAL);
}

void FileDescription::unref()
{
    u32 left = __atomic_sub_fetch(&m_references, 1, __ATOMIC_ACQ_REL);
    VERIFY(left != ~0u);
    if (left)
        return;
    // Descriptions' release() touches runtime state (the file tree, pipes, lwIP's pcbs through
    // the CoreLock, which comes after the RuntimeLock). A call that runs without the RuntimeLock
    // drops its reference holding no lock at all, so it may take it here.
    if (arch::cpus_online() > 1 && !sched::g_runtime_lock.is_held_here()) {
        sched::RuntimeGuard guard;
        release_and_free();
        return;
    }
    release_and_free();
}

void FileDescription::release_and_free()
{
    // Observers (epoll entries) forget the description first: epoll drops a description when its
    // last descriptor is closed, not when one of several dup'd descriptors is.
    {
        sched::SchedulerGuard guard;
        while (ReadinessObserver* observer = m_observers.pop_front())
            observer->description_released(*this);
    }
    release();
    kfree(this);
}

void FileDescription::notify_readiness(u32 events)
{
    sched::SchedulerGuard guard;
    m_readiness_changed.wake_all_locked();
    m_observers.for_each([&](ReadinessObserver& observer) { observer.readiness_changed(*this, events); });
}

void FileDescription::add_observer(ReadinessObserver& observer)
{
    sched::SchedulerGuard guard;
    m_observers.push_back(observer);
}

void FileDescription::remove_observer(ReadinessObserver& observer)
{
    sched::SchedulerGuard guard;
    if (static_cast<ListLink<ObserverTag>&>(observer).is_linked())
        IntrusiveList<ReadinessObserver, ObserverTag>::remove(observer);
}

Result<u64> seek_offset(u64 current, u64 size, i64 offset, Whence whence)
{
    i64 base;
    switch (whence) {
    case Whence::Set: base = 0; break;
    case Whence::Current: base = static_cast<i64>(current); break;
    case Whence::End: base = static_cast<i64>(size); break;
    default: return error(EINVAL);
    }
    i64 result;
    if (__builtin_add_overflow(base, offset, &result))
        return error(EOVERFLOW);
    if (result < 0)
        return error(EINVAL);
    return static_cast<u64>(result);
}

namespace {

// Holds a reference on its inode; the description's offset is the file position.
class InodeDescription : public FileDescription {
public:
    InodeDescription(DescriptionKind kind, Inode& inode, u32 flags) : FileDescription(kind, flags), m_inode(inode) {}
    Inode* inode() override { return &m_inode; }
    Result<void> sync() override { return {}; }

protected:
    void release() override { fs::unref(m_inode); }
    Inode& m_inode;
};

class RegularFile final : public InodeDescription {
public:
    RegularFile(Inode& inode, u32 flags) : InodeDescription(DescriptionKind::RegularFile, inode, flags) {}

    Result<size_t> read(void* buffer, size_t length) override
    {
        size_t n = TRY(pread(buffer, length, m_offset));
        m_offset += n;
        return n;
    }

    Result<size_t> write(const void* buffer, size_t length) override
    {
        if (status_flags() & k_o_append)
            m_offset = m_inode.size;
        size_t n = TRY(pwrite(buffer, length, m_offset));
        m_offset += n;
        return n;
    }

    Result<size_t> pread(void* buffer, size_t length, u64 offset) override
    {
        size_t n = read_data(m_inode, offset, buffer, length);
        if (!(status_flags() & k_o_noatime))
            m_inode.access_ns = now_ns();
        return n;
    }

    Result<size_t> pwrite(const void* buffer, size_t length, u64 offset) override
    {
        return write_data(m_inode, offset, buffer, length);
    }

    Result<u64> seek(i64 offset, Whence whence) override
    {
        if (whence == Whence::Data || whence == Whence::Hole) {
            // The whole file counts as data (allowed by lseek(2)): data at `offset`, the one
            // hole at the end.
            if (offset < 0 || static_cast<u64>(offset) >= m_inode.size)
                return error(ENXIO);
            m_offset = whence == Whence::Data ? static_cast<u64>(offset) : m_inode.size;
            return m_offset;
        }
        m_offset = TRY(seek_offset(m_offset, m_inode.size, offset, whence));
        return m_offset;
    }

    Result<void> truncate(u64 length) override { return set_size(m_inode, length); }

    Result<u64> map(u64 hint, u64 length, u32 protection, u32 flags, u64 offset) override
    {
        return mm::map_file(hint, length, protection, flags, mapped_file(m_inode), offset);
    }
};

// A /proc file: its content is produced once at open, so a reader sees one consistent snapshot.
class SyntheticFile final : public InodeDescription {
public:
    SyntheticFile(Inode& inode, u32 flags, char* content, size_t length)
        : InodeDescription(DescriptionKind::ProcFile, inode, flags), m_content(content), m_length(length) {}

    Result<size_t> read(void* buffer, size_t length) override
    {
        size_t n = TRY(pread(buffer, length, m_offset));
        m_offset += n;
        return n;
    }
    Result<size_t> pread(void* buffer, size_t length, u64 offset) override
    {
        if (offset >= m_length)
            return static_cast<size_t>(0);
        if (length > m_length - offset)
            length = static_cast<size_t>(m_length - offset);
        copy_bytes(buffer, m_content + offset, length);
        return length;
    }
    Result<u64> seek(i64 offset, Whence whence) override
    {
        m_offset = TRY(seek_offset(m_offset, m_length, offset, whence));
        return m_offset;
    }

protected:
    void release() override
    {
        free_page(m_content);
        InodeDescription::release();
    }

private:
    char* m_content;
    size_t m_length;
};

class Directory final : public InodeDescription {
public:
    Directory(Inode& inode, u32 flags) : InodeDescription(DescriptionKind::Directory, inode, flags) {}

    Result<size_t> read(void*, size_t) override { return error(EISDIR); }
    Result<size_t> pread(void*, size_t, u64) override { return error(EISDIR); }
    Result<size_t> write(const void*, size_t) override { return error(EISDIR); }

    Result<u64> seek(i64 offset, Whence whence) override
    {
        // Positions are entry cookies (see fs/directory.cpp): only absolute positions from
        // telldir and rewinding make sense.
        if (whence == Whence::Set && offset >= 0) {
            m_offset = static_cast<u64>(offset);
            return m_offset;
        }
        if (whence == Whence::Current && offset == 0)
            return m_offset;
        return error(EINVAL);
    }

    Result<size_t> read_directory(void* buffer, size_t length) override
    {
        // struct linux_dirent64: d_ino, d_off, d_reclen, d_type, d_name.
        auto* out = static_cast<u8*>(buffer);
        size_t used = 0;
        auto emit = [&](u64 ino, u64 next, u8 type, const char* name, size_t name_length) {
            size_t record = align_up(19 + name_length + 1, 8);
            if (used + record > length)
                return false;
            u8* r = out + used;
            fill_bytes(r, 0, record);
            copy_bytes(r, &ino, 8);
            copy_bytes(r + 8, &next, 8);
            u16 reclen = static_cast<u16>(record);
            copy_bytes(r + 16, &reclen, 2);
            r[18] = type;
            copy_bytes(r + 19, name, name_length);
            used += record;
            return true;
        };
        if (m_offset == 0) {
            if (!emit(m_inode.number, 1, 4, ".", 1))
                return used ? Result<size_t>(used) : error(EINVAL);
            m_offset = 1;
        }
        if (m_offset == 1) {
            Inode* parent = m_inode.parent ? m_inode.parent : &m_inode;
            if (!emit(parent->number, 2, 4, "..", 2))
                return used ? Result<size_t>(used) : error(EINVAL);
            m_offset = 2;
        }
        bool full = false;
        m_inode.entries.for_each([&](DirEntry& e) {
            if (full || e.cookie < m_offset)
                return;
            if (!emit(e.inode->number, e.cookie + 1, directory_entry_type(*e.inode), e.name, e.name_length)) {
                full = true;
                return;
            }
            m_offset = e.cookie + 1;
        });
        if (full && used == 0)
            return error(EINVAL); // The buffer cannot hold even one entry.
        m_inode.access_ns = now_ns();
        return used;
    }
};

// O_PATH: names a node for fstat, fchdir and *at system calls, and nothing else.
class PathOnly final : public InodeDescription {
public:
    PathOnly(Inode& inode, u32 flags) : InodeDescription(DescriptionKind::PathOnly, inode, flags) {}
    Result<size_t> read(void*, size_t) override { return error(EBADF); }
    Result<size_t> write(const void*, size_t) override { return error(EBADF); }
    Result<void> sync() override { return error(EBADF); }
};

template<typename T, typename... Args>
Result<FileDescription*> make_description(Inode& inode, Args... args)
{
    T* description = make<T>(inode, args...);
    if (!description) {
        unref(inode);
        return error(ENOMEM);
    }
    return static_cast<FileDescription*>(description);
}

} // namespace

Result<FileDescription*> open_inode_description(Inode& inode, u32 flags)
{
    if (flags & k_o_path)
        return make_description<PathOnly>(inode, flags);
    if (inode.is_directory())
        return make_description<Directory>(inode, flags);
    if (inode.generator) {
        char* content = static_cast<char*>(allocate_page());
        if (!content) {
            unref(inode);
            return error(ENOMEM);
        }
        size_t length = inode.generator(content, k_page_size);
        if (length > k_page_size)
            length = k_page_size;
        auto made = make_description<SyntheticFile>(inode, flags, content, length);
        if (made.is_error())
            free_page(content);
        return made;
    }
    return make_description<RegularFile>(inode, flags);
}

}
