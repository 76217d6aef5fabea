// SPDX-License-Identifier: MIT
// AF_UNIX endpoints: lifetime, the receive queue, connecting and closing (unix_release_sock), and
// the names endpoints are bound to.
#include "net/unix_endpoint.h"

#include "fs/file_description.h"
#include "fs/inode.h"
#include "fs/vfs.h"
#include "lib/string.h"
#include "lib/verify.h"
#include "mm/kmalloc.h"

namespace uk::net {

namespace {

constexpr u32 k_data_ready = fs::k_poll_in | fs::k_poll_rdnorm | fs::k_poll_pri;

IntrusiveList<UnixEndpoint, BoundTag> g_bound;
u32 g_next_autobind;

// Abstract names are per socket type on Linux (the type is part of their hash): a stream and a
// datagram socket may hold the same one, and each type finds only its own.
UnixEndpoint* find_bound(const UnixAddress& address, int type)
{
    return g_bound.find_first([&](UnixEndpoint& e) { return e.type == type && e.address.equals(address); });
}

UnixEndpoint* find_bound(const fs::Inode& inode)
{
    return g_bound.find_first([&](UnixEndpoint& e) { return e.inode == &inode; });
}

} // namespace

PassedRights* allocate_rights(u32 count)
{
    size_t size = sizeof(PassedRights) + count * sizeof(fs::FileDescription*);
    // 253 descriptors need a little more than the largest kmalloc block.
    void* memory = size <= 2016 ? kmalloc(size) : allocate_page();
    return static_cast<PassedRights*>(memory);
}

void free_rights(PassedRights* rights, bool drop_references)
{
    if (!rights)
        return;
    u32 count = rights->count;
    if (drop_references)
        for (u32 i = 0; i < count; ++i)
            rights->items[i]->unref();
    if (sizeof(PassedRights) + count * sizeof(fs::FileDescription*) <= 2016)
        kfree(rights);
    else
        free_page(rights);
}

void UnixEndpoint::unref()
{
    VERIFY(m_references > 0);
    if (--m_references)
        return;
    VERIFY(!peer && records.empty() && pending.empty() && !inode);
    destroy(this);
}

int UnixEndpoint::pending_error() const { return description ? description->pending_error() : m_error; }

int UnixEndpoint::take_error()
{
    if (description)
        return description->take_pending_error();
    int code = m_error;
    m_error = 0;
    return code;
}

void UnixEndpoint::set_error(int code)
{
    if (description)
        description->set_pending_error(code);
    else
        m_error = code;
}

void UnixEndpoint::notify(u32 events)
{
    if (description)
        description->notify_readiness(events);
}

void UnixEndpoint::write_space()
{
    if (is_writable())
        notify(fs::k_poll_out | fs::k_poll_wrnorm);
}

u32 UnixEndpoint::send_buffer() const { return description ? description->send_buffer_size() : k_default_buffer_size; }

Result<void> UnixEndpoint::enqueue(MessageCursor& cursor, size_t length, UnixEndpoint& sender, u32 charge,
    const Credentials& credentials, PassedRights* rights)
{
    auto* record = make<UnixRecord>();
    if (!record)
        return error(ENOBUFS);
    if (bytes.reserve(length).is_error()) {
        destroy(record);
        return error(ENOBUFS);
    }
    for (size_t done = 0; done < length;) {
        IoSegment piece = cursor.take(length - done);
        VERIFY(piece.length);
        bytes.append(piece.base, piece.length);
        done += piece.length;
    }
    record->length = length;
    record->sender = &sender;
    record->charge = charge;
    record->credentials = credentials;
    record->rights = rights;
    sender.ref();
    sender.charged += charge;
    records.push_back(*record);
    ++queued_count;
    notify(k_data_ready);
    return {};
}

void UnixEndpoint::release_record(UnixRecord& record, bool drop_rights)
{
    free_rights(record.rights, drop_rights);
    if (UnixEndpoint* sender = record.sender) {
        sender->charged -= record.charge;
        sender->write_space();
        sender->unref();
    }
    destroy(&record);
}

void UnixEndpoint::drop_front()
{
    UnixRecord* record = records.pop_front();
    VERIFY(record);
    bytes.consume(record->length);
    bool was_full = is_receive_queue_full();
    --queued_count;
    // Senders waiting for room here, and connected datagram sockets whose writability depended on
    // it (unix_dgram_peer_wake_relay), hear that it drained.
    peer_wait.wake_all();
    if (was_full && !is_receive_queue_full())
        connected_from.for_each([](UnixEndpoint& e) { e.notify(fs::k_poll_out | fs::k_poll_wrnorm); });
    release_record(*record, true);
}

UnixEndpoint* UnixEndpoint::take_pending()
{
    UnixEndpoint* connection = pending.pop_front();
    if (connection) {
        --queued_count;
        peer_wait.wake_all();
    }
    return connection;
}

void UnixEndpoint::connect_to(UnixEndpoint& other)
{
    VERIFY(!peer);
    other.ref();
    peer = &other;
    other.connected_from.push_back(*this);
}

void UnixEndpoint::disconnect()
{
    UnixEndpoint* old = peer;
    if (!old)
        return;
    peer = nullptr;
    if (static_cast<ListLink<ConnectedTag>&>(*this).is_linked())
        IntrusiveList<UnixEndpoint, ConnectedTag>::remove(*this);
    old->unref();
}

void UnixEndpoint::close(bool embryo)
{
    unbind_endpoint(*this);
    shutdown = k_shutdown_both;
    UnixState old_state = state;
    state = UnixState::Closed;
    dead = true;
    bool unread = !records.empty();
    bool was_full = is_receive_queue_full();
    // The peer reference is dropped last: everything below may still look at the peer.
    UnixEndpoint* old_peer = peer;
    peer = nullptr;
    if (old_peer && static_cast<ListLink<ConnectedTag>&>(*this).is_linked())
        IntrusiveList<UnixEndpoint, ConnectedTag>::remove(*this);
    peer_wait.wake_all();
    if (old_peer && is_connection_based()) {
        old_peer->shutdown = k_shutdown_both;
        if (unread || embryo)
            old_peer->set_error(ECONNRESET);
        old_peer->notify(fs::k_poll_all);
    }
    // Datagram sockets connected to this one keep pointing at it (their next send finds it dead);
    // those that could not write for its full queue can now (their send fails at once), which
    // they hear about as Linux's peer_wait tells them.
    while (UnixEndpoint* other = connected_from.pop_front()) {
        if (other != old_peer && was_full)
            other->notify(fs::k_poll_out | fs::k_poll_wrnorm);
    }

    // The queue goes: descriptions in flight are dropped (which may close other sockets, so this
    // endpoint's state is settled before), and senders get their buffer space back.
    IntrusiveList<UnixRecord> doomed;
    while (UnixRecord* record = records.pop_front())
        doomed.push_back(*record);
    bytes.clear();
    queued_count = 0;
    while (UnixRecord* record = doomed.pop_front())
        release_record(*record, true);
    if (old_state == UnixState::Listening) {
        while (UnixEndpoint* connection = pending.pop_front()) {
            connection->close(true);
            connection->unref();
        }
    }
    if (old_peer)
        old_peer->unref();
}

Result<void> bind_endpoint(UnixEndpoint& endpoint, const SocketAddress& socket_address)
{
    if (is_autobind_request(socket_address))
        return autobind(endpoint);
    TRY(validate_unix_address(socket_address));
    UnixAddress address = parse_unix_address(socket_address);
    if (address.kind() == UnixNameKind::Abstract) {
        if (endpoint.address.is_named())
            return error(EINVAL);
        if (find_bound(address, endpoint.type))
            return error(EADDRINUSE);
        endpoint.address = address;
        g_bound.push_back(endpoint);
        return {};
    }
    // unix_bind_bsd: the socket file is made first (an existing name is EADDRINUSE), and removed
    // again if the socket turns out to be bound already.
    fs::Inode& base = fs::working_directory();
    auto node = fs::create_node(base, address.path(), fs::k_mode_socket | 0777);
    if (node.is_error())
        return error(node.error_code() == EEXIST ? EADDRINUSE : node.error_code());
    if (endpoint.address.is_named()) {
        (void)fs::unlink(base, address.path());
        return error(EINVAL);
    }
    fs::Inode* inode = node.value();
    fs::ref(*inode);
    endpoint.inode = inode;
    endpoint.address = address;
    g_bound.push_back(endpoint);
    return {};
}

Result<void> autobind(UnixEndpoint& endpoint)
{
    if (endpoint.address.is_named())
        return {};
    // Linux tries every one of the 2^20 names once before giving up.
    for (u32 tries = 0; tries < (1u << 20); ++tries) {
        UnixAddress address = autobind_address(g_next_autobind);
        g_next_autobind = (g_next_autobind + 1) & 0xfffff;
        if (!find_bound(address, endpoint.type)) {
            endpoint.address = address;
            g_bound.push_back(endpoint);
            return {};
        }
    }
    return error(ENOSPC);
}

void unbind_endpoint(UnixEndpoint& endpoint)
{
    if (static_cast<ListLink<BoundTag>&>(endpoint).is_linked())
        IntrusiveList<UnixEndpoint, BoundTag>::remove(endpoint);
    if (endpoint.inode) {
        fs::unref(*endpoint.inode);
        endpoint.inode = nullptr;
    }
}

Result<UnixEndpoint*> find_endpoint(const SocketAddress& socket_address, int type)
{
    UnixAddress address = parse_unix_address(socket_address);
    UnixEndpoint* found;
    if (address.kind() == UnixNameKind::Abstract) {
        found = find_bound(address, type);
    } else {
        fs::Inode* inode = TRY(fs::resolve(fs::working_directory(), address.path(), fs::k_resolve_follow));
        if (inode->type() != fs::k_mode_socket)
            return error(ECONNREFUSED);
        found = find_bound(*inode);
    }
    if (!found)
        return error(ECONNREFUSED);
    if (found->type != type)
        return error(EPROTOTYPE);
    found->ref();
    return found;
}

}
