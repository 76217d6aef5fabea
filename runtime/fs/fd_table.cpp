// SPDX-License-Identifier: MIT
// The descriptor table. A fixed array: 1024 entries cost 16 KiB, less than the bookkeeping of
// a growable table, and no allocation means dup and close never fail for lack of memory.
#include "fs/fd_table.h"

namespace uk::fs {

namespace {

struct Slot {
    FileDescription* description;
    u32 flags;
};

Slot g_slots[k_max_descriptors];
int g_open;

bool valid(int fd) { return fd >= 0 && fd < k_max_descriptors && g_slots[fd].description; }

} // namespace

Result<int> install(FileDescription* description, u32 fd_flags, int minimum)
{
    if (minimum < 0 || minimum >= k_max_descriptors) {
        description->unref();
        return error(minimum < 0 ? EINVAL : EMFILE);
    }
    for (int fd = minimum; fd < k_max_descriptors; ++fd) {
        if (!g_slots[fd].description) {
            g_slots[fd] = { description, fd_flags & k_fd_cloexec };
            ++g_open;
            return fd;
        }
    }
    description->unref();
    return error(EMFILE);
}

Result<void> install_at(int fd, FileDescription* description, u32 fd_flags)
{
    if (fd < 0 || fd >= k_max_descriptors) {
        description->unref();
        return error(EBADF);
    }
    FileDescription* old = g_slots[fd].description;
    g_slots[fd] = { description, fd_flags & k_fd_cloexec };
    if (old)
        old->unref(); // After the slot changed: dropping it may run release(), which must see the new table.
    else
        ++g_open;
    return {};
}

Result<FileDescription*> get(int fd)
{
    if (!valid(fd))
        return error(EBADF);
    g_slots[fd].description->ref();
    return g_slots[fd].description;
}

Result<void> close(int fd)
{
    if (!valid(fd))
        return error(EBADF);
    FileDescription* description = g_slots[fd].description;
    g_slots[fd] = { nullptr, 0 };
    --g_open;
    description->unref();
    return {};
}

Result<u32> fd_flags(int fd)
{
    if (!valid(fd))
        return error(EBADF);
    return g_slots[fd].flags;
}

Result<void> set_fd_flags(int fd, u32 flags)
{
    if (!valid(fd))
        return error(EBADF);
    g_slots[fd].flags = flags & k_fd_cloexec;
    return {};
}

int open_count() { return g_open; }

}
