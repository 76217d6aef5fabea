// SPDX-License-Identifier: MIT
// The read/write family on any descriptor: read, write, pread64, pwrite64, readv, writev,
// preadv(2), pwritev(2), lseek, ioctl, sendfile, copy_file_range. read, write, readv and writev
// take the RuntimeLock only for descriptions that need it (UK_SYSCALL_HANDLER_PER_DESCRIPTION):
// on an inet socket they run without it.
#include "fs/fd_table.h"
#include "fs/file_description.h"
#include "fs/inode.h"
#include "lib/linux/ioctl.h"
#include "mm/kmalloc.h"
#include "net/socket.h"
#include "syscalls/file_support.h"

namespace uk {

namespace {

struct IoVector {
    u64 base;
    u64 length;
};
static_assert(sizeof(IoVector) == 16);

constexpr long k_iov_max = 1024;
// Linux caps one transfer at 2 GiB minus a page (MAX_RW_COUNT), so that the count fits an int.
constexpr u64 k_max_transfer = 0x7ffff000;

enum class Positioned { No, Yes };
// Whether the caller holds the RuntimeLock already (pread and friends), or the call takes it for
// descriptions that need it (readv, writev).
enum class Locking { Held, PerDescription };

Result<fs::FileDescription*> get_readable(long fd)
{
    auto* file = TRY(fs::get(static_cast<int>(fd)));
    if (!file->can_read()) {
        file->unref();
        return error(EBADF);
    }
    return file;
}

Result<fs::FileDescription*> get_writable(long fd)
{
    auto* file = TRY(fs::get(static_cast<int>(fd)));
    if (!file->can_write()) {
        file->unref();
        return error(EBADF);
    }
    return file;
}

u64 clamp(u64 length) { return length > k_max_transfer ? k_max_transfer : length; }

Result<size_t> do_read(fs::FileDescription& file, long buffer, u64 length, Positioned positioned, i64 offset)
{
    length = clamp(length);
    if (!user_writable(buffer, length))
        return error(EFAULT);
    auto* out = reinterpret_cast<void*>(buffer);
    if (positioned == Positioned::Yes)
        return file.pread(out, length, static_cast<u64>(offset));
    return file.read(out, length);
}

Result<size_t> do_write(fs::FileDescription& file, long buffer, u64 length, Positioned positioned, i64 offset)
{
    length = clamp(length);
    if (!user_readable(buffer, length))
        return error(EFAULT);
    auto* in = reinterpret_cast<const void*>(buffer);
    if (positioned == Positioned::Yes)
        return file.pwrite(in, length, static_cast<u64>(offset));
    return file.write(in, length);
}

// The checks readv and writev share: the vector count, the offset, the vector array and every
// length must be valid before any data moves.
Result<const IoVector*> checked_vectors(long iov, long count, Positioned positioned, i64 offset)
{
    if (count < 0 || count > k_iov_max)
        return error(EINVAL);
    if (positioned == Positioned::Yes && offset < 0)
        return error(EINVAL);
    if (!user_readable(iov, static_cast<u64>(count) * sizeof(IoVector)))
        return error(EFAULT);
    auto* vectors = reinterpret_cast<const IoVector*>(iov);
    for (long i = 0; i < count; ++i) {
        if (static_cast<i64>(vectors[i].length) < 0)
            return error(EINVAL);
    }
    return vectors;
}

// readv and writev on a socket move one message (one datagram) through all the vectors at once.
Result<size_t> socket_vector(net::Socket& socket, const IoVector* vectors, long count, bool write)
{
    for (long i = 0; i < count; ++i) {
        u64 length = clamp(vectors[i].length);
        long base = static_cast<long>(vectors[i].base);
        if (!(write ? user_readable(base, length) : user_writable(base, length)))
            return error(EFAULT);
    }
    auto* segments = reinterpret_cast<const net::IoSegment*>(vectors);
    static_assert(sizeof(net::IoSegment) == sizeof(IoVector));
    if (write)
        return socket.write_segments(segments, static_cast<size_t>(count));
    return socket.read_segments(segments, static_cast<size_t>(count));
}

Result<size_t> read_vector(long fd, long iov, long count, Positioned positioned, i64 offset, Locking locking = Locking::Held)
{
    auto* vectors = TRY(checked_vectors(iov, count, positioned, offset));
    auto* file = TRY(get_readable(fd));
    fs::DescriptionRef hold(file);
    sched::RuntimeGuardIf guard(locking == Locking::PerDescription && !file->runs_without_runtime_lock());
    if (auto* socket = net::as_socket(*file); socket && positioned == Positioned::No)
        return socket_vector(*socket, vectors, count, false);
    u64 total = 0;
    for (long i = 0; i < count; ++i) {
        u64 length = vectors[i].length;
        if (length == 0)
            continue;
        // A stream that has nothing more would block: return what the earlier vectors got.
        if (total && file->is_stream() && !(file->readiness() & k_poll_in))
            break;
        auto n = do_read(*file, static_cast<long>(vectors[i].base), length, positioned, offset + static_cast<i64>(total));
        if (n.is_error())
            return total ? Result<size_t>(total) : n;
        total += n.value();
        if (n.value() < length)
            break;
    }
    return static_cast<size_t>(total);
}

Result<size_t> write_vector(long fd, long iov, long count, Positioned positioned, i64 offset, Locking locking = Locking::Held)
{
    auto* vectors = TRY(checked_vectors(iov, count, positioned, offset));
    auto* file = TRY(get_writable(fd));
    fs::DescriptionRef hold(file);
    sched::RuntimeGuardIf guard(locking == Locking::PerDescription && !file->runs_without_runtime_lock());
    if (auto* socket = net::as_socket(*file); socket && positioned == Positioned::No)
        return socket_vector(*socket, vectors, count, true);
    u64 total = 0;
    for (long i = 0; i < count; ++i) {
        u64 length = vectors[i].length;
        if (length == 0)
            continue;
        auto n = do_write(*file, static_cast<long>(vectors[i].base), length, positioned, offset + static_cast<i64>(total));
        if (n.is_error())
            return total ? Result<size_t>(total) : n;
        total += n.value();
        if (n.value() < length)
            break;
    }
    return static_cast<size_t>(total);
}

// sendfile and copy_file_range through a bounce page.
Result<size_t> copy_between(fs::FileDescription& in, fs::FileDescription& out, i64* in_offset, u64 count)
{
    void* bounce = allocate_page();
    if (!bounce)
        return error(ENOMEM);
    u64 done = 0;
    Result<size_t> failure = static_cast<size_t>(0);
    count = clamp(count);
    while (done < count) {
        u64 chunk = count - done < k_page_size ? count - done : k_page_size;
        auto got = in_offset ? in.pread(bounce, chunk, static_cast<u64>(*in_offset)) : in.read(bounce, chunk);
        if (got.is_error()) {
            failure = got;
            break;
        }
        if (got.value() == 0)
            break;
        auto put = out.write(bounce, got.value());
        if (put.is_error()) {
            failure = put;
            break;
        }
        if (in_offset)
            *in_offset += static_cast<i64>(put.value());
        done += put.value();
        if (put.value() < got.value() || got.value() < chunk)
            break;
    }
    free_page(bounce);
    if (done == 0 && failure.is_error())
        return failure;
    return static_cast<size_t>(done);
}

} // namespace

}

using namespace uk;

// The reference outlives the guard: dropping the last one takes the RuntimeLock if needed.
UK_SYSCALL_HANDLER_PER_DESCRIPTION(read)
{
    auto* file = TRY(get_readable(a0));
    fs::DescriptionRef hold(file);
    sched::RuntimeGuardIf guard(!file->runs_without_runtime_lock());
    return TRY(do_read(*file, a1, static_cast<u64>(a2), Positioned::No, 0));
}

UK_SYSCALL_HANDLER_PER_DESCRIPTION(write)
{
    auto* file = TRY(get_writable(a0));
    fs::DescriptionRef hold(file);
    sched::RuntimeGuardIf guard(!file->runs_without_runtime_lock());
    return TRY(do_write(*file, a1, static_cast<u64>(a2), Positioned::No, 0));
}

UK_SYSCALL_HANDLER(pread64)
{
    auto* file = TRY(get_readable(a0));
    fs::DescriptionRef hold(file);
    if (a3 < 0)
        return error(EINVAL);
    return TRY(do_read(*file, a1, static_cast<u64>(a2), Positioned::Yes, a3));
}

UK_SYSCALL_HANDLER(pwrite64)
{
    auto* file = TRY(get_writable(a0));
    fs::DescriptionRef hold(file);
    if (a3 < 0)
        return error(EINVAL);
    return TRY(do_write(*file, a1, static_cast<u64>(a2), Positioned::Yes, a3));
}

UK_SYSCALL_HANDLER_PER_DESCRIPTION(readv) { return TRY(read_vector(a0, a1, a2, Positioned::No, 0, Locking::PerDescription)); }
UK_SYSCALL_HANDLER_PER_DESCRIPTION(writev) { return TRY(write_vector(a0, a1, a2, Positioned::No, 0, Locking::PerDescription)); }
UK_SYSCALL_HANDLER(preadv) { return TRY(read_vector(a0, a1, a2, Positioned::Yes, a3)); }
UK_SYSCALL_HANDLER(pwritev) { return TRY(write_vector(a0, a1, a2, Positioned::Yes, a3)); }

// preadv2/pwritev2 with offset -1 use the file position; RWF_* flags are hints here.
UK_SYSCALL_HANDLER(preadv2)
{
    return TRY(read_vector(a0, a1, a2, a3 == -1 ? Positioned::No : Positioned::Yes, a3));
}
UK_SYSCALL_HANDLER(pwritev2)
{
    return TRY(write_vector(a0, a1, a2, a3 == -1 ? Positioned::No : Positioned::Yes, a3));
}

UK_SYSCALL_HANDLER(lseek)
{
    auto* file = TRY(fs::get(static_cast<int>(a0)));
    fs::DescriptionRef hold(file);
    if (a2 < 0 || a2 > 4)
        return error(EINVAL);
    if (file->is_path_only())
        return error(EBADF);
    return TRY(file->seek(a1, static_cast<fs::Whence>(a2)));
}

UK_SYSCALL_HANDLER(ioctl)
{
    auto* file = TRY(fs::get(static_cast<int>(a0)));
    fs::DescriptionRef hold(file);
    if (file->is_path_only())
        return error(EBADF);
    switch (static_cast<unsigned long>(a1)) {
    case k_fioclex:
        TRY(fs::set_fd_flags(static_cast<int>(a0), k_fd_cloexec));
        return 0;
    case k_fionclex:
        TRY(fs::set_fd_flags(static_cast<int>(a0), 0));
        return 0;
    case k_fionbio: {
        if (!user_readable(a2, sizeof(int)))
            return error(EFAULT);
        int on = *user_pointer<const int>(a2);
        file->set_status_flags(on ? file->status_flags() | k_o_nonblock : file->status_flags() & ~k_o_nonblock);
        return 0;
    }
    case k_fioasync:
        return 0;
    default:
        return file->ioctl(static_cast<unsigned long>(a1), a2);
    }
}

UK_SYSCALL_HANDLER(sendfile)
{
    auto* out = TRY(get_writable(a0));
    fs::DescriptionRef hold_out(out);
    auto* in = TRY(get_readable(a1));
    fs::DescriptionRef hold_in(in);
    i64 offset = 0;
    if (a2) {
        if (!user_writable(a2, sizeof(i64)))
            return error(EFAULT);
        offset = *user_pointer<i64>(a2);
        if (offset < 0)
            return error(EINVAL);
    }
    auto copied = copy_between(*in, *out, a2 ? &offset : nullptr, static_cast<u64>(a3));
    if (a2)
        *user_pointer<i64>(a2) = offset;
    return TRY(copied);
}

UK_SYSCALL_HANDLER(copy_file_range)
{
    if (a5 != 0)
        return error(EINVAL);
    auto* in = TRY(get_readable(a0));
    fs::DescriptionRef hold_in(in);
    auto* out = TRY(get_writable(a2));
    fs::DescriptionRef hold_out(out);
    if (!in->inode() || !out->inode() || !in->inode()->is_regular() || !out->inode()->is_regular())
        return error(EINVAL);
    if (out->status_flags() & k_o_append)
        return error(EBADF);
    i64 in_offset = 0, out_offset = 0;
    if (a1) {
        if (!user_writable(a1, 8))
            return error(EFAULT);
        in_offset = *user_pointer<i64>(a1);
    }
    if (a3) {
        if (!user_writable(a3, 8))
            return error(EFAULT);
        out_offset = *user_pointer<i64>(a3);
    }
    if (in_offset < 0 || out_offset < 0)
        return error(EINVAL);
    void* bounce = allocate_page();
    if (!bounce)
        return error(ENOMEM);
    u64 done = 0, count = clamp(static_cast<u64>(a4));
    Result<size_t> failure = static_cast<size_t>(0);
    while (done < count) {
        u64 chunk = count - done < k_page_size ? count - done : k_page_size;
        auto got = a1 ? in->pread(bounce, chunk, static_cast<u64>(in_offset) + done) : in->read(bounce, chunk);
        if (got.is_error()) {
            failure = got;
            break;
        }
        if (got.value() == 0)
            break;
        auto put = a3 ? out->pwrite(bounce, got.value(), static_cast<u64>(out_offset) + done) : out->write(bounce, got.value());
        if (put.is_error()) {
            failure = put;
            break;
        }
        done += put.value();
        if (put.value() < got.value())
            break;
    }
    free_page(bounce);
    if (a1)
        *user_pointer<i64>(a1) = in_offset + static_cast<i64>(done);
    if (a3)
        *user_pointer<i64>(a3) = out_offset + static_cast<i64>(done);
    if (done == 0 && failure.is_error())
        return error(failure.error_code());
    return static_cast<long>(done);
}

UK_SYSCALL_HANDLER(close)
{
    TRY(fs::close(static_cast<int>(a0)));
    return 0;
}
