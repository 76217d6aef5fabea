// SPDX-License-Identifier: MIT
// TCP sockets: the Linux socket semantics (connect's states, poll bits, errors, SIGPIPE) over
// lwIP's raw API. The socket keeps what the program has not read yet (PbufQueue); lwIP keeps
// what it has not sent yet (its unsent/unacked queues, TCP_SND_BUF). Reading opens the window
// again (tcp_recved), so a slow reader slows its sender down instead of filling memory.
//
// lwIP owns its pcb: it frees it on a reset, a timeout or the end of a close, telling us through
// the error callback, after which m_pcb is null. A socket whose connection went through both
// FINs lets go of the pcb itself (lwIP retires TIME_WAIT pcbs without a callback).
//
// Everything here is under the CoreLock (inet_socket_base.h), except readiness(): it runs without
// it (poll and epoll call it, epoll with the SchedulerLock held) while another CPU may change or
// free the pcb, so it reads copies of the pcb's state and of writable() (m_seen_state,
// m_seen_writable) that every call brings up to date before it lets the CoreLock go (TcpLock,
// block()) and every callback before it announces a change (changed()).
#include "net/tcp_socket.h"

#include "fs/file_description.h"
#include "lib/intrusive_list.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "net/inet_socket_base.h"
#include "net/pbuf_queue.h"

extern "C" {
#include <lwip/priv/tcp_priv.h>
#include <lwip/tcp.h>
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

enum TcpOption : int {
    k_tcp_nodelay = 1,
    k_tcp_maxseg = 2,
    k_tcp_cork = 3,
    k_tcp_keepidle = 4,
    k_tcp_keepintvl = 5,
    k_tcp_keepcnt = 6,
    k_tcp_syncnt = 7,
    k_tcp_linger2 = 8,
    k_tcp_defer_accept = 9,
    k_tcp_window_clamp = 10,
    k_tcp_info = 11,
    k_tcp_quickack = 12,
    k_tcp_user_timeout = 18,
    k_tcp_fastopen = 23,
    k_tcp_notsent_lowat = 25,
};

// The states of Linux's sk_state that decide what calls and poll() see.
enum class LinuxState : u8 { Close, Listen, SynSent, SynRecv, Established, CloseWait, Closing };
// Linux's TCP_* state numbers, for TCP_INFO.
constexpr u8 linux_state_number(LinuxState s)
{
    switch (s) {
    case LinuxState::Established: return 1;
    case LinuxState::SynSent: return 2;
    case LinuxState::SynRecv: return 3;
    case LinuxState::Close: return 7;
    case LinuxState::CloseWait: return 8;
    case LinuxState::Listen: return 10;
    case LinuxState::Closing: return 4;
    }
    return 7;
}

// The socket's connect() state (Linux's sock->state).
enum class Connection : u8 { Unconnected, Connecting, Connected };

Result<void> lwip_error(err_t e)
{
    switch (e) {
    case ERR_OK: return {};
    case ERR_MEM: return error(ENOMEM);
    case ERR_BUF: return error(ENOBUFS);
    case ERR_RTE: return error(ENETUNREACH);
    case ERR_USE: return error(EADDRINUSE);
    case ERR_ISCONN: return error(EISCONN);
    case ERR_ALREADY: return error(EALREADY);
    case ERR_CONN: return error(ENOTCONN);
    case ERR_RST: return error(ECONNRESET);
    case ERR_ABRT: return error(ECONNABORTED);
    case ERR_CLSD: return error(ENOTCONN);
    default: return error(EINVAL);
    }
}

struct AcceptTag;

class TcpSocket final
    : public InetSocket
    , public ListLink<AcceptTag> {
public:
    TcpSocket(int family, u32 status_flags) : InetSocket(family, k_sock_stream, k_ipproto_tcp, status_flags) {}

    Result<void> open() { return ensure_pcb(); }

    Result<void> bind(const SocketAddress& address) override;
    Result<void> listen(int backlog) override;
    Result<Socket*> accept(u32 flags, SocketAddress* peer) override;
    Result<void> connect(const SocketAddress& address) override;
    Result<size_t> send(const Message& message, int flags) override;
    Result<size_t> receive(Message& message, int flags) override;
    Result<void> shutdown(int how) override;
    Result<void> local_address(SocketAddress& out) override;
    Result<void> peer_address(SocketAddress& out) override;
    u32 readiness() override;

protected:
    void release() override;
    void note_readiness_locked() override;
    Result<void> get_protocol_option(int level, int name, void* value, u32& length) override;
    Result<void> set_protocol_option(int level, int name, const void* value, u32 length) override;
    void apply_socket_options() override;
    bool is_bound() const override { return m_bound; }
    bool is_listening() const override { return m_listening; }
    Result<int> readable_bytes() override;
    int unsent_bytes() override;

private:
    // The CoreLock for one of the socket's calls; on the way out the copies readiness() reads
    // are brought up to date.
    class TcpLock : public CoreLock {
    public:
        explicit TcpLock(TcpSocket& socket) : m_socket(socket) {}
        ~TcpLock() { m_socket.note_readiness_locked(); }

    private:
        TcpSocket& m_socket;
    };

    LinuxState state() const;
    bool writable() const;
    // note_readiness_locked(), then notify_readiness(events).
    void changed(u32 events = fs::k_poll_all);
    Result<void> ensure_pcb();
    void attach(struct tcp_pcb* pcb);
    void detach();
    void abort_connection();
    void stop_listening();
    void copy_options_from(TcpSocket& listener);
    void remember_endpoints();
    Result<void> start_connect(const SocketAddress& address);
    Result<void> wait_connected(CoreLock& lock);
    Result<void> bind_locked(const ip_addr_t& address, u16 port);
    void received(struct pbuf* p);
    void consume(size_t length);

    static err_t on_accept(void* arg, struct tcp_pcb* pcb, err_t err);
    static err_t on_connected(void* arg, struct tcp_pcb* pcb, err_t err);
    static err_t on_receive(void* arg, struct tcp_pcb* pcb, struct pbuf* p, err_t err);
    static err_t on_sent(void* arg, struct tcp_pcb* pcb, u16_t length);
    static void on_error(void* arg, err_t err);

    struct tcp_pcb* m_pcb = nullptr; // A connection pcb, or a tcp_pcb_listen when listening.
    PbufQueue m_received;
    // Accepted connections not yet taken by accept(), and for those, their listener.
    IntrusiveList<TcpSocket, AcceptTag> m_accept_queue;
    TcpSocket* m_listener = nullptr;

    Endpoint m_local {};
    Endpoint m_peer {};
    Endpoint m_bound_to {}; // The program's bind(), kept for a new pcb after a failed connect.

    Connection m_connection = Connection::Unconnected;
    bool m_listening = false;
    bool m_bound = false;
    bool m_user_bound = false;
    bool m_established = false;   // The connection reached ESTABLISHED once.
    bool m_fin_received = false;  // Linux's SOCK_DONE.
    bool m_rcv_shutdown = false;  // Linux's sk_shutdown bits.
    bool m_snd_shutdown = false;
    bool m_want_space = false;    // A writer found the buffer full (Linux's SOCK_NOSPACE).
    bool m_nodelay = false;
    bool m_cork = false;
    bool m_quickack = true;
    u32 m_keep_idle = 7200;       // Seconds, Linux's defaults.
    u32 m_keep_interval = 75;
    u32 m_keep_count = 9;
    int m_syn_count = 6;
    int m_linger2 = 60;
    int m_defer_accept = 0;
    int m_window_clamp = 0;
    int m_user_timeout = 0;
    int m_fastopen = 0;
    int m_notsent_low_water = -1;
    int m_max_segment = 0;
    // What readiness() knows of the pcb (atomic: written under the CoreLock, read without).
    u8 m_seen_state = static_cast<u8>(LinuxState::Close);
    bool m_seen_writable = true;
};

LinuxState TcpSocket::state() const
{
    if (m_listening)
        return LinuxState::Listen;
    if (!m_pcb)
        return LinuxState::Close;
    switch (m_pcb->state) {
    case CLOSED: return LinuxState::Close;
    case LISTEN: return LinuxState::Listen;
    case SYN_SENT: return LinuxState::SynSent;
    case SYN_RCVD: return LinuxState::SynRecv;
    case ESTABLISHED: return LinuxState::Established;
    case CLOSE_WAIT: return LinuxState::CloseWait;
    default: return LinuxState::Closing;
    }
}

// Linux's sk_stream_is_writeable(): free space at least half of what is queued.
bool TcpSocket::writable() const
{
    if (!m_pcb || m_listening)
        return true;
    u32 space = m_pcb->snd_buf; // tcp_sndbuf() stops at 16 bits.
    u32 used = TCP_SND_BUF - space;
    return space > 0 && space >= used / 2 && tcp_sndqueuelen(m_pcb) + 4 < TCP_SND_QUEUELEN;
}

void TcpSocket::note_readiness_locked()
{
    __atomic_store_n(&m_seen_state, static_cast<u8>(state()), __ATOMIC_RELAXED);
    __atomic_store_n(&m_seen_writable, writable(), __ATOMIC_RELAXED);
}

void TcpSocket::changed(u32 events)
{
    note_readiness_locked();
    notify_readiness(events);
}

// Reads only fields (epoll calls it with interrupts disabled): no lwIP call, no CoreLock, and not
// the pcb, which another CPU may free meanwhile; the copies of its state instead.
u32 TcpSocket::readiness()
{
    auto s = static_cast<LinuxState>(__atomic_load_n(&m_seen_state, __ATOMIC_RELAXED));
    if (s == LinuxState::Listen)
        return m_accept_queue.empty() ? 0 : k_poll_in | k_poll_rdnorm;
    // Linux's tcp_poll(), bit for bit.
    u32 mask = 0;
    if ((m_rcv_shutdown && m_snd_shutdown) || s == LinuxState::Close)
        mask |= k_poll_hup;
    if (m_rcv_shutdown)
        mask |= k_poll_in | k_poll_rdnorm | k_poll_rdhup;
    if (s != LinuxState::SynSent && s != LinuxState::SynRecv) {
        if (!m_received.empty())
            mask |= k_poll_in | k_poll_rdnorm;
        if (m_snd_shutdown || __atomic_load_n(&m_seen_writable, __ATOMIC_RELAXED))
            mask |= k_poll_out | k_poll_wrnorm;
    }
    if (pending_error())
        mask |= k_poll_err;
    return mask;
}

void TcpSocket::attach(struct tcp_pcb* pcb)
{
    m_pcb = pcb;
    tcp_arg(pcb, this);
    tcp_recv(pcb, on_receive);
    tcp_sent(pcb, on_sent);
    tcp_err(pcb, on_error);
}

// Lets lwIP finish (or retire) the pcb without us: no callback will name this socket again.
void TcpSocket::detach()
{
    if (!m_pcb)
        return;
    if (!m_listening) {
        tcp_arg(m_pcb, nullptr);
        tcp_recv(m_pcb, nullptr);
        tcp_sent(m_pcb, nullptr);
        tcp_err(m_pcb, nullptr);
        tcp_poll(m_pcb, nullptr, 0);
    } else {
        tcp_arg(m_pcb, nullptr);
        tcp_accept(m_pcb, nullptr);
    }
    m_pcb = nullptr;
}

// Resets the connection (RST to the peer) and forgets the pcb.
void TcpSocket::abort_connection()
{
    if (!m_pcb)
        return;
    struct tcp_pcb* pcb = m_pcb;
    detach();
    tcp_abort(pcb);
}

Result<void> TcpSocket::ensure_pcb()
{
    if (m_pcb)
        return {};
    struct tcp_pcb* pcb = tcp_new_ip_type(pcb_address_type());
    if (!pcb)
        return error(ENOMEM);
    attach(pcb);
    apply_socket_options();
    if (m_user_bound) {
        auto bound = bind_locked(m_bound_to.address, m_bound_to.port);
        if (bound.is_error()) {
            abort_connection();
            return bound;
        }
    }
    return {};
}

void TcpSocket::apply_socket_options()
{
    if (!m_pcb)
        return;
    // SO_REUSEPORT sockets may share a port as SO_REUSEADDR ones do (lwIP has no SO_REUSEPORT).
    if (m_reuse_address || m_reuse_port)
        ip_set_option(m_pcb, SOF_REUSEADDR);
    else
        ip_reset_option(m_pcb, SOF_REUSEADDR);
    if (m_keepalive)
        ip_set_option(m_pcb, SOF_KEEPALIVE);
    else
        ip_reset_option(m_pcb, SOF_KEEPALIVE);
    m_pcb->ttl = m_ttl ? m_ttl : TCP_TTL;
    m_pcb->tos = m_tos;
    if (m_listening)
        return;
    if (!m_bound && m_pcb->state == CLOSED) {
        // IPV6_V6ONLY before bind(): the pcb's address type follows it.
        IP_SET_TYPE_VAL(m_pcb->local_ip, pcb_address_type());
        IP_SET_TYPE_VAL(m_pcb->remote_ip, pcb_address_type());
    }
    if (m_nodelay)
        tcp_nagle_disable(m_pcb);
    else
        tcp_nagle_enable(m_pcb);
    m_pcb->keep_idle = m_keep_idle * 1000;
    m_pcb->keep_intvl = m_keep_interval * 1000;
    m_pcb->keep_cnt = m_keep_count;
}

void TcpSocket::copy_options_from(TcpSocket& l)
{
    // What Linux's accept() inherits: the listener's whole socket, less its queues and state.
    // Socket keeps the SOL_SOCKET options; they are read back from the listener and set again.
    static constexpr int k_inherited[] = { k_so_rcvtimeo_old, k_so_sndtimeo_old, k_so_linger, k_so_reuseaddr,
        k_so_reuseport, k_so_keepalive, k_so_broadcast, k_so_dontroute, k_so_oobinline, k_so_priority,
        k_so_rcvlowat, k_so_rcvbuf, k_so_sndbuf };
    for (int name : k_inherited) {
        u8 value[16];
        u32 length = sizeof(value);
        if (l.Socket::get_option(k_sol_socket, name, value, length).is_error())
            continue;
        if (name == k_so_rcvbuf || name == k_so_sndbuf) {
            // Reported doubled; setting doubles again.
            int v;
            copy_bytes(&v, value, sizeof(v));
            v /= 2;
            copy_bytes(value, &v, sizeof(v));
        }
        (void)Socket::set_option(k_sol_socket, name, value, length);
    }
    m_reuse_address = l.m_reuse_address;
    m_reuse_port = l.m_reuse_port;
    m_keepalive = l.m_keepalive;
    m_broadcast = l.m_broadcast;
    m_linger_seconds = l.m_linger_seconds;
    m_ttl = l.m_ttl;
    m_tos = l.m_tos;
    m_v6only = l.m_v6only;
    m_nodelay = l.m_nodelay;
    m_cork = l.m_cork;
    m_keep_idle = l.m_keep_idle;
    m_keep_interval = l.m_keep_interval;
    m_keep_count = l.m_keep_count;
    m_user_timeout = l.m_user_timeout;
}

void TcpSocket::remember_endpoints()
{
    if (!m_pcb)
        return;
    ip_addr_copy(m_local.address, m_pcb->local_ip);
    m_local.port = m_pcb->local_port;
    if (!m_listening) {
        ip_addr_copy(m_peer.address, m_pcb->remote_ip);
        m_peer.port = m_pcb->remote_port;
    }
}

Result<void> TcpSocket::bind_locked(const ip_addr_t& address, u16 port)
{
    ip_addr_t local = address;
    // A dual-stack AF_INET6 socket bound to :: takes IPv4 connections too.
    if (family() == k_af_inet6 && !m_v6only && IP_IS_V6_VAL(local) && ip6_addr_isany(ip_2_ip6(&local)))
        ip_addr_copy(local, *IP_ANY_TYPE);
    // Linux refuses to bind next to a listener on the same address and port even with
    // SO_REUSEADDR on both (lwIP would only refuse the second listen()); SO_REUSEPORT allows it.
    if (port && !m_reuse_port) {
        for (struct tcp_pcb_listen* l = tcp_listen_pcbs.listen_pcbs; l; l = l->next) {
            if (l->local_port == port && IP_IS_V6_VAL(l->local_ip) == IP_IS_V6_VAL(local)
                && (ip_addr_isany(&l->local_ip) || ip_addr_isany(&local) || ip_addr_cmp(&l->local_ip, &local)))
                return error(EADDRINUSE);
        }
    }
    err_t e = tcp_bind(m_pcb, &local, port);
    if (e == ERR_BUF)
        return error(EADDRINUSE); // No free ephemeral port.
    TRY(lwip_error(e));
    m_bound = true;
    ip_addr_copy(m_local.address, m_pcb->local_ip);
    m_local.port = m_pcb->local_port;
    return {};
}

Result<void> TcpSocket::bind(const SocketAddress& address)
{
    TcpLock lock(*this);
    Endpoint endpoint = TRY(decode_address(family(), m_v6only, address, AddressUse::Bind));
    if (m_bound || state() != LinuxState::Close || m_connection != Connection::Unconnected)
        return error(EINVAL);
    if (!is_local_address(endpoint.address))
        return error(EADDRNOTAVAIL);
    TRY(ensure_pcb());
    TRY(bind_locked(endpoint.address, endpoint.port));
    m_user_bound = true;
    m_bound_to = endpoint;
    return {};
}

Result<void> TcpSocket::listen(int backlog)
{
    TcpLock lock(*this);
    // Linux caps the backlog at net.core.somaxconn (4096); a negative one means the cap. The
    // queue holds backlog + 1 connections; lwIP counts at most 255.
    unsigned requested = static_cast<unsigned>(backlog) > 4096 ? 4096 : static_cast<unsigned>(backlog);
    u8 limit = static_cast<u8>(requested + 1 > 255 ? 255 : requested + 1);
    if (m_listening) {
        tcp_backlog_set(reinterpret_cast<struct tcp_pcb*>(m_pcb), limit);
        return {};
    }
    if (m_connection != Connection::Unconnected || state() != LinuxState::Close)
        return error(EINVAL);
    TRY(ensure_pcb());
    if (!m_bound) {
        ip_addr_t any;
        ip_addr_set_zero(&any);
        IP_SET_TYPE_VAL(any, family() == k_af_inet ? IPADDR_TYPE_V4 : IPADDR_TYPE_V6);
        TRY(bind_locked(any, 0));
    }
    // Several SO_REUSEPORT listeners may share a port (lwIP refuses a second listener only for
    // SO_REUSEADDR pcbs); connections go to the newest one: there is no load balancing.
    if (m_reuse_port && !m_reuse_address)
        ip_reset_option(m_pcb, SOF_REUSEADDR);
    err_t e = ERR_OK;
    struct tcp_pcb* pcb = m_pcb;
    struct tcp_pcb* listener = tcp_listen_with_backlog_and_err(pcb, limit, &e);
    if (!listener) {
        apply_socket_options();
        return lwip_error(e == ERR_OK ? ERR_MEM : e);
    }
    // lwIP freed the connection pcb and made a smaller listening one.
    m_pcb = listener;
    m_listening = true;
    tcp_arg(listener, this);
    tcp_accept(listener, on_accept);
    apply_socket_options();
    return {};
}

err_t TcpSocket::on_accept(void* arg, struct tcp_pcb* pcb, err_t err)
{
    auto* listener = static_cast<TcpSocket*>(arg);
    if (!listener || err != ERR_OK || !pcb)
        return ERR_VAL;
    auto* socket = make<TcpSocket>(listener->family(), 0u);
    if (!socket)
        return ERR_MEM; // lwIP resets the connection.
    socket->copy_options_from(*listener);
    socket->attach(pcb);
    socket->apply_socket_options();
    socket->m_bound = true;
    socket->m_established = true;
    socket->m_connection = Connection::Connected;
    socket->remember_endpoints();
    socket->note_readiness_locked();
    // The connection occupies a backlog slot until accept() takes it (lwIP counted only the
    // handshake), so a full queue makes lwIP drop new SYNs as Linux does.
    tcp_backlog_delayed(pcb);
    socket->m_listener = listener;
    listener->m_accept_queue.push_back(*socket);
    listener->changed(k_poll_in | k_poll_rdnorm);
    return ERR_OK;
}

Result<Socket*> TcpSocket::accept(u32 flags, SocketAddress* peer)
{
    TcpLock lock(*this);
    if (!m_listening)
        return error(EINVAL);
    WaitLimit limit = receive_limit(is_nonblocking());
    while (m_accept_queue.empty()) {
        TRY(block(lock, limit, [this] { return !m_accept_queue.empty() || !m_listening; }));
        if (!m_listening)
            return error(EINVAL);
    }
    TcpSocket* socket = m_accept_queue.pop_front();
    socket->m_listener = nullptr;
    if (socket->m_pcb)
        tcp_backlog_accepted(socket->m_pcb);
    socket->set_status_flags(flags & fs::k_o_nonblock);
    if (peer)
        encode_address(family(), socket->m_peer.address, socket->m_peer.port, *peer);
    return static_cast<Socket*>(socket);
}

// Stops listening (shutdown(SHUT_RD) or close): queued connections are reset, a blocked accept()
// returns EINVAL.
void TcpSocket::stop_listening()
{
    if (!m_listening)
        return;
    struct tcp_pcb* listener = m_pcb;
    detach();
    tcp_close(listener); // Always succeeds for a listening pcb.
    m_listening = false;
    m_bound = m_user_bound;
    while (TcpSocket* socket = m_accept_queue.pop_front()) {
        socket->m_listener = nullptr;
        socket->abort_connection();
        socket->unref();
    }
    changed();
}

Result<void> TcpSocket::start_connect(const SocketAddress& address)
{
    Endpoint endpoint = TRY(decode_address(family(), m_v6only, address, AddressUse::Connect));
    TRY(ensure_pcb());
    m_rcv_shutdown = m_snd_shutdown = m_fin_received = false;
    m_established = false;
    err_t e = tcp_connect(m_pcb, &endpoint.address, endpoint.port, on_connected);
    if (e == ERR_BUF)
        return error(EADDRNOTAVAIL); // No free local port.
    if (e == ERR_VAL)
        return error(EAFNOSUPPORT);
    TRY(lwip_error(e));
    m_bound = true;
    m_connection = Connection::Connecting;
    remember_endpoints();
    return {};
}

err_t TcpSocket::on_connected(void* arg, struct tcp_pcb*, err_t)
{
    auto* socket = static_cast<TcpSocket*>(arg);
    if (!socket)
        return ERR_OK;
    socket->m_established = true;
    socket->remember_endpoints();
    socket->changed(k_poll_out | k_poll_wrnorm);
    return ERR_OK;
}

Result<void> TcpSocket::connect(const SocketAddress& address)
{
    TcpLock lock(*this);
    if (address.length >= 2 && address_family(address) == k_af_unspec) {
        // connect(AF_UNSPEC) dissolves the connection (Linux's tcp_disconnect).
        if (m_listening)
            stop_listening();
        abort_connection();
        m_connection = Connection::Unconnected;
        m_rcv_shutdown = m_snd_shutdown = m_fin_received = false;
        m_bound = m_user_bound;
        changed();
        return {};
    }
    int code;
    switch (m_connection) {
    case Connection::Connected:
        return error(EISCONN);
    case Connection::Connecting:
        code = EALREADY;
        break;
    default:
        if (state() != LinuxState::Close)
            return error(EISCONN);
        TRY(start_connect(address));
        code = EINPROGRESS;
        break;
    }
    LinuxState s = state();
    if (s == LinuxState::SynSent || s == LinuxState::SynRecv) {
        WaitLimit limit = send_limit(is_nonblocking());
        if (!limit.may_wait)
            return error(code);
        auto waited = block(lock, limit, [this] {
            return !m_pcb || (m_pcb->state != SYN_SENT && m_pcb->state != SYN_RCVD);
        });
        if (waited.is_error())
            return error(waited.error_code() == EAGAIN ? EINPROGRESS : waited.error_code());
    }
    if (state() == LinuxState::Close) {
        // Refused, reset or timed out: the error once, and the socket may connect again.
        int e = take_pending_error();
        m_connection = Connection::Unconnected;
        m_bound = m_user_bound;
        m_rcv_shutdown = m_snd_shutdown = false;
        return error(e ? e : ECONNABORTED);
    }
    m_connection = Connection::Connected;
    return {};
}

void TcpSocket::received(struct pbuf* p)
{
    if (m_rcv_shutdown) {
        // After shutdown(SHUT_RD) data is dropped, and the window stays open.
        for (u32 left = p->tot_len; left;) {
            u16 n = left > 0xffff ? 0xffff : static_cast<u16>(left);
            if (m_pcb)
                tcp_recved(m_pcb, n);
            left -= n;
        }
        pbuf_free(p);
        return;
    }
    m_received.append(p);
    changed(k_poll_in | k_poll_rdnorm);
}

err_t TcpSocket::on_receive(void* arg, struct tcp_pcb* pcb, struct pbuf* p, err_t)
{
    auto* socket = static_cast<TcpSocket*>(arg);
    if (!socket) {
        if (p) {
            tcp_recved(pcb, p->tot_len);
            pbuf_free(p);
        }
        return ERR_OK;
    }
    if (p) {
        socket->received(p);
        return ERR_OK;
    }
    // FIN: end of the peer's data.
    socket->m_fin_received = true;
    socket->m_rcv_shutdown = true;
    // Past CLOSE_WAIT both sides are done (TIME_WAIT, or CLOSING on the way to it); lwIP retires
    // those pcbs without telling anyone, so the socket lets go now. Linux's socket is in CLOSE
    // then too.
    if (pcb->state != CLOSE_WAIT) {
        socket->remember_endpoints();
        socket->detach();
        socket->m_snd_shutdown = true;
    }
    socket->changed(k_poll_in | k_poll_rdnorm | k_poll_rdhup | k_poll_hup);
    return ERR_OK;
}

err_t TcpSocket::on_sent(void* arg, struct tcp_pcb*, u16_t)
{
    auto* socket = static_cast<TcpSocket*>(arg);
    if (!socket)
        return ERR_OK;
    // The acknowledged data freed room: readiness() sees it now, and a writer that found the
    // buffer full is told.
    socket->note_readiness_locked();
    if (socket->m_want_space && socket->writable()) {
        socket->m_want_space = false;
        socket->notify_readiness(k_poll_out | k_poll_wrnorm);
    }
    return ERR_OK;
}

void TcpSocket::on_error(void* arg, err_t err)
{
    // lwIP has freed the pcb.
    auto* socket = static_cast<TcpSocket*>(arg);
    if (!socket)
        return;
    socket->m_pcb = nullptr;
    socket->m_rcv_shutdown = socket->m_snd_shutdown = true;
    if (err != ERR_CLSD) {
        // Linux's tcp_reset(): a reset answering a SYN is a refusal; one after the peer's FIN
        // (CLOSE_WAIT) reports a broken pipe.
        if (err == ERR_RST)
            socket->set_pending_error(!socket->m_established ? ECONNREFUSED : socket->m_fin_received ? EPIPE : ECONNRESET);
        else
            socket->set_pending_error(err == ERR_ABRT ? ETIMEDOUT : ECONNABORTED);
    }
    socket->changed();
}

Result<size_t> TcpSocket::send(const Message& message, int flags)
{
    TcpLock lock(*this);
    if (flags & k_msg_oob)
        return error(EOPNOTSUPP);
    WaitLimit limit = send_limit(flags & k_msg_dontwait);
    // Linux's sk_stream_wait_connect().
    for (;;) {
        LinuxState s = state();
        if (s == LinuxState::Established || s == LinuxState::CloseWait)
            break;
        if (int e = take_pending_error())
            return error(e);
        if (s != LinuxState::SynSent && s != LinuxState::SynRecv)
            return error(EPIPE);
        TRY(block(lock, limit, [this] {
            return !m_pcb || (m_pcb->state != SYN_SENT && m_pcb->state != SYN_RCVD);
        }));
    }
    size_t total = 0;
    for (size_t i = 0; i < message.segment_count; ++i)
        total += message.segments[i].length;
    size_t done = 0;
    size_t segment = 0;
    size_t in_segment = 0;
    while (done < total || total == 0) {
        if (pending_error() || m_snd_shutdown || !m_pcb) {
            if (done)
                break;
            int e = take_pending_error();
            return error(e ? e : EPIPE);
        }
        if (total == 0)
            break;
        u32 space = m_pcb->snd_buf;
        if (space == 0 || tcp_sndqueuelen(m_pcb) + 2 >= TCP_SND_QUEUELEN) {
            tcp_output(m_pcb);
            m_want_space = true;
            if (!limit.may_wait && done)
                break;
            auto waited = block(lock, limit, [this] {
                return !m_pcb || pending_error() || m_snd_shutdown
                    || (m_pcb->snd_buf > 0 && tcp_sndqueuelen(m_pcb) + 2 < TCP_SND_QUEUELEN);
            });
            if (waited.is_error()) {
                if (done)
                    break;
                return error(waited.error_code());
            }
            continue;
        }
        while (in_segment == message.segments[segment].length) {
            ++segment;
            in_segment = 0;
        }
        size_t n = message.segments[segment].length - in_segment;
        if (n > space)
            n = space;
        if (n > 0xffff)
            n = 0xffff;
        u8_t write_flags = TCP_WRITE_FLAG_COPY;
        if (done + n < total || (flags & k_msg_more) || m_cork)
            write_flags |= TCP_WRITE_FLAG_MORE;
        err_t e = tcp_write(m_pcb, static_cast<const u8*>(message.segments[segment].base) + in_segment,
            static_cast<u16_t>(n), write_flags);
        if (e == ERR_MEM) {
            // Out of segments or memory: wait for acknowledgements to free some, unless
            // nothing is in flight that could.
            tcp_output(m_pcb);
            if (!m_pcb->unacked && !m_pcb->unsent) {
                if (done)
                    break;
                return error(ENOBUFS);
            }
            m_want_space = true;
            if (!limit.may_wait && done)
                break;
            u16 queued = tcp_sndqueuelen(m_pcb);
            auto waited = block(lock, limit,
                [this, queued] { return !m_pcb || pending_error() || m_snd_shutdown || tcp_sndqueuelen(m_pcb) < queued; });
            if (waited.is_error()) {
                if (done)
                    break;
                return error(waited.error_code());
            }
            continue;
        }
        if (e != ERR_OK) {
            if (done)
                break;
            return error(lwip_error(e).error_code());
        }
        done += n;
        in_segment += n;
    }
    if (m_pcb && !m_cork)
        tcp_output(m_pcb);
    return done;
}

void TcpSocket::consume(size_t length)
{
    m_received.consume(length);
    if (!m_pcb)
        return;
    while (length) {
        u16 n = length > 0xffff ? 0xffff : static_cast<u16>(length);
        tcp_recved(m_pcb, n);
        length -= n;
    }
}

Result<size_t> TcpSocket::receive(Message& message, int flags)
{
    TcpLock lock(*this);
    message.result_flags = 0;
    message.address_length = 0;
    message.control_length = 0;
    if (flags & k_msg_oob)
        return error(EINVAL);
    if (m_listening)
        return error(ENOTCONN);
    size_t want = 0;
    for (size_t i = 0; i < message.segment_count; ++i)
        want += message.segments[i].length;
    bool peek = flags & k_msg_peek;
    bool discard = flags & k_msg_trunc; // For TCP, MSG_TRUNC drops the data instead of copying.
    WaitLimit limit = receive_limit(flags & k_msg_dontwait);
    size_t target = (flags & k_msg_waitall) && !peek ? want
        : (receive_low_water() < want ? receive_low_water() : want);
    size_t copied = 0;
    for (;;) {
        if (!m_received.empty() && (!peek || copied == 0)) {
            if (want == 0)
                break; // Linux waits for data even to read nothing (its target is at least 1).
            size_t n = want - copied;
            if (n > m_received.size())
                n = m_received.size();
            if (!discard)
                n = m_received.copy_out(message, copied, 0, n);
            if (!peek)
                consume(n);
            copied += n;
            if (copied >= target || peek)
                break;
            continue;
        }
        // Linux's tcp_recvmsg(): what ends a read that has nothing (more) to return.
        if (copied) {
            if (pending_error() || state() == LinuxState::Close || m_rcv_shutdown || !limit.may_wait)
                break;
        } else {
            if (m_fin_received)
                break;
            if (int e = take_pending_error())
                return error(e);
            if (m_rcv_shutdown)
                break;
            if (state() == LinuxState::Close)
                return error(ENOTCONN);
            if (!limit.may_wait)
                return error(EAGAIN);
        }
        auto waited = block(lock, limit,
            [this] { return !m_received.empty() || m_fin_received || pending_error() || m_rcv_shutdown || !m_pcb; });
        if (waited.is_error()) {
            if (copied)
                break;
            return error(waited.error_code());
        }
    }
    return copied;
}

Result<void> TcpSocket::shutdown(int how)
{
    TcpLock lock(*this);
    if (how < k_shut_rd || how > k_shut_rdwr)
        return error(EINVAL);
    bool rd = how != k_shut_wr;
    bool wr = how != k_shut_rd;
    switch (state()) {
    case LinuxState::Close:
        // Linux still marks the socket (and wakes pollers, who see EPOLLHUP) before failing.
        m_rcv_shutdown |= rd;
        m_snd_shutdown |= wr;
        changed();
        return error(ENOTCONN);
    case LinuxState::Listen:
        if (rd)
            stop_listening();
        return {};
    case LinuxState::SynSent:
        abort_connection();
        m_connection = Connection::Unconnected;
        m_bound = m_user_bound;
        changed();
        return {};
    default:
        break;
    }
    if (rd)
        m_rcv_shutdown = true;
    if (wr && !m_snd_shutdown) {
        m_snd_shutdown = true;
        if (m_pcb) {
            tcp_shutdown(m_pcb, 0, 1);
            if (m_pcb)
                tcp_output(m_pcb);
        }
    }
    changed();
    return {};
}

Result<void> TcpSocket::local_address(SocketAddress& out)
{
    TcpLock lock(*this);
    if (m_pcb) {
        ip_addr_copy(m_local.address, m_pcb->local_ip);
        m_local.port = m_pcb->local_port;
    }
    if (!m_bound && !m_pcb) {
        ip_addr_t any;
        ip_addr_set_zero(&any);
        encode_address(family(), any, 0, out);
        return {};
    }
    encode_address(family(), m_local.address, m_local.port, out);
    return {};
}

Result<void> TcpSocket::peer_address(SocketAddress& out)
{
    TcpLock lock(*this);
    LinuxState s = state();
    if (!m_pcb || s == LinuxState::Listen || s == LinuxState::SynSent || s == LinuxState::Close)
        return error(ENOTCONN);
    encode_address(family(), m_pcb->remote_ip, m_pcb->remote_port, out);
    return {};
}

Result<int> TcpSocket::readable_bytes()
{
    if (m_listening)
        return error(EINVAL);
    return static_cast<int>(m_received.size() > 0x7fffffff ? 0x7fffffff : m_received.size());
}

int TcpSocket::unsent_bytes()
{
    if (!m_pcb)
        return 0;
    return static_cast<int>(TCP_SND_BUF - m_pcb->snd_buf);
}

Result<void> TcpSocket::get_protocol_option(int level, int name, void* value, u32& length)
{
    if (level != k_ipproto_tcp)
        return InetSocket::get_protocol_option(level, name, value, length);
    switch (name) {
    case k_tcp_nodelay: return put_option_int(value, length, m_nodelay);
    case k_tcp_cork: return put_option_int(value, length, m_cork);
    case k_tcp_keepidle: return put_option_int(value, length, static_cast<int>(m_keep_idle));
    case k_tcp_keepintvl: return put_option_int(value, length, static_cast<int>(m_keep_interval));
    case k_tcp_keepcnt: return put_option_int(value, length, static_cast<int>(m_keep_count));
    case k_tcp_syncnt: return put_option_int(value, length, m_syn_count);
    case k_tcp_linger2: return put_option_int(value, length, m_linger2);
    case k_tcp_defer_accept: return put_option_int(value, length, m_defer_accept);
    case k_tcp_window_clamp: return put_option_int(value, length, m_window_clamp);
    case k_tcp_quickack: return put_option_int(value, length, m_quickack);
    case k_tcp_user_timeout: return put_option_int(value, length, m_user_timeout);
    case k_tcp_fastopen: return put_option_int(value, length, m_fastopen);
    case k_tcp_notsent_lowat: return put_option_int(value, length, m_notsent_low_water < 0 ? 0 : m_notsent_low_water);
    case k_tcp_maxseg: {
        // Linux reports the default MSS (536) until a connection has one.
        int mss = m_pcb && !m_listening && m_pcb->state != CLOSED ? m_pcb->mss : (m_max_segment ? m_max_segment : 536);
        return put_option_int(value, length, mss);
    }
    case k_tcp_info: {
        // struct tcp_info: the fields lwIP knows, the rest zero.
        u8 info[232] = {};
        info[0] = linux_state_number(state());
        if (m_pcb && !m_listening) {
            auto put32 = [&](size_t at, u32 v) { copy_bytes(info + at, &v, 4); };
            put32(8, static_cast<u32>(m_pcb->rto) * TCP_SLOW_INTERVAL * 1000);  // tcpi_rto (µs)
            put32(16, m_pcb->mss);                                            // tcpi_snd_mss
            put32(20, m_pcb->mss);                                            // tcpi_rcv_mss
            put32(68, static_cast<u32>(m_pcb->sa >> 3) * TCP_SLOW_INTERVAL * 1000); // tcpi_rtt
            put32(76, m_pcb->ssthresh);                                       // tcpi_snd_ssthresh
            put32(80, m_pcb->mss ? m_pcb->cwnd / m_pcb->mss : 0);             // tcpi_snd_cwnd
            put32(84, m_pcb->mss);                                            // tcpi_advmss
        }
        u32 n = length < sizeof(info) ? length : static_cast<u32>(sizeof(info));
        copy_bytes(value, info, n);
        length = n;
        return {};
    }
    default:
        return error(ENOPROTOOPT);
    }
}

Result<void> TcpSocket::set_protocol_option(int level, int name, const void* value, u32 length)
{
    if (level != k_ipproto_tcp)
        return InetSocket::set_protocol_option(level, name, value, length);
    int v = TRY(option_int(value, length));
    switch (name) {
    case k_tcp_nodelay:
        m_nodelay = v != 0;
        if (m_nodelay && m_pcb && !m_listening)
            tcp_output(m_pcb); // Linux pushes what Nagle held back.
        break;
    case k_tcp_cork:
        m_cork = v != 0;
        if (!m_cork && m_pcb && !m_listening)
            tcp_output(m_pcb);
        break;
    case k_tcp_keepidle:
        if (v < 1 || v > 32767)
            return error(EINVAL);
        m_keep_idle = static_cast<u32>(v);
        break;
    case k_tcp_keepintvl:
        if (v < 1 || v > 32767)
            return error(EINVAL);
        m_keep_interval = static_cast<u32>(v);
        break;
    case k_tcp_keepcnt:
        if (v < 1 || v > 127)
            return error(EINVAL);
        m_keep_count = static_cast<u32>(v);
        break;
    case k_tcp_syncnt:
        if (v < 1 || v > 127)
            return error(EINVAL);
        m_syn_count = v;
        break;
    case k_tcp_maxseg:
        if (v != 0 && (v < 88 || v > 32767))
            return error(EINVAL);
        m_max_segment = v;
        break;
    case k_tcp_linger2: m_linger2 = v; break;
    case k_tcp_defer_accept: m_defer_accept = v < 0 ? 0 : v; break;
    case k_tcp_window_clamp: m_window_clamp = v < 0 ? 0 : v; break;
    case k_tcp_quickack: m_quickack = v != 0; break;
    case k_tcp_user_timeout:
        if (v < 0)
            return error(EINVAL);
        m_user_timeout = v;
        break;
    case k_tcp_fastopen: m_fastopen = v; break;
    case k_tcp_notsent_lowat: m_notsent_low_water = v; break;
    default:
        return error(ENOPROTOOPT);
    }
    apply_socket_options();
    return {};
}

void TcpSocket::release()
{
    CoreLock lock;
    if (m_listening) {
        stop_listening();
    } else if (m_pcb) {
        struct tcp_pcb* pcb = m_pcb;
        bool unread = !m_received.empty();
        detach();
        if (m_linger_seconds == 0 || unread || pcb->state == SYN_RCVD) {
            // SO_LINGER {1, 0}, or data the program never read: Linux resets the connection.
            tcp_abort(pcb);
        } else if (tcp_close(pcb) != ERR_OK) {
            // No memory for the FIN right now: lwIP cannot close it later without a callback
            // we could keep, so the connection is reset instead.
            tcp_abort(pcb);
        }
    }
    m_received.clear();
}

} // namespace

Result<Socket*> create_tcp_socket(int family, u32 status_flags)
{
    CoreLock lock;
    auto* socket = make<TcpSocket>(family, status_flags);
    if (!socket)
        return error(ENOMEM);
    if (auto opened = socket->open(); opened.is_error()) {
        socket->unref();
        return error(opened.error_code());
    }
    return static_cast<Socket*>(socket);
}

void limit_time_wait_locked()
{
    // New TIME_WAIT pcbs are put at the front: the ones past the limit are the oldest.
    struct tcp_pcb* pcb = tcp_tw_pcbs;
    for (size_t i = 0; pcb && i < k_max_time_wait; ++i)
        pcb = pcb->next;
    while (pcb) {
        struct tcp_pcb* next = pcb->next;
        tcp_abort(pcb); // Frees a TIME_WAIT pcb without sending anything.
        pcb = next;
    }
}

}
