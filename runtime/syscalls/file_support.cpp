// SPDX-License-Identifier: MIT
// Shared helpers of the file-system system calls.
#include "syscalls/file_support.h"

#include "fs/vfs.h"
#include "mm/address_space.h"

namespace uk {

bool user_readable(long address, u64 length) { return mm::is_user_range(static_cast<u64>(address), length, false); }
bool user_writable(long address, u64 length) { return mm::is_user_range(static_cast<u64>(address), length, true); }

Result<size_t> copy_user_string(long user_address, char* out, size_t capacity)
{
    auto* in = reinterpret_cast<const char*>(user_address);
    u64 checked_to = 0; // Bytes below this address are known to be readable.
    for (size_t i = 0; i < capacity; ++i) {
        u64 at = static_cast<u64>(user_address) + i;
        if (at >= checked_to) {
            u64 page_end = align_down(at, k_page_size) + k_page_size;
            if (!mm::is_user_range(at, page_end - at, false))
                return error(EFAULT);
            checked_to = page_end;
        }
        out[i] = in[i];
        if (in[i] == 0)
            return i;
    }
    return error(ENAMETOOLONG);
}

Result<void> copy_path(long user_path, PathBuffer& out, bool allow_empty)
{
    size_t length = TRY(copy_user_string(user_path, out.chars, fs::k_path_max));
    if (length == 0 && !allow_empty)
        return error(ENOENT);
    return {};
}

Result<fs::Inode*> descriptor_inode(long fd)
{
    auto* description = TRY(fs::get(static_cast<int>(fd)));
    fs::DescriptionRef hold(description);
    fs::Inode* inode = description->inode();
    if (!inode)
        return error(EBADF);
    return inode;
}

Result<fs::Inode*> base_directory(long dirfd, const char* path)
{
    if (path[0] == '/' || dirfd == k_at_fdcwd)
        return &fs::working_directory();
    auto* description = TRY(fs::get(static_cast<int>(dirfd)));
    fs::DescriptionRef hold(description);
    fs::Inode* inode = description->inode();
    // The descriptor's reference keeps the inode alive for the rest of the system call: nothing
    // that follows sleeps, so nothing can close it meanwhile.
    if (!inode || !inode->is_directory())
        return error(path[0] ? ENOTDIR : EBADF);
    return inode;
}

}
