// SPDX-License-Identifier: MIT
// Descriptor management: dup, dup2, dup3, fcntl, close_range.
#include "fs/pipe.h"
#include "lib/string.h"
#include "syscalls/file_support.h"

namespace uk {

namespace {

constexpr u32 k_close_range_unshare = 2, k_close_range_cloexec = 4;

// struct flock (x86_64).
struct FileLock {
    short type;
    short whence;
    i64 start;
    i64 length;
    i32 pid;
};
static_assert(sizeof(FileLock) == 32);

Result<int> duplicate(long fd, long minimum, u32 fd_flags)
{
    if (minimum < 0 || minimum >= fs::descriptor_limit())
        return error(EINVAL); // [fcntl(2)] F_DUPFD at or above RLIMIT_NOFILE.
    auto* description = TRY(fs::get(static_cast<int>(fd)));
    return fs::install(description, fd_flags, static_cast<int>(minimum));
}

Result<int> duplicate_to(long old_fd, long new_fd, u32 fd_flags)
{
    auto* description = TRY(fs::get(static_cast<int>(old_fd)));
    if (new_fd < 0 || new_fd >= fs::descriptor_limit()) {
        description->unref();
        return error(EBADF);
    }
    TRY(fs::install_at(static_cast<int>(new_fd), description, fd_flags));
    return static_cast<int>(new_fd);
}

// Record locks: one process holds every lock, so all are granted and F_GETLK finds no conflict.
Result<long> record_lock(fs::FileDescription& file, long command, long argument)
{
    if (!user_writable(argument, sizeof(FileLock)))
        return error(EFAULT);
    auto* lock = user_pointer<FileLock>(argument);
    if (lock->type != k_f_rdlck && lock->type != k_f_wrlck && lock->type != k_f_unlck)
        return error(EINVAL);
    if (lock->whence < 0 || lock->whence > 2)
        return error(EINVAL);
    if (command == k_f_getlk || command == k_f_ofd_getlk) {
        lock->type = k_f_unlck;
        return 0;
    }
    if (file.is_path_only())
        return error(EBADF);
    if (lock->type == k_f_rdlck && !file.can_read())
        return error(EBADF);
    if (lock->type == k_f_wrlck && !file.can_write())
        return error(EBADF);
    return 0;
}

Result<long> control(long fd, long command, long argument)
{
    switch (command) {
    case k_f_dupfd:
        return static_cast<long>(TRY(duplicate(fd, argument, 0)));
    case k_f_dupfd_cloexec:
        return static_cast<long>(TRY(duplicate(fd, argument, k_fd_cloexec)));
    case k_f_getfd:
        return static_cast<long>(TRY(fs::fd_flags(static_cast<int>(fd))));
    case k_f_setfd:
        TRY(fs::set_fd_flags(static_cast<int>(fd), static_cast<u32>(argument)));
        return 0;
    default:
        break;
    }
    auto* file = TRY(fs::get(static_cast<int>(fd)));
    fs::DescriptionRef hold(file);
    switch (command) {
    case k_f_getfl:
        return static_cast<long>(file->status_flags() | k_o_largefile);
    case k_f_setfl:
        if (file->is_path_only())
            return error(EBADF);
        file->set_status_flags(static_cast<u32>(argument));
        return 0;
    case k_f_getlk:
    case k_f_setlk:
    case k_f_setlkw:
    case k_f_ofd_getlk:
    case k_f_ofd_setlk:
    case k_f_ofd_setlkw:
        return record_lock(*file, command, argument);
    case k_f_getown:
    case k_f_getsig:
        return 0;
    case k_f_setown:
    case k_f_setsig:
        return 0;
    case k_f_getown_ex:
        if (!user_writable(argument, 8))
            return error(EFAULT);
        fill_bytes(user_pointer<void>(argument), 0, 8);
        return 0;
    case k_f_setown_ex:
        return 0;
    case k_f_getlease:
        return static_cast<long>(k_f_unlck);
    case k_f_setlease:
        if (argument != k_f_unlck)
            return error(EAGAIN);
        return 0;
    case k_f_getpipe_sz:
    case k_f_setpipe_sz:
        if (file->kind() != fs::DescriptionKind::Pipe && file->kind() != fs::DescriptionKind::Fifo)
            return error(EBADF);
        return static_cast<long>(fs::k_pipe_capacity);
    case k_f_notify:
    case k_f_add_seals:
    case k_f_get_seals:
        return error(EINVAL);
    default:
        return error(EINVAL);
    }
}

} // namespace

}

using namespace uk;

UK_SYSCALL_HANDLER(dup) { return duplicate(a0, 0, 0); }

UK_SYSCALL_HANDLER(dup2)
{
    if (a0 == a1) {
        TRY(fs::fd_flags(static_cast<int>(a0))); // dup2(fd, fd) only checks that fd is open.
        return a1;
    }
    return duplicate_to(a0, a1, 0);
}

UK_SYSCALL_HANDLER(dup3)
{
    if (a2 & ~static_cast<long>(k_o_cloexec))
        return error(EINVAL);
    if (a0 == a1)
        return error(EINVAL);
    return duplicate_to(a0, a1, (a2 & k_o_cloexec) ? k_fd_cloexec : 0);
}

UK_SYSCALL_HANDLER(fcntl) { return control(a0, a1, a2); }

UK_SYSCALL_HANDLER(close_range)
{
    u32 flags = static_cast<u32>(a2);
    if (flags & ~(k_close_range_unshare | k_close_range_cloexec))
        return error(EINVAL);
    u64 first = static_cast<u32>(a0), last = static_cast<u32>(a1);
    if (first > last)
        return error(EINVAL);
    for (u64 fd = first; fd <= last && fd < static_cast<u64>(fs::descriptor_end()); ++fd) {
        if (flags & k_close_range_cloexec)
            (void)fs::set_fd_flags(static_cast<int>(fd), k_fd_cloexec);
        else
            (void)fs::close(static_cast<int>(fd));
    }
    return 0;
}
