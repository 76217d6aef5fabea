// SPDX-License-Identifier: MIT
// Socket: the description every kind of socket is (AF_INET/AF_INET6 over lwIP in net/inet_*,
// AF_UNIX in-guest in net/unix_*). The system-call layer (syscalls/socket.cpp) checks and copies
// the program's arguments and calls these operations; each kind implements what it supports.
// Like every description, a socket reports readiness() and calls notify_readiness() when it
// changes, so poll, select and epoll work on it without knowing what it is.
//
// The SOL_SOCKET options every socket shares (SO_TYPE, SO_ERROR, the timeouts, the buffer sizes,
// the flags that are only stored) live here, in the base class; a kind overrides get_option and
// set_option for its own levels and names and passes the rest on to Socket's.
#pragma once

#include "fs/file_description.h"
#include "lib/result.h"
#include "lib/types.h"

namespace uk::net {

// Linux's sizeof(struct sockaddr_storage).
inline constexpr u32 k_max_address_length = 128;

// Address families, socket types and their flags (Linux x86_64 values).
enum AddressFamily : int {
    k_af_unspec = 0,
    k_af_unix = 1,
    k_af_inet = 2,
    k_af_inet6 = 10,
    k_af_max = 46, // AF_MAX: families at or above it are EAFNOSUPPORT.
};
enum SocketType : int {
    k_sock_stream = 1,
    k_sock_dgram = 2,
    k_sock_raw = 3,
    k_sock_rdm = 4,
    k_sock_seqpacket = 5,
    k_sock_packet = 10,
    k_sock_type_max = 11, // SOCK_MAX: types at or above it are EINVAL.
};
inline constexpr int k_sock_type_mask = 0xf;
inline constexpr int k_sock_nonblock = 04000;    // O_NONBLOCK
inline constexpr int k_sock_cloexec = 02000000;  // O_CLOEXEC

// send/recv flags.
enum MessageFlags : int {
    k_msg_oob = 0x1,
    k_msg_peek = 0x2,
    k_msg_dontroute = 0x4,
    k_msg_ctrunc = 0x8,
    k_msg_trunc = 0x20,
    k_msg_dontwait = 0x40,
    k_msg_eor = 0x80,
    k_msg_waitall = 0x100,
    k_msg_errqueue = 0x2000,
    k_msg_nosignal = 0x4000,
    k_msg_more = 0x8000,
    k_msg_waitforone = 0x10000,
    k_msg_cmsg_cloexec = 0x40000000,
    k_msg_cmsg_compat = static_cast<int>(0x80000000u),
};

// shutdown(2).
enum ShutdownHow : int { k_shut_rd = 0, k_shut_wr = 1, k_shut_rdwr = 2 };

inline constexpr int k_sol_socket = 1;
// SOL_SOCKET option names.
enum SocketOption : int {
    k_so_debug = 1,
    k_so_reuseaddr = 2,
    k_so_type = 3,
    k_so_error = 4,
    k_so_dontroute = 5,
    k_so_broadcast = 6,
    k_so_sndbuf = 7,
    k_so_rcvbuf = 8,
    k_so_keepalive = 9,
    k_so_oobinline = 10,
    k_so_no_check = 11,
    k_so_priority = 12,
    k_so_linger = 13,
    k_so_bsdcompat = 14,
    k_so_reuseport = 15,
    k_so_passcred = 16,
    k_so_peercred = 17,
    k_so_rcvlowat = 18,
    k_so_sndlowat = 19,
    k_so_rcvtimeo_old = 20,
    k_so_sndtimeo_old = 21,
    k_so_peername = 28,
    k_so_acceptconn = 30,
    k_so_sndbufforce = 32,
    k_so_rcvbufforce = 33,
    k_so_protocol = 38,
    k_so_domain = 39,
    k_so_rcvtimeo_new = 66,
    k_so_sndtimeo_new = 67,
};
// SOL_SOCKET control-message types.
enum ControlType : int { k_scm_rights = 1, k_scm_credentials = 2 };

// Linux's defaults: net.core.wmem_default and rmem_default, and the largest values an
// unprivileged SO_SNDBUF/SO_RCVBUF may ask for (wmem_max, rmem_max).
inline constexpr u32 k_default_buffer_size = 212992;
inline constexpr u32 k_max_buffer_size = 212992;
// SOCK_MIN_SNDBUF and SOCK_MIN_RCVBUF: what the buffer sizes are raised to at least.
inline constexpr u32 k_min_send_buffer = 4608;
inline constexpr u32 k_min_receive_buffer = 2304;
// Linux caps one transfer at 2 GiB minus a page (MAX_RW_COUNT), so that the count fits an int.
inline constexpr size_t k_max_transfer = 0x7ffff000;

// struct ucred.
struct Credentials {
    i32 pid;
    u32 uid;
    u32 gid;
};
static_assert(sizeof(Credentials) == 12);

// A socket address as the program's struct sockaddr bytes.
struct SocketAddress {
    u8 bytes[k_max_address_length];
    u32 length = 0;
};

// One piece of a message: program memory the system-call layer has already checked. The layout
// is struct iovec's, so that the system-call layer can hand a program's checked iovec array on.
struct IoSegment {
    void* base;
    size_t length;
};
static_assert(sizeof(IoSegment) == 16);

// A message to send or receive (struct msghdr, with program memory already checked).
struct Message {
    const IoSegment* segments = nullptr;
    size_t segment_count = 0;
    // Destination (send) or source (receive) address; null when the caller gave none. On receive
    // `address_length` is set to the full length of the address (it may exceed the buffer).
    u8* address = nullptr;
    u32 address_capacity = 0;
    u32 address_length = 0;
    // Ancillary data (SCM_RIGHTS for AF_UNIX, ...); on receive `control_length` is set to what
    // was written.
    u8* control = nullptr;
    size_t control_capacity = 0;
    size_t control_length = 0;
    // MSG_TRUNC, MSG_CTRUNC, MSG_EOR... reported by a receive.
    int result_flags = 0;
};

// Walks a message's segments as one sequence of bytes, at most k_max_transfer of them (the
// program's total is cut there, as Linux cuts it).
class MessageCursor {
public:
    explicit MessageCursor(const Message& message);
    // The next contiguous piece of at most `limit` bytes (length 0 at the end); advances past it.
    IoSegment take(size_t limit);
    size_t remaining() const { return m_remaining; }

private:
    const IoSegment* m_segment;
    const IoSegment* m_end;
    size_t m_offset = 0;
    size_t m_remaining = 0;
};

// Where a blocking operation may wait: not at all (MSG_DONTWAIT, O_NONBLOCK, a timeout set to a
// negative time), for ever, or until a monotonic deadline (SO_RCVTIMEO, SO_SNDTIMEO).
struct WaitLimit {
    bool may_wait;
    u64 deadline_ns; // 0: no deadline.
};

class Socket : public fs::FileDescription {
public:
    virtual Result<void> bind(const SocketAddress& address);
    virtual Result<void> listen(int backlog);
    // The next connection, as a new socket with one reference. `flags` may hold O_NONBLOCK
    // (SOCK_NONBLOCK); `peer` receives the peer's address when not null.
    virtual Result<Socket*> accept(u32 flags, SocketAddress* peer);
    virtual Result<void> connect(const SocketAddress& address);
    // `flags` holds MSG_DONTWAIT whenever the description is non-blocking.
    virtual Result<size_t> send(const Message& message, int flags);
    virtual Result<size_t> receive(Message& message, int flags);
    virtual Result<void> shutdown(int how);
    // getsockopt/setsockopt. `value` is runtime memory of `length` bytes (get: capacity in,
    // length out). Socket's own handle SOL_SOCKET's shared options and answer EOPNOTSUPP for
    // other levels (Linux's answer for a socket without options at that level).
    virtual Result<void> get_option(int level, int name, void* value, u32& length);
    virtual Result<void> set_option(int level, int name, const void* value, u32 length);
    virtual Result<void> local_address(SocketAddress& out);
    virtual Result<void> peer_address(SocketAddress& out);
    // Whether listen() made this a listening socket (SO_ACCEPTCONN).
    virtual bool is_listening() const { return false; }

    // read() and write() are receive() and send() without flags or address; a write that breaks
    // a stream raises SIGPIPE, as send() without MSG_NOSIGNAL does. readv() and writev() are the
    // same over several pieces at once (one datagram for all of them).
    Result<size_t> read(void* buffer, size_t length) override;
    Result<size_t> write(const void* buffer, size_t length) override;
    Result<size_t> read_segments(const IoSegment* segments, size_t count);
    Result<size_t> write_segments(const IoSegment* segments, size_t count);
    // send() as the system calls make it: EPIPE on a stream (TCP, AF_UNIX SOCK_STREAM; not on
    // datagram or seqpacket sockets, as on Linux) raises SIGPIPE unless `flags` has MSG_NOSIGNAL.
    Result<size_t> send_message(const Message& message, int flags);
    // fstat: a socket inode of sockfs (S_IFSOCK, mode 0777).
    Result<void> stat(fs::Stat& out) override;
    // Requests Linux answers the same for every family: the network-interface ones, SIOCGIF*
    // (net/interfaces.h; musl's if_nametoindex sends them on an AF_UNIX socket). A kind handles
    // its own (FIONREAD, SIOCOUTQ) and passes the rest on; ENOTTY for anything else.
    Result<long> ioctl(unsigned long request, long argument) override;

    int family() const { return m_family; }
    int type() const { return m_type; }
    int protocol() const { return m_protocol; }

    // SO_ERROR's pending error (a positive errno, 0 if none), cleared by taking it: Linux's
    // sock_error(). Kinds record asynchronous errors with set_pending_error(). Atomic, as Linux's
    // sk_err: readiness() reads it without locks, recvmmsg sets it outside the kind's lock.
    int take_pending_error() { return __atomic_exchange_n(&m_pending_error, 0, __ATOMIC_RELAXED); }
    int pending_error() const { return __atomic_load_n(&m_pending_error, __ATOMIC_RELAXED); }
    void set_pending_error(int code) { __atomic_store_n(&m_pending_error, code, __ATOMIC_RELAXED); }

    u32 send_buffer_size() const { return m_send_buffer; }
    u32 receive_buffer_size() const { return m_receive_buffer; }
    u32 receive_low_water() const { return m_receive_low_water; }
    // How long receive() and accept() (SO_RCVTIMEO), send() and connect() (SO_SNDTIMEO) may
    // wait; `dont_wait` is MSG_DONTWAIT or a non-blocking description.
    WaitLimit receive_limit(bool dont_wait) const { return limit(m_receive_timeout, dont_wait); }
    WaitLimit send_limit(bool dont_wait) const { return limit(m_send_timeout, dont_wait); }

protected:
    Socket(int family, int type, int protocol, u32 status_flags, sched::WakeSource source)
        : FileDescription(fs::DescriptionKind::Socket, status_flags | fs::k_o_rdwr, source)
        , m_family(family)
        , m_type(type)
        , m_protocol(protocol)
    {
    }

    // Sleeps on the readiness queue until `ready()` holds (checked first), within `limit`:
    // EAGAIN when it may not wait or the deadline passes, EINTR for a signal, EDEADLK when no
    // other thread could ever make it true. The caller re-reads its state afterwards.
    template<typename Ready>
    Result<void> wait_for(const WaitLimit& limit, Ready&& ready)
    {
        if (ready())
            return {};
        if (!limit.may_wait)
            return error(EAGAIN);
        return wait_result(readiness_queue().wait_until(ready, limit.deadline_ns));
    }
    static Result<void> wait_result(sched::WaitResult result);

private:
    // A timeout in Linux's jiffies at HZ=250 (Debian's), so that what getsockopt reads back is
    // what Linux reads back: -1 waits for ever, 0 does not wait.
    static WaitLimit limit(i64 ticks, bool dont_wait);

    int m_family;
    int m_type;
    int m_protocol;
    int m_pending_error = 0;
    i64 m_receive_timeout = -1;
    i64 m_send_timeout = -1;
    u32 m_send_buffer = k_default_buffer_size;
    u32 m_receive_buffer = k_default_buffer_size;
    u32 m_receive_low_water = 1;
    i32 m_priority = 0;
    i32 m_linger_seconds = 0;
    // Options that are only stored and read back (SO_REUSEADDR, SO_KEEPALIVE, ...).
    u32 m_flags = 0;
};

// socket(2): a new socket of `family`/`type` (SOCK_STREAM, SOCK_DGRAM, ...; the SOCK_NONBLOCK and
// SOCK_CLOEXEC bits already removed, O_NONBLOCK passed in `status_flags`). EAFNOSUPPORT,
// EPROTONOSUPPORT, ESOCKTNOSUPPORT, EPROTOTYPE as Linux gives them.
Result<Socket*> create_socket(int family, int type, int protocol, u32 status_flags);
// socketpair(2): two connected sockets (AF_UNIX only, as on Linux).
Result<void> create_socket_pair(int family, int type, int protocol, u32 status_flags, Socket* out[2]);

// The socket behind a description, or null when it is no socket (ENOTSOCK).
inline Socket* as_socket(fs::FileDescription& description)
{
    return description.kind() == fs::DescriptionKind::Socket ? static_cast<Socket*>(&description) : nullptr;
}

}
