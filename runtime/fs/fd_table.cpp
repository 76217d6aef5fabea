// SPDX-License-Identifier: MIT
// The descriptor table. The first 1024 slots (the default limit) are a fixed array, so that a
// program within the default limit never sees dup or open fail for lack of memory; slots beyond
// come in page-sized chunks, allocated when a raised limit is first used.
//
// The table has its own lock (the descriptor-table lock, LockRank::Descriptors), held only while
// slots are looked at or changed: the socket reads and writes look their descriptor up without
// the RuntimeLock while other threads open and close descriptors under it (docs/architecture.md,
// "Locking on many CPUs"). No reference is dropped with the lock held (dropping the last one
// runs the description's release(), which takes other locks); references are taken under it, so
// a description found in a slot cannot go away before its new reference counts.
#include "fs/fd_table.h"

#include "arch/spin_lock.h"
#include "lib/verify.h"
#include "mm/kmalloc.h"

namespace uk::fs {

namespace {

struct Slot {
    FileDescription* description;
    u32 flags;
};

constexpr int k_fixed_slots = 1024;
constexpr int k_chunk_slots = static_cast<int>(k_page_size / sizeof(Slot));
static_assert((k_max_descriptors - k_fixed_slots) % k_chunk_slots == 0);

// Everything below is read and written under g_table_lock only.
constinit arch::SpinLock g_table_lock { arch::LockRank::Descriptors };
Slot g_fixed[k_fixed_slots];
Slot* g_chunks[(k_max_descriptors - k_fixed_slots) / k_chunk_slots];
int g_open;
int g_limit = k_default_descriptor_limit;
int g_end; // One past the highest slot ever used.

using TableGuard = arch::LockGuard<arch::SpinLock>;

// The slot of `fd`, or null when its chunk does not exist (and `grow` is not set, or memory ran out).
Slot* slot(int fd, bool grow = false)
{
    if (fd < 0 || fd >= k_max_descriptors)
        return nullptr;
    if (fd < k_fixed_slots)
        return &g_fixed[fd];
    Slot*& chunk = g_chunks[(fd - k_fixed_slots) / k_chunk_slots];
    if (!chunk && grow)
        chunk = static_cast<Slot*>(allocate_page()); // Zeroed: every slot free.
    return chunk ? &chunk[(fd - k_fixed_slots) % k_chunk_slots] : nullptr;
}

Slot* used_slot(int fd)
{
    Slot* s = slot(fd);
    return s && s->description ? s : nullptr;
}

void occupy(int fd, Slot& s, FileDescription* description, u32 fd_flags)
{
    s = { description, fd_flags & k_fd_cloexec };
    ++g_open;
    if (fd >= g_end)
        g_end = fd + 1;
}

} // namespace

namespace {

Result<int> install_locked(FileDescription* description, u32 fd_flags, int minimum)
{
    VERIFY_HELD(g_table_lock);
    if (minimum < 0 || minimum >= g_limit)
        return error(minimum < 0 ? EINVAL : EMFILE);
    for (int fd = minimum; fd < g_limit; ++fd) {
        Slot* s = slot(fd, true);
        if (!s)
            return error(ENOMEM);
        if (!s->description) {
            occupy(fd, *s, description, fd_flags);
            return fd;
        }
    }
    return error(EMFILE);
}

} // namespace

Result<int> install(FileDescription* description, u32 fd_flags, int minimum)
{
    Result<int> installed = error(EMFILE);
    {
        TableGuard guard(g_table_lock);
        installed = install_locked(description, fd_flags, minimum);
    }
    if (installed.is_error())
        description->unref();
    return installed;
}

Result<void> install_at(int fd, FileDescription* description, u32 fd_flags)
{
    FileDescription* old = nullptr;
    int code = 0;
    {
        TableGuard guard(g_table_lock);
        Slot* s = fd < 0 || fd >= g_limit ? nullptr : slot(fd, true);
        if (!s) {
            code = fd < 0 || fd >= g_limit ? EBADF : ENOMEM;
        } else if (s->description) {
            old = s->description;
            *s = { description, fd_flags & k_fd_cloexec };
        } else {
            occupy(fd, *s, description, fd_flags);
        }
    }
    if (code) {
        description->unref();
        return error(code);
    }
    // After the slot changed and the lock is gone: dropping it may run release(), which must see
    // the new table (and may use it).
    if (old)
        old->unref();
    return {};
}

Result<FileDescription*> get(int fd)
{
    TableGuard guard(g_table_lock);
    Slot* s = used_slot(fd);
    if (!s)
        return error(EBADF);
    s->description->ref();
    return s->description;
}

Result<void> close(int fd)
{
    FileDescription* description;
    {
        TableGuard guard(g_table_lock);
        Slot* s = used_slot(fd);
        if (!s)
            return error(EBADF);
        description = s->description;
        *s = { nullptr, 0 };
        --g_open;
    }
    description->unref();
    return {};
}

Result<u32> fd_flags(int fd)
{
    TableGuard guard(g_table_lock);
    Slot* s = used_slot(fd);
    if (!s)
        return error(EBADF);
    return s->flags;
}

Result<void> set_fd_flags(int fd, u32 flags)
{
    TableGuard guard(g_table_lock);
    Slot* s = used_slot(fd);
    if (!s)
        return error(EBADF);
    s->flags = flags & k_fd_cloexec;
    return {};
}

int open_count()
{
    TableGuard guard(g_table_lock);
    return g_open;
}

void set_descriptor_limit(int limit)
{
    VERIFY(limit >= 0 && limit <= k_max_descriptors);
    TableGuard guard(g_table_lock);
    g_limit = limit;
}

int descriptor_limit()
{
    TableGuard guard(g_table_lock);
    return g_limit;
}

int descriptor_end()
{
    TableGuard guard(g_table_lock);
    return g_end;
}

}
