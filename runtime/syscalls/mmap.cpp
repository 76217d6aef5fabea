// SPDX-License-Identifier: MIT
// Memory system calls: mmap, munmap, mprotect, mremap, brk, madvise and friends.
#include "mm/address_space.h"
#include "syscalls/syscall.h"

using namespace uk;

UK_SYSCALL_HANDLER(mmap)
{
    u64 length = static_cast<u64>(a1);
    u32 flags = static_cast<u32>(a3);
    if (!(flags & mm::k_map_anonymous))
        return a4 < 0 ? -EBADF : -ENODEV; // No files can be mapped yet.
    if (a5 % k_page_size)
        return -EINVAL;
    return to_syscall_result(mm::map_anonymous(static_cast<u64>(a0), length, static_cast<u32>(a2) & 7, flags));
}

UK_SYSCALL_HANDLER(munmap) { return to_syscall_result(mm::unmap(static_cast<u64>(a0), static_cast<u64>(a1))); }

UK_SYSCALL_HANDLER(mprotect)
{
    return to_syscall_result(mm::protect(static_cast<u64>(a0), static_cast<u64>(a1), static_cast<u32>(a2) & 7));
}

UK_SYSCALL_HANDLER(mremap)
{
    return to_syscall_result(
        mm::remap(static_cast<u64>(a0), static_cast<u64>(a1), static_cast<u64>(a2), static_cast<u32>(a3)));
}

UK_SYSCALL_HANDLER(brk) { return static_cast<long>(mm::set_break(static_cast<u64>(a0))); }

// Advice only changes performance on Linux too (except MADV_DONTNEED's zeroing, which musl's
// malloc does not rely on).
UK_SYSCALL_HANDLER(madvise) { return 0; }
UK_SYSCALL_HANDLER(mlock) { return 0; }
UK_SYSCALL_HANDLER(munlock) { return 0; }
UK_SYSCALL_HANDLER(mlockall) { return 0; }
UK_SYSCALL_HANDLER(munlockall) { return 0; }
UK_SYSCALL_HANDLER(msync) { return 0; }
