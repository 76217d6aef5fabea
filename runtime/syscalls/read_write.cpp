// SPDX-License-Identifier: MIT
// read/write family and ioctl on the console descriptors 0, 1 and 2.
#include "drivers/console.h"
#include "mm/address_space.h"
#include "syscalls/syscall.h"

namespace uk {

namespace {

struct IoVector {
    const void* base;
    size_t length;
};

constexpr long k_tcgets = 0x5401, k_tiocgwinsz = 0x5413;

bool is_console(long fd) { return fd >= 0 && fd <= 2; }

Result<size_t> write_console(long fd, const char* data, size_t length)
{
    if (fd != 1 && fd != 2)
        return error(EBADF);
    if (!mm::is_user_range(reinterpret_cast<u64>(data), length, false))
        return error(EFAULT);
    console::write(data, length);
    return length;
}

} // namespace

}

using namespace uk;

UK_SYSCALL_HANDLER(write)
{
    if (!is_console(a0))
        return -EBADF;
    return to_syscall_result(write_console(a0, user_pointer<const char>(a1), static_cast<size_t>(a2)));
}

UK_SYSCALL_HANDLER(writev)
{
    if (!is_console(a0))
        return -EBADF;
    if (a2 < 0 || a2 > 1024)
        return -EINVAL;
    auto* iov = user_pointer<const IoVector>(a1);
    if (!mm::is_user_range(static_cast<u64>(a1), a2 * sizeof(IoVector), false))
        return -EFAULT;
    size_t total = 0;
    for (long i = 0; i < a2; ++i) {
        auto written = write_console(a0, static_cast<const char*>(iov[i].base), iov[i].length);
        if (written.is_error())
            return total ? static_cast<long>(total) : to_syscall_result(written);
        total += written.value();
    }
    return static_cast<long>(total);
}

UK_SYSCALL_HANDLER(pwrite64) { return is_console(a0) ? -ESPIPE : -EBADF; }

UK_SYSCALL_HANDLER(read)
{
    // Console input arrives with the file-system issue; until then standard input is empty.
    if (a0 == 0)
        return 0;
    return is_console(a0) ? -EBADF : -EBADF;
}

UK_SYSCALL_HANDLER(readv) { return a0 == 0 ? 0 : -EBADF; }

UK_SYSCALL_HANDLER(ioctl)
{
    if (!is_console(a0))
        return -EBADF;
    if (a1 == k_tiocgwinsz) {
        if (!mm::is_user_range(static_cast<u64>(a2), 8, true))
            return -EFAULT;
        auto* size = user_pointer<u16>(a2);
        size[0] = 24; // rows
        size[1] = 80; // columns
        size[2] = size[3] = 0;
        return 0;
    }
    if (a1 == k_tcgets)
        return -ENOTTY;
    return -ENOTTY;
}

UK_SYSCALL_HANDLER(lseek) { return is_console(a0) ? -ESPIPE : -EBADF; }

UK_SYSCALL_HANDLER(close) { return is_console(a0) ? 0 : -EBADF; }

UK_SYSCALL_HANDLER(fsync) { return is_console(a0) ? -EINVAL : -EBADF; }
