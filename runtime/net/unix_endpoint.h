// SPDX-License-Identifier: MIT
// The inside of AF_UNIX sockets, shared by net/unix_*.cpp.
//
// A socket is two objects, as in Linux (struct socket and struct sock): the description
// (UnixSocket, what descriptors refer to) and its endpoint (UnixEndpoint: state, peer, receive
// queue), which is reference counted on its own. The split is what the semantics need: a
// connection exists before accept() gives it a description (the endpoint waits in the listener's
// queue, and the client may already send to it), and an endpoint must outlive its description
// while others still point at it (a peer reading the address of a closed socket, messages in
// flight charged to their sender's send buffer, a sender waiting for room in its queue).
// Closing the last descriptor closes the endpoint (its peer sees the end of the stream at once);
// the memory goes when the last reference does.
//
// Locking: all AF_UNIX state is reached only from system calls, never from interrupt handlers,
// and runtime code is not preempted on this single CPU, so nothing is locked today. Every entry
// point holds a UnixStateLock for its whole length; with SMP it becomes one real lock over all
// AF_UNIX state (dropped around sleeps).
#pragma once

#include "lib/intrusive_list.h"
#include "net/socket.h"
#include "net/unix_address.h"
#include "net/unix_byte_queue.h"
#include "sched/wait_queue.h"

namespace uk::fs {
struct Inode;
}

namespace uk::net {

class UnixSocket;
class UnixEndpoint;

// The one lock of AF_UNIX state, held for the length of an entry point (a no-op on one CPU: see
// above).
class UnixStateLock {
public:
    // Not trivial, so that holding one is not an unused variable.
    UnixStateLock() {}
    ~UnixStateLock() {}
    UnixStateLock(const UnixStateLock&) = delete;
    UnixStateLock& operator=(const UnixStateLock&) = delete;
};

// Linux's limits: net.unix.max_dgram_qlen and SCM_MAX_FD.
inline constexpr u32 k_max_datagram_queue = 10;
inline constexpr u32 k_max_passed_descriptors = 253;
// pid, uid and gid of the one process.
inline constexpr Credentials k_process_credentials { 1, 0, 0 };

enum class UnixState : u8 { Closed, Listening, Established };
enum ShutdownBits : u8 { k_receive_shutdown = 1, k_send_shutdown = 2, k_shutdown_both = 3 };

// Descriptions in flight (SCM_RIGHTS), one reference each.
struct PassedRights {
    u32 count;
    fs::FileDescription* items[];
};
PassedRights* allocate_rights(u32 count);
void free_rights(PassedRights* rights, bool drop_references);

// One message (datagram, or one piece of a stream) in a receive queue; its bytes are the next
// `length` bytes of the queue's ByteQueue after the messages before it.
struct UnixRecord : ListLink<> {
    size_t length = 0;
    UnixEndpoint* sender = nullptr; // Holds a reference: its send buffer is charged `charge`.
    u32 charge = 0;
    Credentials credentials {};
    PassedRights* rights = nullptr;
};

struct BoundTag;
struct PendingTag;
struct ConnectedTag;

class UnixEndpoint
    : public ListLink<BoundTag>
    , public ListLink<PendingTag>
    , public ListLink<ConnectedTag> {
public:
    explicit UnixEndpoint(int socket_type) : type(socket_type) {}

    void ref() { ++m_references; }
    void unref();

    bool is_connection_based() const { return type != k_sock_dgram; }

    // sk_err: kept in the description once there is one, so that SO_ERROR sees it.
    int pending_error() const;
    int take_error();
    void set_error(int code);

    // Readiness changed: tells the description (if any) about `events`.
    void notify(u32 events);
    // sk_write_space: tells a sender whose charged bytes went down that it may write again.
    void write_space();
    u32 send_buffer() const;
    // unix_writable: at most a quarter of the send buffer is in flight.
    bool is_writable() const { return state != UnixState::Listening && charged * 4 <= send_buffer(); }
    // unix_recvq_full: more queued messages (or connections) than the backlog allows.
    bool is_receive_queue_full() const { return queued_count > backlog; }

    // Queues a message of `length` bytes taken from `cursor`, from `sender` (sk_wmem charged with
    // `charge`). On error nothing is queued and `rights` stays the caller's.
    Result<void> enqueue(MessageCursor& cursor, size_t length, UnixEndpoint& sender, u32 charge,
        const Credentials& credentials, PassedRights* rights);
    // Takes the first message off the queue (its bytes must be consumed already, or are now).
    void drop_front();
    // The connection a listener queued first, or null.
    UnixEndpoint* take_pending();

    // Makes this endpoint the peer of `other` (a reference and a ConnectedTag link).
    void connect_to(UnixEndpoint& other);
    // Forgets the peer (dropping the reference).
    void disconnect();

    // unix_release_sock: shuts everything down, tells the peer, empties the queue; `embryo` for a
    // connection closed before accept() (its client sees ECONNRESET).
    void close(bool embryo);

    const int type;
    UnixState state = UnixState::Closed;
    u8 shutdown = 0;
    bool dead = false;
    bool pass_credentials = false;
    UnixSocket* description = nullptr;
    UnixEndpoint* peer = nullptr;
    // Endpoints whose peer is this one (to tell them when it closes or its queue drains).
    IntrusiveList<UnixEndpoint, ConnectedTag> connected_from;

    UnixAddress address;
    fs::Inode* inode = nullptr; // A path name's socket file (a reference).
    Credentials peer_credentials { 0, ~0u, ~0u };

    // The receive queue: records and their bytes; for a listener, connections not yet accepted.
    ByteQueue bytes;
    IntrusiveList<UnixRecord> records;
    IntrusiveList<UnixEndpoint, PendingTag> pending;
    u32 queued_count = 0;
    u32 backlog = k_max_datagram_queue;
    // Bytes of this endpoint's messages still queued at receivers (sk_wmem_alloc).
    u64 charged = 0;
    // Where senders and connecting sockets wait for room in this endpoint's queue, and for its
    // closing (Linux's peer_wait).
    sched::WaitQueue peer_wait;

private:
    void release_record(UnixRecord& record, bool drop_rights);

    int m_error = 0;
    u32 m_references = 1;
};

// The bound names: path names through their socket files, abstract names by their bytes.
Result<void> bind_endpoint(UnixEndpoint& endpoint, const SocketAddress& address);
// autobind: an unused abstract name.
Result<void> autobind(UnixEndpoint& endpoint);
// unix_find_other: the endpoint bound to `address` with a reference; ENOENT/ENOTDIR... for a
// path that does not resolve, ECONNREFUSED when no socket is bound there, EPROTOTYPE when the
// socket has another type.
Result<UnixEndpoint*> find_endpoint(const SocketAddress& address, int type);
void unbind_endpoint(UnixEndpoint& endpoint);

// The description.
class UnixSocket final : public Socket {
public:
    UnixSocket(UnixEndpoint& endpoint, int type, u32 status_flags)
        : Socket(k_af_unix, type, 0, status_flags, sched::WakeSource::ProgramThreads)
        , m_endpoint(endpoint)
    {
        endpoint.description = this;
    }

    Result<void> bind(const SocketAddress& address) override;
    Result<void> listen(int backlog) override;
    Result<Socket*> accept(u32 flags, SocketAddress* peer) override;
    Result<void> connect(const SocketAddress& address) override;
    Result<size_t> send(const Message& message, int flags) override;
    Result<size_t> receive(Message& message, int flags) override;
    Result<void> shutdown(int how) override;
    Result<void> get_option(int level, int name, void* value, u32& length) override;
    Result<void> set_option(int level, int name, const void* value, u32 length) override;
    Result<void> local_address(SocketAddress& out) override;
    Result<void> peer_address(SocketAddress& out) override;
    bool is_listening() const override { return m_endpoint.state == UnixState::Listening; }
    u32 readiness() override;
    Result<long> ioctl(unsigned long request, long argument) override;

    UnixEndpoint& endpoint() { return m_endpoint; }

protected:
    void release() override;

private:
    Result<void> connect_stream(const SocketAddress& address);
    Result<void> connect_datagram(const SocketAddress& address);
    Result<size_t> send_stream(const Message& message, int flags);
    Result<size_t> send_datagram(const Message& message, int flags);
    Result<size_t> receive_stream(Message& message, int flags);
    Result<size_t> receive_datagram(Message& message, int flags);

    UnixEndpoint& m_endpoint;
};

// A new description for `endpoint` (taking over one reference to it); null when out of memory.
UnixSocket* make_unix_socket(UnixEndpoint& endpoint, u32 status_flags);

}
