// SPDX-License-Identifier: MIT
// AF_UNIX sockets: creation, socketpair, bind, listen, connect, accept, shutdown, options,
// readiness and closing, with the checks and their order taken from Linux's af_unix.c.
// Sending and receiving are in unix_transfer.cpp.
#include "net/unix_socket.h"

#include "lib/string.h"
#include "mm/address_space.h"
#include "mm/kmalloc.h"
#include "net/unix_endpoint.h"

namespace uk::net {

namespace {

constexpr u32 k_poll_wrband = 0x200;
constexpr unsigned long k_siocinq = 0x541b;  // FIONREAD
constexpr unsigned long k_siocoutq = 0x5411; // TIOCOUTQ

Result<void> give(void* out, u32& length, const void* value, u32 size)
{
    if (length > size)
        length = size;
    copy_bytes(out, value, length);
    return {};
}

} // namespace

UnixSocket* make_unix_socket(UnixEndpoint& endpoint, u32 status_flags)
{
    // An error recorded while the endpoint had no description (a connection reset before
    // accept()) moves into the description, where SO_ERROR reads it.
    int pending = endpoint.take_error();
    auto* socket = make<UnixSocket>(endpoint, endpoint.type, status_flags & fs::k_o_nonblock);
    if (!socket) {
        endpoint.set_error(pending);
        return nullptr;
    }
    socket->set_pending_error(pending);
    return socket;
}

Result<Socket*> create_unix_socket(int type, int protocol, u32 status_flags)
{
    // unix_create: the protocol first, then the type (SOCK_RAW is an old alias of SOCK_DGRAM).
    if (protocol != 0 && protocol != k_af_unix)
        return error(EPROTONOSUPPORT);
    if (type == k_sock_raw)
        type = k_sock_dgram;
    if (type != k_sock_stream && type != k_sock_dgram && type != k_sock_seqpacket)
        return error(ESOCKTNOSUPPORT);
    auto* endpoint = make<UnixEndpoint>(type);
    if (!endpoint)
        return error(ENOMEM);
    UnixSocket* socket = make_unix_socket(*endpoint, status_flags);
    if (!socket) {
        endpoint->unref();
        return error(ENOMEM);
    }
    return static_cast<Socket*>(socket);
}

Result<void> create_unix_socket_pair(int type, int protocol, u32 status_flags, Socket* out[2])
{
    UnixStateLock lock;
    Socket* a = TRY(create_unix_socket(type, protocol, status_flags));
    auto b = create_unix_socket(type, protocol, status_flags);
    if (b.is_error()) {
        a->unref();
        return error(b.error_code());
    }
    // unix_socketpair: back to back, both established (datagram ones too), each with the
    // process's credentials as its peer's.
    UnixEndpoint& ea = static_cast<UnixSocket*>(a)->endpoint();
    UnixEndpoint& eb = static_cast<UnixSocket*>(b.value())->endpoint();
    ea.connect_to(eb);
    eb.connect_to(ea);
    ea.state = eb.state = UnixState::Established;
    ea.peer_credentials = eb.peer_credentials = k_process_credentials;
    out[0] = a;
    out[1] = b.value();
    return {};
}

void UnixSocket::release()
{
    UnixStateLock lock;
    UnixEndpoint& endpoint = m_endpoint;
    endpoint.description = nullptr;
    endpoint.close(false);
    endpoint.unref();
}

Result<void> UnixSocket::bind(const SocketAddress& address)
{
    UnixStateLock lock;
    return bind_endpoint(m_endpoint, address);
}

Result<void> UnixSocket::listen(int backlog)
{
    UnixStateLock lock;
    UnixEndpoint& self = m_endpoint;
    if (type() != k_sock_stream && type() != k_sock_seqpacket)
        return error(EOPNOTSUPP);
    // No listening on an unbound socket (no autobind here).
    if (!self.address.is_named())
        return error(EINVAL);
    if (self.state != UnixState::Closed && self.state != UnixState::Listening)
        return error(EINVAL);
    if (static_cast<u32>(backlog) > self.backlog)
        self.peer_wait.wake_all();
    self.backlog = static_cast<u32>(backlog);
    self.state = UnixState::Listening;
    // What connecting sockets will see as their peer's credentials.
    self.peer_credentials = k_process_credentials;
    return {};
}

Result<void> UnixSocket::connect(const SocketAddress& address)
{
    UnixStateLock lock;
    if (type() == k_sock_dgram)
        return connect_datagram(address);
    return connect_stream(address);
}

Result<void> UnixSocket::connect_stream(const SocketAddress& address)
{
    UnixEndpoint& self = m_endpoint;
    TRY(validate_unix_address(address));
    if (self.pass_credentials && !self.address.is_named())
        TRY(autobind(self));
    WaitLimit limit = send_limit(is_nonblocking());
    // The server's end of the connection, made first as Linux does (it cannot fail later).
    auto* embryo = make<UnixEndpoint>(type());
    if (!embryo)
        return error(ENOMEM);
    for (;;) {
        auto found = find_endpoint(address, type());
        if (found.is_error()) {
            embryo->unref();
            return error(found.error_code());
        }
        UnixEndpoint& listener = *found.value();
        int failure = 0;
        if (listener.state != UnixState::Listening || (listener.shutdown & k_receive_shutdown)) {
            failure = ECONNREFUSED;
        } else if (listener.is_receive_queue_full()) {
            // The backlog is full: wait for accept() (or fail at once without a timeout).
            if (!limit.may_wait) {
                failure = EAGAIN;
            } else {
                auto waited = listener.peer_wait.wait_until(
                    [&] { return listener.dead || !listener.is_receive_queue_full(); }, limit.deadline_ns);
                listener.unref();
                if (waited == sched::WaitResult::TimedOut) {
                    limit.may_wait = false;
                    continue;
                }
                auto result = wait_result(waited);
                if (result.is_error()) {
                    embryo->unref();
                    return result;
                }
                continue;
            }
        } else if (self.state != UnixState::Closed) {
            failure = self.state == UnixState::Established ? EISCONN : EINVAL;
        }
        if (failure) {
            listener.unref();
            embryo->unref();
            return error(failure);
        }
        // The embryo takes the listener's name and the client's credentials; the client the
        // listener's credentials. The listener's queue holds the embryo's first reference.
        embryo->state = UnixState::Established;
        embryo->address = listener.address;
        embryo->peer_credentials = k_process_credentials;
        embryo->connect_to(self);
        self.peer_credentials = listener.peer_credentials;
        self.state = UnixState::Established;
        self.connect_to(*embryo);
        listener.pending.push_back(*embryo);
        ++listener.queued_count;
        listener.notify(fs::k_poll_in | fs::k_poll_rdnorm | fs::k_poll_pri);
        listener.unref();
        return {};
    }
}

Result<void> UnixSocket::connect_datagram(const SocketAddress& address)
{
    UnixEndpoint& self = m_endpoint;
    if (address.length < sizeof(u16))
        return error(EINVAL);
    UnixEndpoint* other = nullptr;
    if (address.bytes[0] != k_af_unspec || address.bytes[1] != 0) {
        TRY(validate_unix_address(address));
        if (self.pass_credentials && !self.address.is_named())
            TRY(autobind(self));
        other = TRY(find_endpoint(address, type()));
        // unix_may_send: a socket connected elsewhere takes nothing from this one.
        if (other->peer && other->peer != &self) {
            other->unref();
            return error(EPERM);
        }
        self.state = UnixState::Established;
        other->state = UnixState::Established;
    }
    // AF_UNSPEC (other = null) disconnects.
    UnixEndpoint* old_peer = self.peer;
    if (old_peer) {
        old_peer->ref();
        self.disconnect();
        if (other)
            self.connect_to(*other);
        else
            self.state = UnixState::Closed;
        if (other != old_peer) {
            // unix_dgram_disconnected: what came from the old peer is dropped, and a peer that
            // was connected back learns that messages were lost.
            if (!self.records.empty()) {
                while (!self.records.empty())
                    self.drop_front();
                if (!old_peer->dead && old_peer->peer == &self) {
                    old_peer->set_error(ECONNRESET);
                    old_peer->notify(fs::k_poll_err);
                }
            }
            if (!old_peer->peer)
                old_peer->state = UnixState::Closed;
        }
        old_peer->unref();
    } else if (other) {
        self.connect_to(*other);
    }
    if (other)
        other->unref();
    return {};
}

Result<Socket*> UnixSocket::accept(u32 flags, SocketAddress* peer)
{
    UnixStateLock lock;
    UnixEndpoint& self = m_endpoint;
    if (type() != k_sock_stream && type() != k_sock_seqpacket)
        return error(EOPNOTSUPP);
    if (self.state != UnixState::Listening)
        return error(EINVAL);
    WaitLimit limit = receive_limit(is_nonblocking());
    for (;;) {
        if (UnixEndpoint* connection = self.take_pending()) {
            UnixSocket* socket = make_unix_socket(*connection, flags);
            if (!socket) {
                connection->close(true);
                connection->unref();
                return error(ENOMEM);
            }
            if (peer) {
                UnixAddress none;
                (connection->peer ? connection->peer->address : none).to_socket_address(*peer);
            }
            return static_cast<Socket*>(socket);
        }
        // skb_recv_datagram's checks: a pending error, then a shut-down queue (which accept()
        // reports as EINVAL).
        if (int code = self.take_error())
            return error(code);
        if (self.shutdown & k_receive_shutdown)
            return error(EINVAL);
        TRY(wait_for(limit, [&] { return !self.pending.empty() || self.pending_error() || (self.shutdown & k_receive_shutdown); }));
    }
}

Result<void> UnixSocket::shutdown(int how)
{
    UnixStateLock lock;
    if (how < k_shut_rd || how > k_shut_rdwr)
        return error(EINVAL);
    UnixEndpoint& self = m_endpoint;
    // SHUT_RD, SHUT_WR, SHUT_RDWR are 0, 1, 2; the bits are 1, 2, 3.
    u8 mode = static_cast<u8>(how + 1);
    self.shutdown |= mode;
    self.notify(fs::k_poll_all);
    UnixEndpoint* other = self.peer;
    if (other && self.is_connection_based()) {
        u8 peer_mode = 0;
        if (mode & k_receive_shutdown)
            peer_mode |= k_send_shutdown;
        if (mode & k_send_shutdown)
            peer_mode |= k_receive_shutdown;
        other->shutdown |= peer_mode;
        other->notify(fs::k_poll_all);
    }
    return {};
}

Result<void> UnixSocket::get_option(int level, int name, void* value, u32& length)
{
    UnixStateLock lock;
    if (level == k_sol_socket) {
        switch (name) {
        case k_so_peercred:
            return give(value, length, &m_endpoint.peer_credentials, sizeof(Credentials));
        case k_so_passcred: {
            int on = m_endpoint.pass_credentials ? 1 : 0;
            return give(value, length, &on, sizeof(on));
        }
        default:
            break;
        }
    }
    return Socket::get_option(level, name, value, length);
}

Result<void> UnixSocket::set_option(int level, int name, const void* value, u32 length)
{
    UnixStateLock lock;
    if (level == k_sol_socket && name == k_so_passcred) {
        if (length < sizeof(int))
            return error(EINVAL);
        int on;
        copy_bytes(&on, value, sizeof(on));
        m_endpoint.pass_credentials = on != 0;
        return {};
    }
    return Socket::set_option(level, name, value, length);
}

Result<void> UnixSocket::local_address(SocketAddress& out)
{
    UnixStateLock lock;
    m_endpoint.address.to_socket_address(out);
    return {};
}

Result<void> UnixSocket::peer_address(SocketAddress& out)
{
    UnixStateLock lock;
    // A peer that closed is still the peer (as on Linux) until this socket disconnects.
    if (!m_endpoint.peer)
        return error(ENOTCONN);
    m_endpoint.peer->address.to_socket_address(out);
    return {};
}

u32 UnixSocket::readiness()
{
    const UnixEndpoint& self = m_endpoint;
    u32 mask = 0;
    if (self.pending_error())
        mask |= fs::k_poll_err;
    if (self.shutdown == k_shutdown_both)
        mask |= fs::k_poll_hup;
    if (self.shutdown & k_receive_shutdown)
        mask |= fs::k_poll_rdhup | fs::k_poll_in | fs::k_poll_rdnorm;
    if (!self.records.empty() || !self.pending.empty())
        mask |= fs::k_poll_in | fs::k_poll_rdnorm;
    if (self.state == UnixState::Closed && self.is_connection_based())
        mask |= fs::k_poll_hup;
    bool writable = self.is_writable();
    // unix_dgram_poll: a datagram socket connected to a socket whose queue is full (and which is
    // not connected back) cannot write.
    if (writable && type() != k_sock_stream) {
        const UnixEndpoint* other = self.peer;
        if (other && other->peer != &self && other->is_receive_queue_full())
            writable = false;
    }
    if (writable)
        mask |= fs::k_poll_out | fs::k_poll_wrnorm | k_poll_wrband;
    return mask;
}

Result<long> UnixSocket::ioctl(unsigned long request, long argument)
{
    UnixStateLock lock;
    int amount;
    switch (request) {
    case k_siocoutq:
        amount = static_cast<int>(m_endpoint.charged);
        break;
    case k_siocinq:
        // unix_inq_len: everything queued for a stream or seqpacket socket, the next datagram's
        // size for a datagram socket.
        if (m_endpoint.state == UnixState::Listening)
            return error(EINVAL);
        if (type() == k_sock_dgram)
            amount = m_endpoint.records.empty() ? 0 : static_cast<int>(m_endpoint.records.front()->length);
        else
            amount = static_cast<int>(m_endpoint.bytes.size());
        break;
    default:
        return Socket::ioctl(request, argument);
    }
    if (!mm::is_user_range(static_cast<u64>(argument), sizeof(int), true))
        return error(EFAULT);
    copy_bytes(reinterpret_cast<void*>(argument), &amount, sizeof(amount));
    return 0;
}

}
