// SPDX-License-Identifier: MIT
// What every socket shares: Linux's answers for operations a kind does not support (the
// sock_no_* functions), the SOL_SOCKET options of sk_getsockopt/sk_setsockopt that are the same
// for every kind, read/write as receive/send, fstat, and socket()/socketpair() by family.
#include "net/socket.h"

#include "fs/inode.h"
#include "lib/format.h"
#include "lib/string.h"
#include "net/inet_address.h"
#include "net/inet_socket.h"
#include "net/interfaces.h"
#include "net/netlink_socket.h"
#include "net/unix_socket.h"
#include "sched/clock.h"
#include "sched/signal.h"

namespace uk::net {

namespace {

constexpr int k_sigpipe = 13;
// Linux's HZ on Debian (CONFIG_HZ_250): socket timeouts are kept in these ticks.
constexpr i64 k_hz = 250;
constexpr u64 k_tick_ns = 1'000'000'000 / k_hz;

enum StoredFlag : u32 {
    k_flag_debug = 1u << 0,
    k_flag_reuse_address = 1u << 1,
    k_flag_reuse_port = 1u << 2,
    k_flag_keepalive = 1u << 3,
    k_flag_broadcast = 1u << 4,
    k_flag_dont_route = 1u << 5,
    k_flag_oob_inline = 1u << 6,
    k_flag_no_check = 1u << 7,
    k_flag_linger = 1u << 8,
};

struct Linger {
    i32 on;
    i32 seconds;
};

// The SO_RCVTIMEO/SO_SNDTIMEO value (struct timeval and struct __kernel_sock_timeval have the same
// layout on x86_64).
struct TimeoutValue {
    i64 seconds;
    i64 microseconds;
};
static_assert(sizeof(TimeoutValue) == 16);

// Copies `value`'s first `length` bytes out, as sk_getsockopt does for an option of size `size`:
// a shorter buffer gets the start of the value.
Result<void> give(void* out, u32& length, const void* value, u32 size)
{
    if (length > size)
        length = size;
    copy_bytes(out, value, length);
    return {};
}

Result<void> give_int(void* out, u32& length, int value) { return give(out, length, &value, sizeof(value)); }

// sock_set_timeout: EDOM for a bad microsecond count, a negative time means "do not wait".
Result<i64> timeout_ticks(const void* value, u32 length)
{
    if (length < sizeof(TimeoutValue))
        return error(EINVAL);
    TimeoutValue t;
    copy_bytes(&t, value, sizeof(t));
    if (t.microseconds < 0 || t.microseconds >= 1'000'000)
        return error(EDOM);
    if (t.seconds < 0)
        return static_cast<i64>(0);
    if (t.seconds == 0 && t.microseconds == 0)
        return static_cast<i64>(-1);
    // Past ~1e16 seconds Linux waits for ever too.
    if (t.seconds >= (static_cast<i64>(1) << 62) / k_hz)
        return static_cast<i64>(-1);
    constexpr i64 k_us_per_tick = 1'000'000 / k_hz;
    return t.seconds * k_hz + (t.microseconds + k_us_per_tick - 1) / k_us_per_tick;
}

TimeoutValue timeout_value(i64 ticks)
{
    if (ticks < 0)
        return { 0, 0 };
    return { ticks / k_hz, (ticks % k_hz) * (1'000'000 / k_hz) };
}

// SO_SNDBUF and SO_RCVBUF: Linux doubles the request (for its bookkeeping) and keeps it between
// the minimum and twice the maximum; the FORCE variants (root) skip the maximum.
u32 buffer_size(int requested, bool force, u32 minimum)
{
    // A negative request is the largest one, or nothing for the FORCE variants.
    u32 value = force && requested < 0 ? 0 : static_cast<u32>(requested);
    if (!force && value > k_max_buffer_size)
        value = k_max_buffer_size;
    if (value > 0x7fffffffu / 2)
        value = 0x7fffffffu / 2;
    value *= 2;
    return value < minimum ? minimum : value;
}

} // namespace

MessageCursor::MessageCursor(const Message& message)
    : m_segment(message.segments)
    , m_end(message.segments + message.segment_count)
{
    for (size_t i = 0; i < message.segment_count; ++i) {
        size_t length = message.segments[i].length;
        if (length > k_max_transfer - m_remaining) {
            m_remaining = k_max_transfer;
            break;
        }
        m_remaining += length;
    }
}

IoSegment MessageCursor::take(size_t limit)
{
    if (limit > m_remaining)
        limit = m_remaining;
    while (m_segment != m_end && m_offset == m_segment->length) {
        ++m_segment;
        m_offset = 0;
    }
    if (limit == 0 || m_segment == m_end)
        return { nullptr, 0 };
    size_t available = m_segment->length - m_offset;
    size_t n = limit < available ? limit : available;
    IoSegment piece { static_cast<u8*>(m_segment->base) + m_offset, n };
    m_offset += n;
    m_remaining -= n;
    return piece;
}

Result<void> Socket::bind(const SocketAddress&) { return error(EOPNOTSUPP); }
Result<void> Socket::listen(int) { return error(EOPNOTSUPP); }
Result<Socket*> Socket::accept(u32, SocketAddress*) { return error(EOPNOTSUPP); }
Result<void> Socket::connect(const SocketAddress&) { return error(EOPNOTSUPP); }
Result<size_t> Socket::send(const Message&, int) { return error(EOPNOTSUPP); }
Result<size_t> Socket::receive(Message&, int) { return error(EOPNOTSUPP); }
Result<void> Socket::shutdown(int) { return error(EOPNOTSUPP); }
Result<void> Socket::local_address(SocketAddress&) { return error(EOPNOTSUPP); }
Result<void> Socket::peer_address(SocketAddress&) { return error(EOPNOTSUPP); }

Result<size_t> Socket::read(void* buffer, size_t length)
{
    IoSegment segment { buffer, length };
    return read_segments(&segment, 1);
}

Result<size_t> Socket::write(const void* buffer, size_t length)
{
    IoSegment segment { const_cast<void*>(buffer), length };
    return write_segments(&segment, 1);
}

Result<size_t> Socket::read_segments(const IoSegment* segments, size_t count)
{
    Message message;
    message.segments = segments;
    message.segment_count = count;
    // sock_read_iter: an empty read is done before the protocol sees it.
    if (MessageCursor(message).remaining() == 0)
        return static_cast<size_t>(0);
    return receive(message, is_nonblocking() ? k_msg_dontwait : 0);
}

Result<size_t> Socket::write_segments(const IoSegment* segments, size_t count)
{
    Message message;
    message.segments = segments;
    message.segment_count = count;
    return send_message(message, is_nonblocking() ? k_msg_dontwait : 0);
}

Result<size_t> Socket::send_message(const Message& message, int flags)
{
    auto sent = send(message, flags);
    if (sent.is_error() && sent.error_code() == EPIPE && m_type == k_sock_stream && !(flags & k_msg_nosignal))
        (void)sched::raise_signal(k_sigpipe);
    return sent;
}

Result<long> Socket::ioctl(unsigned long request, long argument)
{
    if (is_interface_request(request))
        return interface_ioctl(request, argument);
    return error(ENOTTY);
}

Result<void> Socket::stat(fs::Stat& out)
{
    fill_bytes(&out, 0, sizeof(out));
    out.dev = 0x8; // sockfs
    out.ino = reinterpret_cast<uptr>(this) >> 4;
    out.mode = fs::k_mode_socket | 0777;
    out.nlink = 1;
    out.blksize = k_page_size;
    return {};
}

Result<void> Socket::wait_result(sched::WaitResult result)
{
    switch (result) {
    case sched::WaitResult::Ready:
        return {};
    case sched::WaitResult::TimedOut:
        return error(EAGAIN);
    case sched::WaitResult::Interrupted:
        return error(EINTR);
    case sched::WaitResult::Deadlock:
        printk("uk: deadlock: waiting on a socket that no other thread can ever serve\n");
        return error(EDEADLK);
    }
    return error(EINVAL);
}

WaitLimit Socket::limit(i64 ticks, bool dont_wait)
{
    if (dont_wait || ticks == 0)
        return { false, 0 };
    if (ticks < 0)
        return { true, 0 };
    return { true, clock::monotonic_ns() + static_cast<u64>(ticks) * k_tick_ns };
}

Result<void> Socket::get_option(int level, int name, void* value, u32& length)
{
    if (level != k_sol_socket)
        return error(EOPNOTSUPP);
    auto flag = [&](u32 bit) { return give_int(value, length, (m_flags & bit) ? 1 : 0); };
    switch (name) {
    case k_so_debug: return flag(k_flag_debug);
    case k_so_reuseaddr: return flag(k_flag_reuse_address);
    case k_so_reuseport: return flag(k_flag_reuse_port);
    case k_so_keepalive: return flag(k_flag_keepalive);
    case k_so_broadcast: return flag(k_flag_broadcast);
    case k_so_dontroute: return flag(k_flag_dont_route);
    case k_so_oobinline: return flag(k_flag_oob_inline);
    case k_so_no_check: return flag(k_flag_no_check);
    case k_so_type: return give_int(value, length, m_type);
    case k_so_protocol: return give_int(value, length, m_protocol);
    case k_so_domain: return give_int(value, length, m_family);
    case k_so_error: return give_int(value, length, take_pending_error());
    case k_so_sndbuf: return give_int(value, length, static_cast<int>(m_send_buffer));
    case k_so_rcvbuf: return give_int(value, length, static_cast<int>(m_receive_buffer));
    case k_so_priority: return give_int(value, length, m_priority);
    case k_so_rcvlowat: return give_int(value, length, static_cast<int>(m_receive_low_water));
    case k_so_sndlowat: return give_int(value, length, 1);
    case k_so_bsdcompat: return give_int(value, length, 0);
    case k_so_acceptconn: return give_int(value, length, is_listening() ? 1 : 0);
    case k_so_linger: {
        Linger linger { (m_flags & k_flag_linger) ? 1 : 0, m_linger_seconds };
        return give(value, length, &linger, sizeof(linger));
    }
    case k_so_rcvtimeo_old:
    case k_so_rcvtimeo_new: {
        TimeoutValue t = timeout_value(m_receive_timeout);
        return give(value, length, &t, sizeof(t));
    }
    case k_so_sndtimeo_old:
    case k_so_sndtimeo_new: {
        TimeoutValue t = timeout_value(m_send_timeout);
        return give(value, length, &t, sizeof(t));
    }
    case k_so_peercred: {
        // No peer: Linux's cred_to_ucred() without credentials.
        Credentials none { 0, ~0u, ~0u };
        return give(value, length, &none, sizeof(none));
    }
    case k_so_peername: {
        SocketAddress peer;
        if (peer_address(peer).is_error())
            return error(ENOTCONN);
        // The buffer may be shorter than the address, never longer.
        if (peer.length < length)
            return error(EINVAL);
        copy_bytes(value, peer.bytes, length);
        return {};
    }
    default:
        return error(ENOPROTOOPT);
    }
}

Result<void> Socket::set_option(int level, int name, const void* value, u32 length)
{
    if (level != k_sol_socket)
        return error(EOPNOTSUPP);
    if (length < sizeof(int))
        return error(EINVAL);
    int v;
    copy_bytes(&v, value, sizeof(v));
    auto flag = [&](u32 bit) -> Result<void> {
        m_flags = v ? m_flags | bit : m_flags & ~bit;
        return {};
    };
    switch (name) {
    case k_so_debug: return flag(k_flag_debug);
    case k_so_reuseaddr: return flag(k_flag_reuse_address);
    case k_so_reuseport:
        // Only Internet sockets can share a port.
        if (v && m_family != k_af_inet && m_family != k_af_inet6)
            return error(EOPNOTSUPP);
        return flag(k_flag_reuse_port);
    case k_so_keepalive: return flag(k_flag_keepalive);
    case k_so_broadcast: return flag(k_flag_broadcast);
    case k_so_dontroute: return flag(k_flag_dont_route);
    case k_so_oobinline: return flag(k_flag_oob_inline);
    case k_so_no_check: return flag(k_flag_no_check);
    case k_so_bsdcompat: return {};
    case k_so_priority:
        // Any priority: the program runs as root (CAP_NET_ADMIN).
        m_priority = v;
        return {};
    case k_so_sndbuf:
    case k_so_sndbufforce:
        m_send_buffer = buffer_size(v, name == k_so_sndbufforce, k_min_send_buffer);
        notify_readiness(fs::k_poll_out | fs::k_poll_wrnorm);
        return {};
    case k_so_rcvbuf:
    case k_so_rcvbufforce:
        m_receive_buffer = buffer_size(v, name == k_so_rcvbufforce, k_min_receive_buffer);
        return {};
    case k_so_rcvlowat:
        m_receive_low_water = v < 0 ? 0x7fffffffu : v == 0 ? 1u : static_cast<u32>(v);
        return {};
    case k_so_linger: {
        if (length < sizeof(Linger))
            return error(EINVAL);
        Linger linger;
        copy_bytes(&linger, value, sizeof(linger));
        m_linger_seconds = linger.seconds;
        m_flags = linger.on ? m_flags | k_flag_linger : m_flags & ~k_flag_linger;
        return {};
    }
    case k_so_rcvtimeo_old:
    case k_so_rcvtimeo_new:
        m_receive_timeout = TRY(timeout_ticks(value, length));
        return {};
    case k_so_sndtimeo_old:
    case k_so_sndtimeo_new:
        m_send_timeout = TRY(timeout_ticks(value, length));
        return {};
    case k_so_type:
    case k_so_protocol:
    case k_so_domain:
    case k_so_error:
    case k_so_sndlowat:
    default:
        return error(ENOPROTOOPT);
    }
}

Result<Socket*> create_socket(int family, int type, int protocol, u32 status_flags)
{
    // __sock_create's order: the family's range, the type's range, then the family itself.
    if (family < 0 || family >= k_af_max)
        return error(EAFNOSUPPORT);
    if (type < 0 || type >= k_sock_type_max)
        return error(EINVAL);
    switch (family) {
    case k_af_unix:
        return create_unix_socket(type, protocol, status_flags);
    case k_af_inet:
    case k_af_inet6:
        return create_inet_socket(family, type, protocol, status_flags);
    case k_af_netlink:
        return create_netlink_socket(type, protocol, status_flags);
    default:
        return error(EAFNOSUPPORT);
    }
}

Result<void> create_socket_pair(int family, int type, int protocol, u32 status_flags, Socket* out[2])
{
    if (family == k_af_unix) {
        if (type < 0 || type >= k_sock_type_max)
            return error(EINVAL);
        return create_unix_socket_pair(type, protocol, status_flags, out);
    }
    // Other families create their socket (and fail as socket() fails), then refuse to pair
    // (sock_no_socketpair).
    Socket* socket = TRY(create_socket(family, type, protocol, status_flags));
    socket->unref();
    return error(EOPNOTSUPP);
}

}
