// SPDX-License-Identifier: MIT
// pipe and pipe2.
#include "fs/pipe.h"
#include "syscalls/file_support.h"

namespace uk {

namespace {

Result<void> make_pipe(long user_fds, u32 flags)
{
    if (flags & ~(k_o_cloexec | k_o_nonblock | k_o_direct))
        return error(EINVAL);
    if (!user_writable(user_fds, 2 * sizeof(int)))
        return error(EFAULT);
    fs::FileDescription* ends[2];
    TRY(fs::create_pipe(ends, flags));
    u32 fd_flags = (flags & k_o_cloexec) ? k_fd_cloexec : 0;
    ends[1]->ref(); // Kept until both descriptors exist, so a failure can drop it.
    auto reader = fs::install(ends[0], fd_flags);
    if (reader.is_error()) {
        ends[1]->unref();
        ends[1]->unref();
        return error(reader.error_code());
    }
    auto writer = fs::install(ends[1], fd_flags);
    if (writer.is_error()) {
        (void)fs::close(reader.value());
        ends[1]->unref();
        return error(writer.error_code());
    }
    ends[1]->unref();
    auto* fds = user_pointer<int>(user_fds);
    fds[0] = reader.value();
    fds[1] = writer.value();
    return {};
}

} // namespace

}

using namespace uk;

UK_SYSCALL_HANDLER(pipe)
{
    TRY(make_pipe(a0, 0));
    return 0;
}
UK_SYSCALL_HANDLER(pipe2)
{
    TRY(make_pipe(a0, static_cast<u32>(a1)));
    return 0;
}
