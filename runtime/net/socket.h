// SPDX-License-Identifier: MIT
// Socket: the description every kind of socket is (AF_INET/AF_INET6 over lwIP in net/inet_*,
// AF_UNIX in-guest in net/unix_*). The system-call layer (syscalls/socket.cpp) checks and copies
// the program's arguments and calls these operations; each kind implements what it supports.
// Like every description, a socket reports readiness() and calls notify_readiness() when it
// changes, so poll, select and epoll work on it without knowing what it is.
#pragma once

#include "fs/file_description.h"
#include "lib/result.h"
#include "lib/types.h"

namespace uk::net {

// Linux's sizeof(struct sockaddr_storage).
inline constexpr u32 k_max_address_length = 128;

// A socket address as the program's struct sockaddr bytes.
struct SocketAddress {
    u8 bytes[k_max_address_length];
    u32 length = 0;
};

// One piece of a message: program memory the system-call layer has already checked.
struct IoSegment {
    void* base;
    size_t length;
};

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

class Socket : public fs::FileDescription {
public:
    virtual Result<void> bind(const SocketAddress& address);
    virtual Result<void> listen(int backlog);
    // The next connection, as a new socket with one reference. `flags` may hold O_NONBLOCK
    // (SOCK_NONBLOCK); `peer` receives the peer's address when not null.
    virtual Result<Socket*> accept(u32 flags, SocketAddress* peer);
    virtual Result<void> connect(const SocketAddress& address);
    virtual Result<size_t> send(const Message& message, int flags);
    virtual Result<size_t> receive(Message& message, int flags);
    virtual Result<void> shutdown(int how);
    // getsockopt/setsockopt. `value` is runtime memory of `length` bytes (get: capacity in,
    // length out).
    virtual Result<void> get_option(int level, int name, void* value, u32& length);
    virtual Result<void> set_option(int level, int name, const void* value, u32 length);
    virtual Result<void> local_address(SocketAddress& out);
    virtual Result<void> peer_address(SocketAddress& out);

    // read() and write() are receive() and send() without flags or address.
    Result<size_t> read(void* buffer, size_t length) override;
    Result<size_t> write(const void* buffer, size_t length) override;

    int family() const { return m_family; }
    int type() const { return m_type; }
    int protocol() const { return m_protocol; }

protected:
    Socket(int family, int type, int protocol, u32 status_flags, sched::WakeSource source)
        : FileDescription(fs::DescriptionKind::Socket, status_flags | fs::k_o_rdwr, source)
        , m_family(family)
        , m_type(type)
        , m_protocol(protocol)
    {
    }

private:
    int m_family;
    int m_type;
    int m_protocol;
};

// socket(2): a new socket of `family`/`type` (SOCK_STREAM, SOCK_DGRAM, ...; the SOCK_NONBLOCK and
// SOCK_CLOEXEC bits already removed, O_NONBLOCK passed in `status_flags`). EAFNOSUPPORT,
// EPROTONOSUPPORT, ESOCKTNOSUPPORT, EPROTOTYPE as Linux gives them.
Result<Socket*> create_socket(int family, int type, int protocol, u32 status_flags);
// socketpair(2): two connected sockets (AF_UNIX only, as on Linux).
Result<void> create_socket_pair(int family, int type, int protocol, u32 status_flags, Socket* out[2]);

}
