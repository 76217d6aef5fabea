// SPDX-License-Identifier: MIT
// Sending and receiving on AF_UNIX sockets (unix_stream_sendmsg, unix_dgram_sendmsg,
// unix_stream_read_generic, unix_dgram_recvmsg), with their control messages: SCM_RIGHTS passes
// descriptions (the one descriptor table gets new descriptors for the same descriptions, as a
// second process would), SCM_CREDENTIALS the sender's pid, uid and gid.
//
// Send-buffer accounting follows Linux's: every message is charged its sk_buff's true size, a
// sender waits while its charge reaches SO_SNDBUF and counts as writable again at a quarter of
// it, so the amounts a non-blocking writer gets in, and when EPOLLOUT comes back, match Linux.
#include "fs/fd_table.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "net/unix_control.h"
#include "net/unix_endpoint.h"
#include "sched/thread.h"

namespace uk::net {

namespace {

// What the payload of an sk_buff costs: SKB_TRUESIZE of a kmalloc'd head of the next power of two
// (with skb_shared_info), or of a page-sized head plus page fragments for bigger ones.
u32 true_size(size_t length)
{
    constexpr size_t k_sk_buff = 256, k_shared_info = 320, k_max_head = k_page_size - k_shared_info;
    if (length <= k_max_head) {
        size_t head = 512;
        while (head < length + k_shared_info)
            head *= 2;
        return static_cast<u32>(k_sk_buff + head);
    }
    return static_cast<u32>(k_sk_buff + k_page_size + align_up(length - k_max_head, k_page_size));
}

// unix_stream_sendmsg cuts a write into messages of at most half the send buffer, and at most
// one page-sized head plus 32 KiB of fragments.
constexpr size_t k_stream_piece_max = (k_page_size - 320) + 32768;

bool same_credentials(const Credentials& a, const Credentials& b)
{
    return a.pid == b.pid && a.uid == b.uid && a.gid == b.gid;
}

// What a send's control messages carry (scm_send).
struct Outgoing {
    PassedRights* rights = nullptr;
    Credentials credentials = k_process_credentials;

    Outgoing() = default;
    Outgoing(const Outgoing&) = delete;
    Outgoing& operator=(const Outgoing&) = delete;
    ~Outgoing() { free_rights(rights, true); }
    // The rights went into a queued message.
    PassedRights* hand_over()
    {
        PassedRights* r = rights;
        rights = nullptr;
        return r;
    }
};

// __scm_send: SCM_RIGHTS takes a reference on each description (EBADF for a descriptor that is
// not open, EINVAL past SCM_MAX_FD in all), SCM_CREDENTIALS must name a live process (ESRCH) and
// valid ids; other SOL_SOCKET types are EINVAL, other levels are ignored.
Result<void> parse_outgoing(const Message& message, Outgoing& out)
{
    if (!message.control || message.control_length == 0)
        return {};
    fs::FileDescription* collected[k_max_passed_descriptors];
    u32 count = 0;
    auto parsed = for_each_control_message(message.control, message.control_length,
        [&](const ControlHeader& header, const u8* data, size_t length) -> Result<void> {
            if (header.level != k_sol_socket)
                return {};
            switch (header.type) {
            case k_scm_rights: {
                size_t n = length / sizeof(int);
                if (n == 0)
                    return {};
                if (n > k_max_passed_descriptors || count + n > k_max_passed_descriptors)
                    return error(EINVAL);
                for (size_t i = 0; i < n; ++i) {
                    int fd;
                    copy_bytes(&fd, data + i * sizeof(int), sizeof(fd));
                    if (fd < 0)
                        return error(EBADF);
                    collected[count] = TRY(fs::get(fd));
                    ++count;
                }
                return {};
            }
            case k_scm_credentials: {
                if (header.length != control_length(sizeof(Credentials)))
                    return error(EINVAL);
                Credentials credentials;
                copy_bytes(&credentials, data, sizeof(credentials));
                // The program runs as root, so it may claim any live pid and any ids.
                if (credentials.pid <= 0 || !sched::find_thread(credentials.pid))
                    return error(ESRCH);
                if (credentials.uid == ~0u || credentials.gid == ~0u)
                    return error(EINVAL);
                out.credentials = credentials;
                return {};
            }
            default:
                return error(EINVAL);
            }
        });
    if (!parsed.is_error() && count) {
        out.rights = allocate_rights(count);
        if (!out.rights)
            parsed = error(ENOMEM);
    }
    if (parsed.is_error()) {
        for (u32 i = 0; i < count; ++i)
            collected[i]->unref();
        return parsed;
    }
    if (count) {
        out.rights->count = count;
        for (u32 i = 0; i < count; ++i)
            out.rights->items[i] = collected[i];
    }
    return {};
}

// Copies `length` queued bytes that start `offset` bytes into the queue into the message.
void copy_to_message(const ByteQueue& bytes, size_t offset, MessageCursor& cursor, size_t length)
{
    for (size_t done = 0; done < length;) {
        IoSegment piece = cursor.take(length - done);
        bytes.copy_out(offset + done, piece.base, piece.length);
        done += piece.length;
    }
}

void copy_sender_address(Message& message, const UnixEndpoint* sender)
{
    // unix_copy_addr: an unnamed sender leaves the length at 0.
    if (!message.address || !sender || !sender->address.is_named())
        return;
    SocketAddress address;
    sender->address.to_socket_address(address);
    u32 n = address.length < message.address_capacity ? address.length : message.address_capacity;
    copy_bytes(message.address, address.bytes, n);
    message.address_length = address.length;
}

PassedRights* duplicate_rights(const PassedRights& rights)
{
    PassedRights* copy = allocate_rights(rights.count);
    if (!copy)
        return nullptr;
    copy->count = rights.count;
    for (u32 i = 0; i < rights.count; ++i) {
        copy->items[i] = rights.items[i];
        copy->items[i]->ref();
    }
    return copy;
}

// scm_recv: credentials when SO_PASSCRED is on, then the passed descriptions as new descriptors
// (as many as fit; MSG_CTRUNC when some are dropped). Takes over `rights`.
void deliver_control(Message& message, bool pass_credentials, const Credentials& credentials,
    PassedRights* rights, int flags)
{
    ControlWriter writer(message.control, message.control_capacity);
    if (!writer.has_buffer()) {
        if (pass_credentials || rights)
            message.result_flags |= k_msg_ctrunc;
        free_rights(rights, true);
        message.control_length = 0;
        return;
    }
    if (pass_credentials)
        writer.put(k_sol_socket, k_scm_credentials, &credentials, sizeof(credentials));
    if (rights) {
        u32 offered = rights->count;
        size_t capacity = writer.rights_capacity();
        u32 fit = capacity < rights->count ? static_cast<u32>(capacity) : rights->count;
        u32 installed = 0;
        u32 handled = 0;
        u32 fd_flags = (flags & k_msg_cmsg_cloexec) ? fs::k_fd_cloexec : 0;
        while (handled < fit) {
            // install() takes over the reference, or drops it when the table is full.
            auto fd = fs::install(rights->items[handled], fd_flags);
            ++handled;
            if (fd.is_error())
                break;
            int number = fd.value();
            copy_bytes(writer.rights_data() + installed * sizeof(int), &number, sizeof(number));
            ++installed;
        }
        for (u32 i = handled; i < offered; ++i)
            rights->items[i]->unref();
        free_rights(rights, false);
        writer.finish_rights(installed, offered);
    }
    message.control_length = writer.used();
    if (writer.is_truncated())
        message.result_flags |= k_msg_ctrunc;
}

} // namespace

Result<size_t> UnixSocket::send(const Message& message, int flags)
{
    UnixStateLock lock;
    if (type() == k_sock_stream)
        return send_stream(message, flags);
    return send_datagram(message, flags);
}

Result<size_t> UnixSocket::receive(Message& message, int flags)
{
    UnixStateLock lock;
    if (type() == k_sock_stream)
        return receive_stream(message, flags);
    return receive_datagram(message, flags);
}

Result<size_t> UnixSocket::send_stream(const Message& message, int flags)
{
    UnixEndpoint& self = m_endpoint;
    Outgoing control;
    TRY(parse_outgoing(message, control));
    if (flags & k_msg_oob)
        return error(EOPNOTSUPP);
    if (message.address_length)
        return error(self.state == UnixState::Established ? EISCONN : EOPNOTSUPP);
    if (!self.peer)
        return error(ENOTCONN);
    if (self.shutdown & k_send_shutdown)
        return error(EPIPE);
    UnixEndpoint& other = *self.peer;
    other.ref();
    MessageCursor cursor(message);
    size_t total = cursor.remaining();
    size_t sent = 0;
    WaitLimit limit = send_limit(flags & k_msg_dontwait);
    Result<size_t> failure = static_cast<size_t>(0);
    while (sent < total) {
        size_t size = total - sent;
        size_t piece_max = send_buffer_size() / 2 - 64;
        if (piece_max > k_stream_piece_max)
            piece_max = k_stream_piece_max;
        if (size > piece_max)
            size = piece_max;
        // sock_alloc_send_pskb: room in the send buffer, unless an error or a shutdown comes first.
        auto waited = wait_for(limit, [&] {
            return self.pending_error() || (self.shutdown & k_send_shutdown) || self.charged < send_buffer_size();
        });
        if (waited.is_error()) {
            failure = error(waited.error_code());
            break;
        }
        if (int code = self.take_error()) {
            failure = error(code);
            break;
        }
        if ((self.shutdown & k_send_shutdown) || other.dead || (other.shutdown & k_receive_shutdown)) {
            failure = error(EPIPE);
            break;
        }
        // Descriptors travel with the first piece only.
        auto queued = other.enqueue(cursor, size, self, true_size(size), control.credentials,
            sent == 0 ? control.rights : nullptr);
        if (queued.is_error()) {
            failure = error(queued.error_code());
            break;
        }
        if (sent == 0)
            control.hand_over();
        sent += size;
    }
    other.unref();
    if (sent)
        return sent;
    return failure;
}

Result<size_t> UnixSocket::send_datagram(const Message& message, int flags)
{
    UnixEndpoint& self = m_endpoint;
    bool seqpacket = type() == k_sock_seqpacket;
    if (seqpacket) {
        // unix_seqpacket_sendmsg: a pending error, then the connection; an address is ignored.
        if (int code = self.take_error())
            return error(code);
        if (self.state != UnixState::Established)
            return error(ENOTCONN);
    }
    bool addressed = !seqpacket && message.address_length;
    SocketAddress destination;
    if (addressed) {
        destination.length = message.address_length;
        copy_bytes(destination.bytes, message.address, message.address_length);
    }
    Outgoing control;
    TRY(parse_outgoing(message, control));
    if (flags & k_msg_oob)
        return error(EOPNOTSUPP);
    if (addressed)
        TRY(validate_unix_address(destination));
    if (self.pass_credentials && !self.address.is_named())
        TRY(autobind(self));
    MessageCursor cursor(message);
    size_t length = cursor.remaining();
    if (length > send_buffer_size() - 32)
        return error(EMSGSIZE);
    WaitLimit limit = send_limit(flags & k_msg_dontwait);
    TRY(wait_for(limit, [&] {
        return self.pending_error() || (self.shutdown & k_send_shutdown) || self.charged < send_buffer_size();
    }));
    if (int code = self.take_error())
        return error(code);
    if (self.shutdown & k_send_shutdown)
        return error(EPIPE);

    UnixEndpoint* other;
    if (addressed) {
        other = TRY(find_endpoint(destination, type()));
    } else {
        if (!self.peer)
            return error(ENOTCONN);
        other = self.peer;
        other->ref();
    }
    int failure = 0;
    for (;;) {
        if (other->peer && other->peer != &self) {
            failure = EPERM;
            break;
        }
        if (other->dead) {
            if (seqpacket) {
                failure = EPIPE;
            } else {
                // The socket this one is connected to closed: the connection ends here.
                if (self.peer == other) {
                    self.disconnect();
                    self.state = UnixState::Closed;
                    while (!self.records.empty())
                        self.drop_front();
                }
                failure = ECONNREFUSED;
            }
            break;
        }
        if (other->shutdown & k_receive_shutdown) {
            failure = EPIPE;
            break;
        }
        if (other != &self && other->peer != &self && other->is_receive_queue_full()) {
            if (!limit.may_wait) {
                failure = EAGAIN;
                break;
            }
            auto waited = other->peer_wait.wait_until(
                [&] { return other->dead || !other->is_receive_queue_full(); }, limit.deadline_ns);
            if (waited == sched::WaitResult::TimedOut) {
                limit.may_wait = false;
                continue;
            }
            auto result = wait_result(waited);
            if (result.is_error()) {
                failure = result.error_code();
                break;
            }
            continue;
        }
        auto queued = other->enqueue(cursor, length, self, true_size(length), control.credentials, control.rights);
        if (queued.is_error()) {
            failure = queued.error_code();
            break;
        }
        control.hand_over();
        break;
    }
    other->unref();
    if (failure)
        return error(failure);
    return length;
}

Result<size_t> UnixSocket::receive_stream(Message& message, int flags)
{
    UnixEndpoint& self = m_endpoint;
    if (self.state != UnixState::Established)
        return error(EINVAL);
    // Out-of-band data is not supported: there never is any to read.
    if (flags & k_msg_oob)
        return error(EINVAL);
    MessageCursor cursor(message);
    size_t size = cursor.remaining();
    // sock_rcvlowat: MSG_WAITALL waits for everything, otherwise for SO_RCVLOWAT bytes.
    size_t target = (flags & k_msg_waitall) ? size : (receive_low_water() < size ? receive_low_water() : size);
    if (target == 0)
        target = 1;
    WaitLimit limit = receive_limit(flags & k_msg_dontwait);
    bool peek = flags & k_msg_peek;
    size_t copied = 0;
    int failure = 0;
    bool check_credentials = false;
    Credentials credentials {};
    PassedRights* rights = nullptr;
    do {
        UnixRecord* record = self.records.front();
        size_t offset = 0; // Of `record`'s bytes in the queue (peeking walks past records).
        if (!record) {
            if (copied >= target)
                break;
            if (int code = self.take_error()) {
                failure = code;
                break;
            }
            if (self.shutdown & k_receive_shutdown)
                break;
            auto waited = wait_for(limit, [&] {
                return !self.records.empty() || self.pending_error() || (self.shutdown & k_receive_shutdown);
            });
            if (waited.is_error()) {
                if (waited.error_code() == EAGAIN && limit.may_wait) {
                    // The timeout passed: look once more, then give up.
                    limit.may_wait = false;
                    continue;
                }
                failure = waited.error_code();
                if (failure != EAGAIN) {
                    // Interrupted: Linux drops what the read collected from control messages.
                    free_rights(rights, true);
                    return copied ? Result<size_t>(copied) : error(failure);
                }
                break;
            }
            continue;
        }
        bool stop = false;
        while (record) {
            // Never glue together messages from writers with different credentials.
            if (check_credentials) {
                if (!same_credentials(record->credentials, credentials)) {
                    stop = true;
                    break;
                }
            } else if (self.pass_credentials) {
                credentials = record->credentials;
                check_credentials = true;
            }
            copy_sender_address(message, record->sender);
            size_t chunk = record->length < size ? record->length : size;
            copy_to_message(self.bytes, offset, cursor, chunk);
            copied += chunk;
            size -= chunk;
            if (!peek) {
                self.bytes.consume(chunk);
                record->length -= chunk;
                if (record->rights && !rights) {
                    rights = record->rights;
                    record->rights = nullptr;
                }
                if (record->length) {
                    stop = true;
                    break;
                }
                self.drop_front();
                if (rights)
                    stop = true;
                break;
            }
            if (record->rights) {
                if (!rights)
                    rights = duplicate_rights(*record->rights);
                stop = true;
                break;
            }
            offset += record->length;
            record = self.records.next(*record);
            if (!record || size == 0) {
                stop = true;
                break;
            }
        }
        if (stop)
            break;
    } while (size);
    deliver_control(message, self.pass_credentials, credentials, rights, flags);
    if (copied)
        return copied;
    if (failure)
        return error(failure);
    return static_cast<size_t>(0);
}

Result<size_t> UnixSocket::receive_datagram(Message& message, int flags)
{
    UnixEndpoint& self = m_endpoint;
    bool seqpacket = type() == k_sock_seqpacket;
    if (seqpacket && self.state != UnixState::Established)
        return error(ENOTCONN);
    if (flags & k_msg_oob)
        return error(EOPNOTSUPP);
    WaitLimit limit = receive_limit(flags & k_msg_dontwait);
    UnixRecord* record;
    for (;;) {
        if (int code = self.take_error())
            return error(code);
        record = self.records.front();
        if (record)
            break;
        if (!limit.may_wait) {
            // A non-blocking read of a seqpacket socket whose peer is gone sees the end.
            if (seqpacket && (self.shutdown & k_receive_shutdown))
                return static_cast<size_t>(0);
            return error(EAGAIN);
        }
        // __skb_wait_for_more_packets: a shut-down queue is the end, a connection-based socket
        // that is not connected is ENOTCONN.
        if (self.shutdown & k_receive_shutdown)
            return static_cast<size_t>(0);
        if (seqpacket && self.state != UnixState::Established && self.state != UnixState::Listening)
            return error(ENOTCONN);
        auto waited = wait_for(limit, [&] {
            return !self.records.empty() || self.pending_error() || (self.shutdown & k_receive_shutdown)
                || (seqpacket && self.state != UnixState::Established);
        });
        if (waited.is_error()) {
            if (waited.error_code() == EAGAIN && limit.may_wait) {
                limit.may_wait = false;
                continue;
            }
            return error(waited.error_code());
        }
    }
    copy_sender_address(message, record->sender);
    MessageCursor cursor(message);
    size_t size = cursor.remaining();
    size_t full = record->length;
    if (size > full)
        size = full;
    else if (size < full)
        message.result_flags |= k_msg_trunc;
    copy_to_message(self.bytes, 0, cursor, size);
    Credentials credentials = record->credentials;
    PassedRights* rights;
    if (flags & k_msg_peek) {
        rights = record->rights ? duplicate_rights(*record->rights) : nullptr;
    } else {
        rights = record->rights;
        record->rights = nullptr;
        self.drop_front();
    }
    deliver_control(message, self.pass_credentials, credentials, rights, flags);
    return (flags & k_msg_trunc) ? full : size;
}

}
