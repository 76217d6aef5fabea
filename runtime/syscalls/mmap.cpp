// SPDX-License-Identifier: MIT
// Memory system calls: mmap (anonymous and of files), munmap, mprotect, mremap, brk, madvise
// and friends. All but mmap of a descriptor run without the RuntimeLock (with_runtime_lock_if_needed).
#include "fs/devices.h"
#include "fs/fd_table.h"
#include "fs/inode.h"
#include "lib/verify.h"
#include "mm/address_space.h"
#include "mm/file_mapping.h"
#include "syscalls/syscall.h"

using namespace uk;

namespace {

bool is_dev_zero(const fs::Inode& inode)
{
    return inode.type() == fs::k_mode_char_device && inode.device_number == fs::k_dev_zero;
}

Result<u64> map_descriptor(u64 hint, u64 length, u32 protection, u32 flags, long fd, long offset)
{
    auto* file = TRY(fs::get(static_cast<int>(fd)));
    fs::DescriptionRef hold(file);
    if (file->is_path_only())
        return error(EBADF);
    fs::Inode* inode = file->inode();
    if (!inode)
        return error(ENODEV);
    if (is_dev_zero(*inode)) {
        return mm::map_anonymous(hint, length, protection, (flags & ~mm::k_map_shared) | mm::k_map_private | mm::k_map_anonymous);
    }
    if (!inode->is_regular() || inode->generator)
        return error(ENODEV);
    if (!file->can_read())
        return error(EACCES);
    if ((flags & mm::k_map_shared) && (protection & 2) && !file->can_write())
        return error(EACCES);
    return file->map(hint, length, protection, flags, static_cast<u64>(offset));
}

// The mmap family runs without the RuntimeLock, so that threads allocating on several CPUs do not
// queue behind each other's file and socket calls: anonymous memory needs only the address-space
// lock. An operation that meets a shared file mapping fails before it changes anything
// (mm::k_needs_runtime_lock), and runs again here under the lock.
template<typename Call>
auto with_runtime_lock_if_needed(Call call) -> decltype(call())
{
    auto result = call();
    if (result.is_error() && result.error_code() == mm::k_needs_runtime_lock) {
        sched::RuntimeGuard guard;
        result = call();
        VERIFY(!result.is_error() || result.error_code() != mm::k_needs_runtime_lock);
    }
    return result;
}

} // namespace

// Files are mapped under the RuntimeLock (descriptors, the file system); anonymous memory without.
UK_SYSCALL_HANDLER_UNLOCKED_DEEP(mmap)
{
    u64 length = static_cast<u64>(a1);
    u32 protection = static_cast<u32>(a2) & 7;
    u32 flags = static_cast<u32>(a3);
    if (a5 % k_page_size || a5 < 0)
        return error(EINVAL);
    if (length == 0)
        return error(EINVAL);
    // MAP_SHARED_VALIDATE (3) is MAP_SHARED that rejects unknown flags; none are unknown here.
    if ((flags & 3) == 3)
        flags &= ~1u;
    if (!(flags & mm::k_map_anonymous)) {
        sched::RuntimeGuard guard;
        return TRY(map_descriptor(static_cast<u64>(a0), length, protection, flags, a4, a5));
    }
    return TRY(with_runtime_lock_if_needed([&] { return mm::map_anonymous(static_cast<u64>(a0), length, protection, flags); }));
}

UK_SYSCALL_HANDLER_UNLOCKED_DEEP(munmap)
{
    u64 start = static_cast<u64>(a0), length = static_cast<u64>(a1);
    if (start % k_page_size || length == 0 || start + length < start)
        return error(EINVAL);
    TRY(with_runtime_lock_if_needed([&] { return mm::unmap(start, length); }));
    return 0;
}

UK_SYSCALL_HANDLER_UNLOCKED_DEEP(mprotect)
{
    TRY(mm::protect(static_cast<u64>(a0), static_cast<u64>(a1), static_cast<u32>(a2) & 7));
    return 0;
}

UK_SYSCALL_HANDLER_UNLOCKED_DEEP(mremap)
{
    u64 start = static_cast<u64>(a0), old_length = static_cast<u64>(a1), new_length = static_cast<u64>(a2);
    return TRY(with_runtime_lock_if_needed([&] { return mm::remap(start, old_length, new_length, static_cast<u32>(a3)); }));
}

UK_SYSCALL_HANDLER_UNLOCKED_DEEP(brk) { return static_cast<long>(mm::set_break(static_cast<u64>(a0))); }

// [madvise(2)] MADV_DONTNEED drops private pages (they read as zeros afterwards). MADV_FREE lets
// the kernel reclaim pages under memory pressure, keeping them if they are written first; with no
// reclaim here, the pages simply stay (musl's malloc frees with it on every large free(), so
// dropping them would make each reuse fault in fresh zeroed pages). The other advice only changes
// performance on Linux, or concerns fork, core dumps or huge pages, none of which exist here, so it
// is accepted after the checks Linux makes.
// Partial: MADV_FREE keeps the pages; MADV_DONTNEED on a private file mapping reads zeros
// afterwards; MADV_REMOVE is EOPNOTSUPP (docs/syscalls.md, Memory).
UK_SYSCALL_HANDLER_UNLOCKED_DEEP(madvise)
{
    constexpr long k_madv_dontneed = 4, k_madv_remove = 9, k_madv_last = 25;
    u64 start = static_cast<u64>(a0), length = static_cast<u64>(a1);
    if (start % k_page_size || a2 < 0 || a2 > k_madv_last || a2 == 5 || a2 == 6 || a2 == 7 || a2 == 24)
        return error(EINVAL);
    if (a2 == k_madv_dontneed)
        return zero_or_error(mm::discard(start, length));
    if (a2 == k_madv_remove)
        return error(EOPNOTSUPP); // Punching holes into files through a mapping is not supported.
    u64 end = align_up(start + length, k_page_size);
    if (end < start)
        return error(EINVAL);
    if (length != 0 && !mm::is_mapped_range(start, end))
        return error(ENOMEM);
    return 0;
}
// Nothing is ever paged out; mlock makes the pages resident now, as Linux does.
UK_SYSCALL_HANDLER_UNLOCKED_DEEP(mlock)
{
    u64 start = align_down(static_cast<u64>(a0), k_page_size), length = static_cast<u64>(a1);
    u64 end = align_up(static_cast<u64>(a0) + length, k_page_size);
    if (end < start)
        return error(EINVAL);
    if (length == 0)
        return 0;
    if (!mm::is_mapped_range(start, end))
        return error(ENOMEM);
    return zero_or_error(mm::populate(start, end));
}
UK_SYSCALL_HANDLER_UNLOCKED_DEEP(munlock) { return 0; }
// Partial: succeeds and changes nothing (nothing is paged out); MCL_CURRENT does not populate.
UK_SYSCALL_HANDLER_UNLOCKED_DEEP(mlockall) { return 0; }
UK_SYSCALL_HANDLER_UNLOCKED_DEEP(munlockall) { return 0; }
// MAP_SHARED file mappings are the file's own pages: there is nothing to write back.
UK_SYSCALL_HANDLER_UNLOCKED_DEEP(msync)
{
    if (a0 % static_cast<long>(k_page_size))
        return error(EINVAL);
    return 0;
}
