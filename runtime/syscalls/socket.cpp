// SPDX-License-Identifier: MIT
// The socket system calls: socket, socketpair, bind, listen, accept, accept4, connect, shutdown,
// sendto, recvfrom, sendmsg, recvmsg, sendmmsg, recvmmsg, getsockopt, setsockopt, getsockname,
// getpeername (send and recv are sendto and recvfrom in musl). Every check and copy of program
// memory happens here, in Linux's order (net/socket.c), then the call goes to the net::Socket.
// The data calls (send*, recv*) run without the RuntimeLock on sockets that allow it (inet
// sockets: runs_without_runtime_lock()); the others take it, as every other call here does.
#include "fs/fd_table.h"
#include "lib/string.h"
#include "net/socket.h"
#include "sched/clock.h"
#include "syscalls/file_support.h"
#include "lib/linux/time.h"

namespace uk {

namespace {

using net::Socket;
using net::SocketAddress;

constexpr u64 k_uio_maxiov = 1024;
constexpr u32 k_somaxconn = 4096; // net.core.somaxconn
constexpr u64 k_int_max = 0x7fffffff;
// More control-message room than any receive can fill (credentials and SCM_MAX_FD descriptors).
constexpr u64 k_receive_control_max = 2048;
// Larger than any option value.
constexpr u32 k_option_buffer = 256;

// struct user_msghdr and struct mmsghdr, as the kernel reads them on x86_64 (musl zeroes the
// padding of its own int-sized fields).
struct UserMessageHeader {
    u64 name;
    i32 name_length;
    u32 pad0;
    u64 iov;
    u64 iov_count;
    u64 control;
    u64 control_length;
    u32 flags;
    u32 pad1;
};
static_assert(sizeof(UserMessageHeader) == 56);

struct UserMultiMessage {
    UserMessageHeader header;
    u32 length;
    u32 pad;
};
static_assert(sizeof(UserMultiMessage) == 64);

// The socket behind `fd`: EBADF when none is open, ENOTSOCK when it is something else. The
// caller holds `hold` for the length of the call.
Result<Socket*> socket_of(fs::FileDescription& file)
{
    Socket* socket = net::as_socket(file);
    if (!socket)
        return error(ENOTSOCK);
    return socket;
}

#define GET_SOCKET(name, fd)                                                  \
    auto* name##_file = TRY(fs::get(static_cast<int>(fd)));                    \
    fs::DescriptionRef name##_hold(name##_file);                               \
    Socket* name = TRY(socket_of(*name##_file))

// The same for the data calls (UK_SYSCALL_HANDLER_PER_DESCRIPTION), which take the RuntimeLock
// only for sockets that need it (not inet sockets); the reference outlives the guard.
#define GET_SOCKET_FOR_DATA(name, fd)                                                          \
    GET_SOCKET(name, fd);                                                                      \
    sched::RuntimeGuardIf name##_guard(!name##_file->runs_without_runtime_lock())

// move_addr_to_kernel: EINVAL for a negative length or one past sockaddr_storage.
Result<void> copy_address_in(long user, long length, SocketAddress& out)
{
    int n = static_cast<int>(length);
    if (n < 0 || static_cast<u32>(n) > net::k_max_address_length)
        return error(EINVAL);
    out.length = static_cast<u32>(n);
    if (n == 0)
        return {};
    if (!user_readable(user, static_cast<u64>(n)))
        return error(EFAULT);
    copy_bytes(out.bytes, reinterpret_cast<const void*>(user), static_cast<size_t>(n));
    return {};
}

// move_addr_to_user: copies as much of the `full_length`-byte address as the program's length
// allows and stores the full length (what 1003.1g calls "the value before truncation").
Result<void> copy_address_out(const u8* address, u32 full_length, long user, long user_length)
{
    if (!user_writable(user_length, sizeof(int)))
        return error(EFAULT);
    int n = *user_pointer<int>(user_length);
    if (n > static_cast<int>(full_length))
        n = static_cast<int>(full_length);
    if (n < 0)
        return error(EINVAL);
    if (n) {
        if (!user_writable(user, static_cast<u64>(n)))
            return error(EFAULT);
        copy_bytes(reinterpret_cast<void*>(user), address, static_cast<size_t>(n));
    }
    *user_pointer<int>(user_length) = static_cast<int>(full_length);
    return {};
}

Result<int> install_socket(Socket* socket, int flags)
{
    return fs::install(socket, (flags & net::k_sock_cloexec) ? fs::k_fd_cloexec : 0);
}

Result<void> check_socket_flags(int flags)
{
    if (flags & ~(net::k_sock_cloexec | net::k_sock_nonblock))
        return error(EINVAL);
    return {};
}

Result<int> make_socket(int family, int type, int protocol)
{
    int flags = type & ~net::k_sock_type_mask;
    TRY(check_socket_flags(flags));
    Socket* socket = TRY(net::create_socket(family, type & net::k_sock_type_mask, protocol,
        static_cast<u32>(flags & net::k_sock_nonblock)));
    return install_socket(socket, flags);
}

Result<void> make_socket_pair(int family, int type, int protocol, long user_fds)
{
    int flags = type & ~net::k_sock_type_mask;
    TRY(check_socket_flags(flags));
    // Two descriptors are reserved before anything is made, and the array checked.
    if (fs::open_count() > fs::descriptor_limit() - 2)
        return error(EMFILE);
    if (!user_writable(user_fds, 2 * sizeof(int)))
        return error(EFAULT);
    Socket* sockets[2];
    TRY(net::create_socket_pair(family, type & net::k_sock_type_mask, protocol,
        static_cast<u32>(flags & net::k_sock_nonblock), sockets));
    sockets[1]->ref(); // Kept until both descriptors exist, so a failure can drop it.
    auto first = install_socket(sockets[0], flags);
    if (first.is_error()) {
        sockets[1]->unref();
        sockets[1]->unref();
        return error(first.error_code());
    }
    auto second = install_socket(sockets[1], flags);
    if (second.is_error()) {
        (void)fs::close(first.value());
        sockets[1]->unref();
        return error(second.error_code());
    }
    sockets[1]->unref();
    int* fds = user_pointer<int>(user_fds);
    fds[0] = first.value();
    fds[1] = second.value();
    return {};
}

Result<void> bind_socket(long fd, long user_address, long length)
{
    GET_SOCKET(socket, fd);
    SocketAddress address;
    TRY(copy_address_in(user_address, length, address));
    return socket->bind(address);
}

Result<void> connect_socket(long fd, long user_address, long length)
{
    GET_SOCKET(socket, fd);
    SocketAddress address;
    TRY(copy_address_in(user_address, length, address));
    return socket->connect(address);
}

Result<void> listen_socket(long fd, long backlog)
{
    GET_SOCKET(socket, fd);
    // Larger backlogs (and negative ones, as unsigned) are cut to somaxconn.
    u32 n = static_cast<u32>(static_cast<int>(backlog));
    if (n > k_somaxconn)
        n = k_somaxconn;
    return socket->listen(static_cast<int>(n));
}

Result<int> accept_socket(long fd, long user_address, long user_length, int flags)
{
    auto* file = TRY(fs::get(static_cast<int>(fd)));
    fs::DescriptionRef hold(file);
    TRY(check_socket_flags(flags));
    if (fs::open_count() >= fs::descriptor_limit())
        return error(EMFILE);
    Socket* socket = TRY(socket_of(*file));
    SocketAddress peer;
    Socket* connection = TRY(socket->accept(static_cast<u32>(flags & net::k_sock_nonblock), user_address ? &peer : nullptr));
    if (user_address) {
        // A bad address buffer loses the connection, as on Linux.
        auto copied = copy_address_out(peer.bytes, peer.length, user_address, user_length);
        if (copied.is_error()) {
            connection->unref();
            return error(copied.error_code());
        }
    }
    return install_socket(connection, flags);
}

Result<void> shutdown_socket(long fd, long how)
{
    GET_SOCKET(socket, fd);
    return socket->shutdown(static_cast<int>(how));
}

enum class Side { Local, Peer };

Result<void> socket_name(long fd, long user_address, long user_length, Side side)
{
    GET_SOCKET(socket, fd);
    SocketAddress address;
    if (side == Side::Local)
        TRY(socket->local_address(address));
    else
        TRY(socket->peer_address(address));
    return copy_address_out(address.bytes, address.length, user_address, user_length);
}

// The program's iovec array, checked in place (IoSegment has struct iovec's layout): EMSGSIZE past
// UIO_MAXIOV, EINVAL for a negative length, EFAULT for memory the call cannot use.
Result<const net::IoSegment*> checked_segments(u64 iov, u64 count, bool write)
{
    if (count > k_uio_maxiov)
        return error(EMSGSIZE);
    if (!user_readable(static_cast<long>(iov), count * sizeof(net::IoSegment)))
        return error(EFAULT);
    auto* segments = reinterpret_cast<const net::IoSegment*>(iov);
    for (u64 i = 0; i < count; ++i) {
        if (static_cast<i64>(segments[i].length) < 0)
            return error(EINVAL);
    }
    for (u64 i = 0; i < count; ++i) {
        u64 length = segments[i].length < net::k_max_transfer ? segments[i].length : net::k_max_transfer;
        long base = reinterpret_cast<long>(segments[i].base);
        if (!(write ? user_writable(base, length) : user_readable(base, length)))
            return error(EFAULT);
    }
    return segments;
}

// sendto: one buffer, maybe an address.
Result<size_t> send_to(long fd, long buffer, u64 length, int flags, long user_address, long address_length)
{
    GET_SOCKET_FOR_DATA(socket, fd);
    if (length > net::k_max_transfer)
        length = net::k_max_transfer;
    if (!user_readable(buffer, length))
        return error(EFAULT);
    net::IoSegment segment { reinterpret_cast<void*>(buffer), length };
    net::Message message;
    message.segments = &segment;
    message.segment_count = 1;
    SocketAddress address;
    if (user_address) {
        TRY(copy_address_in(user_address, address_length, address));
        message.address = address.bytes;
        message.address_length = address.length;
    }
    if (socket->is_nonblocking())
        flags |= net::k_msg_dontwait;
    return socket->send_message(message, flags);
}

// recvfrom: one buffer, maybe the sender's address (copied out after the data, as on Linux).
Result<size_t> receive_from(long fd, long buffer, u64 length, int flags, long user_address, long user_length)
{
    GET_SOCKET_FOR_DATA(socket, fd);
    if (length > net::k_max_transfer)
        length = net::k_max_transfer;
    if (!user_writable(buffer, length))
        return error(EFAULT);
    net::IoSegment segment { reinterpret_cast<void*>(buffer), length };
    net::Message message;
    message.segments = &segment;
    message.segment_count = 1;
    SocketAddress address;
    if (user_address) {
        message.address = address.bytes;
        message.address_capacity = net::k_max_address_length;
    }
    if (socket->is_nonblocking())
        flags |= net::k_msg_dontwait;
    size_t received = TRY(socket->receive(message, flags));
    if (user_address)
        TRY(copy_address_out(address.bytes, message.address_length, user_address, user_length));
    return received;
}

// One sendmsg (___sys_sendmsg). `complete` tells sendmmsg whether all of it went.
Result<size_t> send_one(Socket& socket, long user_header, int flags, bool* complete)
{
    if (!user_readable(user_header, sizeof(UserMessageHeader)))
        return error(EFAULT);
    UserMessageHeader header;
    copy_bytes(&header, reinterpret_cast<const void*>(user_header), sizeof(header));
    net::Message message;
    SocketAddress address;
    // __copy_msghdr: a name longer than sockaddr_storage is cut to it.
    if (header.name) {
        if (header.name_length < 0)
            return error(EINVAL);
        u32 n = static_cast<u32>(header.name_length);
        if (n > net::k_max_address_length)
            n = net::k_max_address_length;
        if (n) {
            if (!user_readable(static_cast<long>(header.name), n))
                return error(EFAULT);
            copy_bytes(address.bytes, reinterpret_cast<const void*>(header.name), n);
            address.length = n;
            message.address = address.bytes;
            message.address_length = n;
        }
    }
    message.segments = TRY(checked_segments(header.iov, header.iov_count, false));
    message.segment_count = header.iov_count;
    if (header.control_length > k_int_max)
        return error(ENOBUFS);
    if (header.control_length) {
        if (!user_readable(static_cast<long>(header.control), header.control_length))
            return error(EFAULT);
        message.control = reinterpret_cast<u8*>(header.control);
        message.control_length = header.control_length;
        message.control_capacity = header.control_length;
    }
    flags |= static_cast<int>(header.flags) & net::k_msg_eor;
    if (socket.is_nonblocking())
        flags |= net::k_msg_dontwait;
    size_t sent = TRY(socket.send_message(message, flags));
    if (complete)
        *complete = sent == net::MessageCursor(message).remaining();
    return sent;
}

// One recvmsg (___sys_recvmsg): the name, msg_flags and msg_controllen are written back after the
// data arrived.
Result<size_t> receive_one(Socket& socket, long user_header, int flags)
{
    if (!user_writable(user_header, sizeof(UserMessageHeader)))
        return error(EFAULT);
    auto* user = user_pointer<UserMessageHeader>(user_header);
    UserMessageHeader header;
    copy_bytes(&header, user, sizeof(header));
    net::Message message;
    SocketAddress address;
    if (header.name) {
        if (header.name_length < 0)
            return error(EINVAL);
        // With no room for a name the protocol is not asked for one (and 0 is written back).
        if (header.name_length > 0) {
            message.address = address.bytes;
            message.address_capacity = net::k_max_address_length;
        }
    }
    message.segments = TRY(checked_segments(header.iov, header.iov_count, true));
    message.segment_count = header.iov_count;
    if (header.control) {
        u64 capacity = header.control_length < k_receive_control_max ? header.control_length : k_receive_control_max;
        if (!user_writable(static_cast<long>(header.control), capacity))
            return error(EFAULT);
        message.control = reinterpret_cast<u8*>(header.control);
        message.control_capacity = capacity;
    }
    int call_flags = flags;
    if (socket.is_nonblocking())
        call_flags |= net::k_msg_dontwait;
    size_t received = TRY(socket.receive(message, call_flags));
    if (header.name)
        TRY(copy_address_out(address.bytes, message.address_length, static_cast<long>(header.name),
            user_header + static_cast<long>(__builtin_offsetof(UserMessageHeader, name_length))));
    user->flags = static_cast<u32>(message.result_flags | (flags & net::k_msg_cmsg_cloexec));
    user->control_length = message.control_length;
    return received;
}

Result<size_t> send_message(long fd, long user_header, int flags)
{
    if (flags & net::k_msg_cmsg_compat)
        return error(EINVAL);
    GET_SOCKET_FOR_DATA(socket, fd);
    return send_one(*socket, user_header, flags, nullptr);
}

Result<size_t> receive_message(long fd, long user_header, int flags)
{
    if (flags & net::k_msg_cmsg_compat)
        return error(EINVAL);
    GET_SOCKET_FOR_DATA(socket, fd);
    return receive_one(*socket, user_header, flags);
}

// sendmmsg: stops at the first error or short send; an error counts only if nothing was sent.
Result<size_t> send_messages(long fd, long user_vector, u64 count, int flags)
{
    if (flags & net::k_msg_cmsg_compat)
        return error(EINVAL);
    if (count > k_uio_maxiov)
        count = k_uio_maxiov;
    GET_SOCKET_FOR_DATA(socket, fd);
    size_t done = 0;
    Result<size_t> failure = static_cast<size_t>(0);
    while (done < count) {
        long entry = user_vector + static_cast<long>(done * sizeof(UserMultiMessage));
        bool complete = true;
        auto sent = send_one(*socket, entry, flags, &complete);
        if (sent.is_error()) {
            failure = sent;
            break;
        }
        if (!user_writable(entry + static_cast<long>(__builtin_offsetof(UserMultiMessage, length)), sizeof(u32))) {
            failure = error(EFAULT);
            break;
        }
        user_pointer<UserMultiMessage>(entry)->length = static_cast<u32>(sent.value());
        ++done;
        if (!complete)
            break;
    }
    if (done)
        return done;
    return failure;
}

// recvmmsg (do_recvmmsg): the timeout is looked at only after each message (so the first one may
// wait for ever, a bug Linux documents); MSG_WAITFORONE stops waiting after the first message; an
// error after some messages is kept as the socket's pending error (except EAGAIN).
Result<size_t> receive_messages(long fd, long user_vector, u64 count, int flags, long user_timeout)
{
    if (flags & net::k_msg_cmsg_compat)
        return error(EINVAL);
    Timespec timeout {};
    u64 end_ns = 0;
    if (user_timeout) {
        if (!user_readable(user_timeout, sizeof(Timespec)))
            return error(EFAULT);
        copy_bytes(&timeout, reinterpret_cast<const void*>(user_timeout), sizeof(timeout));
        if (!timeout.is_valid())
            return error(EINVAL);
        // A zero timeout ends after the first message.
        end_ns = timeout.seconds == 0 && timeout.nanoseconds == 0 ? 0 : clock::monotonic_ns() + timeout.to_ns();
    }
    GET_SOCKET_FOR_DATA(socket, fd);
    if (!(flags & net::k_msg_errqueue)) {
        if (int code = socket->take_pending_error())
            return error(code);
    }
    size_t done = 0;
    int failure = 0;
    while (done < count) {
        long entry = user_vector + static_cast<long>(done * sizeof(UserMultiMessage));
        auto received = receive_one(*socket, entry, flags & ~net::k_msg_waitforone);
        if (received.is_error()) {
            failure = received.error_code();
            break;
        }
        if (!user_writable(entry + static_cast<long>(__builtin_offsetof(UserMultiMessage, length)), sizeof(u32))) {
            failure = EFAULT;
            break;
        }
        user_pointer<UserMultiMessage>(entry)->length = static_cast<u32>(received.value());
        ++done;
        if (flags & net::k_msg_waitforone)
            flags |= net::k_msg_dontwait;
        if (user_timeout) {
            u64 now = clock::monotonic_ns();
            timeout = Timespec::from_ns(end_ns > now ? end_ns - now : 0);
            if (end_ns <= now)
                break;
        }
    }
    if (failure) {
        if (done == 0)
            return error(failure);
        if (failure != EAGAIN)
            socket->set_pending_error(failure);
    }
    if (done && user_timeout) {
        if (!user_writable(user_timeout, sizeof(Timespec)))
            return error(EFAULT);
        copy_bytes(reinterpret_cast<void*>(user_timeout), &timeout, sizeof(timeout));
    }
    return done;
}

Result<void> get_socket_option(long fd, long level, long name, long user_value, long user_length)
{
    GET_SOCKET(socket, fd);
    if (!user_writable(user_length, sizeof(int)))
        return error(EFAULT);
    int length = *user_pointer<int>(user_length);
    if (length < 0)
        return error(EINVAL);
    u8 value[k_option_buffer];
    u32 n = static_cast<u32>(length) < k_option_buffer ? static_cast<u32>(length) : k_option_buffer;
    TRY(socket->get_option(static_cast<int>(level), static_cast<int>(name), value, n));
    if (n && !user_writable(user_value, n))
        return error(EFAULT);
    copy_bytes(reinterpret_cast<void*>(user_value), value, n);
    *user_pointer<int>(user_length) = static_cast<int>(n);
    return {};
}

Result<void> set_socket_option(long fd, long level, long name, long user_value, long length)
{
    GET_SOCKET(socket, fd);
    int n = static_cast<int>(length);
    if (n < 0)
        return error(EINVAL);
    // Options read what they need from the start of the value; the rest is never looked at.
    u8 value[k_option_buffer];
    u32 copied = static_cast<u32>(n) < k_option_buffer ? static_cast<u32>(n) : k_option_buffer;
    if (copied && !user_readable(user_value, copied))
        return error(EFAULT);
    copy_bytes(value, reinterpret_cast<const void*>(user_value), copied);
    return socket->set_option(static_cast<int>(level), static_cast<int>(name), value, copied);
}

} // namespace

}

using namespace uk;

UK_SYSCALL_HANDLER(socket) { return make_socket(static_cast<int>(a0), static_cast<int>(a1), static_cast<int>(a2)); }
UK_SYSCALL_HANDLER(socketpair)
{
    return zero_or_error(make_socket_pair(static_cast<int>(a0), static_cast<int>(a1), static_cast<int>(a2), a3));
}
UK_SYSCALL_HANDLER(bind) { return zero_or_error(bind_socket(a0, a1, a2)); }
UK_SYSCALL_HANDLER(connect) { return zero_or_error(connect_socket(a0, a1, a2)); }
UK_SYSCALL_HANDLER(listen) { return zero_or_error(listen_socket(a0, a1)); }
UK_SYSCALL_HANDLER(accept) { return accept_socket(a0, a1, a2, 0); }
UK_SYSCALL_HANDLER(accept4) { return accept_socket(a0, a1, a2, static_cast<int>(a3)); }
UK_SYSCALL_HANDLER(shutdown) { return zero_or_error(shutdown_socket(a0, a1)); }
UK_SYSCALL_HANDLER(getsockname) { return zero_or_error(socket_name(a0, a1, a2, Side::Local)); }
UK_SYSCALL_HANDLER(getpeername) { return zero_or_error(socket_name(a0, a1, a2, Side::Peer)); }
UK_SYSCALL_HANDLER_PER_DESCRIPTION(sendto)
{
    return Result<long>(send_to(a0, a1, static_cast<u64>(a2), static_cast<int>(a3), a4, a5));
}
UK_SYSCALL_HANDLER_PER_DESCRIPTION(recvfrom)
{
    return Result<long>(receive_from(a0, a1, static_cast<u64>(a2), static_cast<int>(a3), a4, a5));
}
UK_SYSCALL_HANDLER_PER_DESCRIPTION(sendmsg) { return Result<long>(send_message(a0, a1, static_cast<int>(a2))); }
UK_SYSCALL_HANDLER_PER_DESCRIPTION(recvmsg) { return Result<long>(receive_message(a0, a1, static_cast<int>(a2))); }
UK_SYSCALL_HANDLER_PER_DESCRIPTION(sendmmsg)
{
    return Result<long>(send_messages(a0, a1, static_cast<u32>(a2), static_cast<int>(a3)));
}
UK_SYSCALL_HANDLER_PER_DESCRIPTION(recvmmsg)
{
    return Result<long>(receive_messages(a0, a1, static_cast<u32>(a2), static_cast<int>(a3), a4));
}
UK_SYSCALL_HANDLER(getsockopt) { return zero_or_error(get_socket_option(a0, a1, a2, a3, a4)); }
UK_SYSCALL_HANDLER(setsockopt) { return zero_or_error(set_socket_option(a0, a1, a2, a3, a4)); }
