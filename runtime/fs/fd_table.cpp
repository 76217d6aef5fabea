// SPDX-License-Identifier: MIT
// The descriptor table. The first 1024 slots (the default limit) are a fixed array, so that a
// program within the default limit never sees dup or open fail for lack of memory; slots beyond
// come in page-sized chunks, allocated when a raised limit is first used.
#include "fs/fd_table.h"

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

Slot g_fixed[k_fixed_slots];
Slot* g_chunks[(k_max_descriptors - k_fixed_slots) / k_chunk_slots];
int g_open;
int g_limit = k_default_descriptor_limit;
int g_end; // One past the highest slot ever used.

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

Result<int> install(FileDescription* description, u32 fd_flags, int minimum)
{
    if (minimum < 0 || minimum >= g_limit) {
        description->unref();
        return error(minimum < 0 ? EINVAL : EMFILE);
    }
    for (int fd = minimum; fd < g_limit; ++fd) {
        Slot* s = slot(fd, true);
        if (!s) {
            description->unref();
            return error(ENOMEM);
        }
        if (!s->description) {
            occupy(fd, *s, description, fd_flags);
            return fd;
        }
    }
    description->unref();
    return error(EMFILE);
}

Result<void> install_at(int fd, FileDescription* description, u32 fd_flags)
{
    if (fd < 0 || fd >= g_limit) {
        description->unref();
        return error(EBADF);
    }
    Slot* s = slot(fd, true);
    if (!s) {
        description->unref();
        return error(ENOMEM);
    }
    FileDescription* old = s->description;
    if (old) {
        *s = { description, fd_flags & k_fd_cloexec };
        old->unref(); // After the slot changed: dropping it may run release(), which must see the new table.
    } else {
        occupy(fd, *s, description, fd_flags);
    }
    return {};
}

Result<FileDescription*> get(int fd)
{
    Slot* s = used_slot(fd);
    if (!s)
        return error(EBADF);
    s->description->ref();
    return s->description;
}

Result<void> close(int fd)
{
    Slot* s = used_slot(fd);
    if (!s)
        return error(EBADF);
    FileDescription* description = s->description;
    *s = { nullptr, 0 };
    --g_open;
    description->unref();
    return {};
}

Result<u32> fd_flags(int fd)
{
    Slot* s = used_slot(fd);
    if (!s)
        return error(EBADF);
    return s->flags;
}

Result<void> set_fd_flags(int fd, u32 flags)
{
    Slot* s = used_slot(fd);
    if (!s)
        return error(EBADF);
    s->flags = flags & k_fd_cloexec;
    return {};
}

int open_count() { return g_open; }

void set_descriptor_limit(int limit)
{
    VERIFY(limit >= 0 && limit <= k_max_descriptors);
    g_limit = limit;
}

int descriptor_limit() { return g_limit; }
int descriptor_end() { return g_end; }

}
