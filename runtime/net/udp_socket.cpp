// SPDX-License-Identifier: MIT
// UDP sockets: a queue of received datagrams (bounded by SO_RCVBUF, like Linux's; datagrams that
// do not fit are dropped), sends that never block, connect() as a filter and a default peer.
#include "net/udp_socket.h"

#include "fs/file_description.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "net/inet_socket_base.h"

extern "C" {
#include <lwip/ip.h>
#include <lwip/pbuf.h>
#include <lwip/udp.h>
}

namespace uk::net {

namespace {

using fs::k_poll_err;
using fs::k_poll_hup;
using fs::k_poll_in;
using fs::k_poll_out;
using fs::k_poll_rdhup;
using fs::k_poll_rdnorm;
using fs::k_poll_wrnorm;
constexpr u32 k_poll_wrband = 0x200;

// What a queued datagram costs against SO_RCVBUF besides its payload (Linux counts its buffer's
// "truesize", which is similar).
constexpr size_t k_datagram_overhead = 256;
// The largest payload: an IPv4 datagram of 65,535 bytes less the IPv4 and UDP headers; IPv6's
// payload length is 65,535 less the UDP header.
constexpr size_t k_max_payload_v4 = 65507;
constexpr size_t k_max_payload_v6 = 65527;
// Payloads up to this go in one PBUF_RAM pbuf (a page of the runtime heap with the headers);
// larger ones in a chain of pool pbufs.
constexpr size_t k_single_pbuf_payload = 3072;

struct Datagram {
    Datagram* next = nullptr;
    struct pbuf* p = nullptr;
    ip_addr_t from;
    u16 port = 0;
};

class UdpSocket final : public InetSocket {
public:
    UdpSocket(int family, u32 status_flags) : InetSocket(family, k_sock_dgram, k_ipproto_udp, status_flags) {}

    Result<void> open();

    Result<void> bind(const SocketAddress& address) override;
    Result<void> connect(const SocketAddress& address) override;
    Result<size_t> send(const Message& message, int flags) override;
    Result<size_t> receive(Message& message, int flags) override;
    Result<void> shutdown(int how) override;
    Result<void> local_address(SocketAddress& out) override;
    Result<void> peer_address(SocketAddress& out) override;
    u32 readiness() override;

protected:
    void release() override;
    void apply_socket_options() override;
    bool is_bound() const override { return m_pcb && m_pcb->local_port != 0; }
    Result<int> readable_bytes() override;

private:
    static void on_receive(void* arg, struct udp_pcb* pcb, struct pbuf* p, const ip_addr_t* address, u16_t port);
    void drop_all();

    struct udp_pcb* m_pcb = nullptr;
    Datagram* m_head = nullptr;
    Datagram* m_tail = nullptr;
    size_t m_queued = 0; // Bytes charged against SO_RCVBUF.
    Endpoint m_peer {};
    bool m_connected = false;
    bool m_user_bound = false;
    bool m_rcv_shutdown = false;
    bool m_snd_shutdown = false;
};

Result<void> UdpSocket::open()
{
    m_pcb = udp_new_ip_type(pcb_address_type());
    if (!m_pcb)
        return error(ENOMEM);
    udp_recv(m_pcb, on_receive, this);
    apply_socket_options();
    return {};
}

void UdpSocket::apply_socket_options()
{
    if (!m_pcb)
        return;
    if (m_reuse_address || m_reuse_port)
        ip_set_option(m_pcb, SOF_REUSEADDR);
    else
        ip_reset_option(m_pcb, SOF_REUSEADDR);
    if (m_broadcast)
        ip_set_option(m_pcb, SOF_BROADCAST);
    else
        ip_reset_option(m_pcb, SOF_BROADCAST);
    m_pcb->ttl = m_ttl ? m_ttl : UDP_TTL;
    m_pcb->tos = m_tos;
    if (m_pcb->local_port == 0) {
        // IPV6_V6ONLY before bind(): the pcb's address type follows it.
        IP_SET_TYPE_VAL(m_pcb->local_ip, pcb_address_type());
        IP_SET_TYPE_VAL(m_pcb->remote_ip, pcb_address_type());
    }
}

// Reads only fields: no lwIP call, no CoreLock (epoll calls it with interrupts disabled).
u32 UdpSocket::readiness()
{
    // Linux's udp_poll()/datagram_poll().
    u32 mask = 0;
    if (pending_error())
        mask |= k_poll_err;
    if (m_rcv_shutdown)
        mask |= k_poll_rdhup | k_poll_in | k_poll_rdnorm;
    if (m_rcv_shutdown && m_snd_shutdown)
        mask |= k_poll_hup;
    if (m_head)
        mask |= k_poll_in | k_poll_rdnorm;
    mask |= k_poll_out | k_poll_wrnorm | k_poll_wrband;
    return mask;
}

void UdpSocket::on_receive(void* arg, struct udp_pcb*, struct pbuf* p, const ip_addr_t* address, u16_t port)
{
    auto* socket = static_cast<UdpSocket*>(arg);
    size_t cost = p->tot_len + k_datagram_overhead;
    if (!socket || socket->m_rcv_shutdown || socket->m_queued + cost > socket->receive_buffer_size()) {
        pbuf_free(p);
        return;
    }
    auto* datagram = make<Datagram>();
    if (!datagram) {
        pbuf_free(p);
        return;
    }
    datagram->p = p;
    ip_addr_copy(datagram->from, *address);
    datagram->port = port;
    if (socket->m_tail)
        socket->m_tail->next = datagram;
    else
        socket->m_head = datagram;
    socket->m_tail = datagram;
    socket->m_queued += cost;
    socket->notify_readiness(k_poll_in | k_poll_rdnorm);
}

Result<void> UdpSocket::bind(const SocketAddress& address)
{
    CoreLock lock;
    Endpoint endpoint = TRY(decode_address(family(), m_v6only, address, AddressUse::Bind));
    if (m_pcb->local_port != 0)
        return error(EINVAL);
    if (!is_local_address(endpoint.address))
        return error(EADDRNOTAVAIL);
    ip_addr_t local = endpoint.address;
    if (family() == k_af_inet6 && !m_v6only && IP_IS_V6_VAL(local) && ip6_addr_isany(ip_2_ip6(&local)))
        ip_addr_copy(local, *IP_ANY_TYPE);
    err_t e = udp_bind(m_pcb, &local, endpoint.port);
    if (e == ERR_USE)
        return error(EADDRINUSE);
    if (e != ERR_OK)
        return error(EINVAL);
    m_user_bound = true;
    return {};
}

Result<void> UdpSocket::connect(const SocketAddress& address)
{
    CoreLock lock;
    if (address.length >= 2 && address_family(address) == k_af_unspec) {
        // Dissolves the association; the socket receives from anyone again.
        udp_disconnect(m_pcb);
        if (!m_user_bound && !ip_addr_isany(&m_pcb->local_ip)) {
            ip_addr_set_zero(&m_pcb->local_ip);
            IP_SET_TYPE_VAL(m_pcb->local_ip, pcb_address_type());
        }
        m_connected = false;
        return {};
    }
    Endpoint endpoint = TRY(decode_address(family(), m_v6only, address, AddressUse::Connect));
    // Linux picks the source address now (getsockname() shows it), from the route.
    struct netif* netif = ip_route(&m_pcb->local_ip, &endpoint.address);
    if (!netif)
        return error(ENETUNREACH);
    err_t e = udp_connect(m_pcb, &endpoint.address, endpoint.port);
    if (e == ERR_USE)
        return error(EADDRINUSE);
    if (e != ERR_OK)
        return error(EINVAL);
    if (ip_addr_isany(&m_pcb->local_ip)) {
        const ip_addr_t* source = ip_netif_get_local_ip(netif, &endpoint.address);
        if (source)
            ip_addr_copy(m_pcb->local_ip, *source);
    }
    m_peer = endpoint;
    m_connected = true;
    return {};
}

Result<size_t> UdpSocket::send(const Message& message, int flags)
{
    CoreLock lock;
    if (flags & k_msg_oob)
        return error(EOPNOTSUPP);
    if (m_snd_shutdown)
        return error(EPIPE); // Without SIGPIPE: Linux raises it for streams only.
    Endpoint destination;
    if (message.address) {
        SocketAddress address;
        u32 n = message.address_length < k_max_address_length ? message.address_length : k_max_address_length;
        copy_bytes(address.bytes, message.address, n);
        address.length = n;
        destination = TRY(decode_address(family(), m_v6only, address, AddressUse::Connect));
    } else if (m_connected) {
        destination = m_peer;
    } else {
        return error(EDESTADDRREQ);
    }
    if (destination.port == 0)
        return error(EINVAL);
    size_t total = 0;
    for (size_t i = 0; i < message.segment_count; ++i)
        total += message.segments[i].length;
    if (total > (IP_IS_V6_VAL(destination.address) ? k_max_payload_v6 : k_max_payload_v4))
        return error(EMSGSIZE);
    if (IP_IS_V4_VAL(destination.address) && !m_broadcast) {
        const ip4_addr_t* to = ip_2_ip4(&destination.address);
        if (ip4_addr_isbroadcast_u32(ip4_addr_get_u32(to), netif_default ? netif_default : netif_list))
            return error(EACCES); // Linux wants SO_BROADCAST first.
    }
    struct pbuf* p = pbuf_alloc(PBUF_TRANSPORT, static_cast<u16_t>(total),
        total <= k_single_pbuf_payload ? PBUF_RAM : PBUF_POOL);
    if (!p)
        return error(ENOBUFS);
    size_t at = 0;
    for (size_t i = 0; i < message.segment_count; ++i) {
        if (message.segments[i].length)
            pbuf_take_at(p, message.segments[i].base, static_cast<u16_t>(message.segments[i].length), static_cast<u16_t>(at));
        at += message.segments[i].length;
    }
    err_t e = udp_sendto(m_pcb, p, &destination.address, destination.port);
    pbuf_free(p);
    switch (e) {
    case ERR_OK: return total;
    case ERR_RTE: return error(ENETUNREACH);
    case ERR_USE: return error(EAGAIN); // No free local port (Linux's answer).
    case ERR_VAL: return error(EINVAL);
    default: return error(ENOBUFS);
    }
}

Result<size_t> UdpSocket::receive(Message& message, int flags)
{
    CoreLock lock;
    message.result_flags = 0;
    message.control_length = 0;
    if (flags & k_msg_oob)
        return error(EOPNOTSUPP);
    WaitLimit limit = receive_limit(flags & k_msg_dontwait);
    while (!m_head) {
        if (int e = take_pending_error())
            return error(e);
        if (m_rcv_shutdown) {
            message.address_length = 0;
            return static_cast<size_t>(0);
        }
        TRY(block(lock, limit, [this] { return m_head || pending_error() || m_rcv_shutdown; }));
    }
    Datagram* datagram = m_head;
    size_t length = datagram->p->tot_len;
    size_t copied = 0;
    for (size_t i = 0; i < message.segment_count && copied < length; ++i) {
        size_t n = message.segments[i].length;
        if (n > length - copied)
            n = length - copied;
        if (n)
            pbuf_copy_partial(datagram->p, message.segments[i].base, static_cast<u16_t>(n), static_cast<u16_t>(copied));
        copied += n;
    }
    if (copied < length)
        message.result_flags |= k_msg_trunc;
    if (message.address) {
        SocketAddress from;
        encode_address(family(), datagram->from, datagram->port, from);
        u32 n = from.length < message.address_capacity ? from.length : message.address_capacity;
        copy_bytes(message.address, from.bytes, n);
        message.address_length = from.length;
    } else {
        message.address_length = 0;
    }
    if (!(flags & k_msg_peek)) {
        m_head = datagram->next;
        if (!m_head)
            m_tail = nullptr;
        m_queued -= length + k_datagram_overhead;
        pbuf_free(datagram->p);
        destroy(datagram);
    }
    // MSG_TRUNC: the datagram's real length, as Linux returns it.
    return (flags & k_msg_trunc) ? length : copied;
}

Result<void> UdpSocket::shutdown(int how)
{
    CoreLock lock;
    if (how < k_shut_rd || how > k_shut_rdwr)
        return error(EINVAL);
    if (how != k_shut_wr)
        m_rcv_shutdown = true;
    if (how != k_shut_rd)
        m_snd_shutdown = true;
    notify_readiness();
    // Linux marks the socket either way, but an unconnected one answers ENOTCONN.
    if (!m_connected)
        return error(ENOTCONN);
    return {};
}

Result<void> UdpSocket::local_address(SocketAddress& out)
{
    CoreLock lock;
    encode_address(family(), m_pcb->local_ip, m_pcb->local_port, out);
    return {};
}

Result<void> UdpSocket::peer_address(SocketAddress& out)
{
    CoreLock lock;
    if (!m_connected)
        return error(ENOTCONN);
    encode_address(family(), m_peer.address, m_peer.port, out);
    return {};
}

Result<int> UdpSocket::readable_bytes()
{
    // Linux's SIOCINQ on UDP: the size of the next datagram.
    return m_head ? static_cast<int>(m_head->p->tot_len) : 0;
}

void UdpSocket::drop_all()
{
    while (Datagram* datagram = m_head) {
        m_head = datagram->next;
        pbuf_free(datagram->p);
        destroy(datagram);
    }
    m_tail = nullptr;
    m_queued = 0;
}

void UdpSocket::release()
{
    CoreLock lock;
    if (m_pcb) {
        udp_remove(m_pcb);
        m_pcb = nullptr;
    }
    drop_all();
}

} // namespace

Result<Socket*> create_udp_socket(int family, u32 status_flags)
{
    CoreLock lock;
    auto* socket = make<UdpSocket>(family, status_flags);
    if (!socket)
        return error(ENOMEM);
    if (auto opened = socket->open(); opened.is_error()) {
        socket->unref();
        return error(opened.error_code());
    }
    return static_cast<Socket*>(socket);
}

}
