// SPDX-License-Identifier: MIT
// NETLINK_ROUTE sockets: requests in, replies queued as datagrams (one per request, all its
// messages in one page, which holds the dumps of our two interfaces many times over).
#include "net/netlink_socket.h"

#include "fs/file_description.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "net/inet_address.h"
#include "net/inet_socket_base.h"
#include "net/interfaces.h"
#include "net/stack.h"

namespace uk::net {

namespace {

constexpr int k_netlink_route = 0;
constexpr int k_sol_netlink = 270;

// [linux/netlink.h] [linux/rtnetlink.h]
constexpr u16 k_nlm_f_request = 0x1;
constexpr u16 k_nlm_f_multi = 0x2;
constexpr u16 k_nlm_f_ack = 0x4;
constexpr u16 k_nlm_f_dump = 0x300;
constexpr u16 k_nlmsg_error = 2;
constexpr u16 k_nlmsg_done = 3;
constexpr u16 k_rtm_newlink = 16;
constexpr u16 k_rtm_getlink = 18;
constexpr u16 k_rtm_newaddr = 20;
constexpr u16 k_rtm_getaddr = 22;
constexpr u16 k_ifla_address = 1;
constexpr u16 k_ifla_broadcast = 2;
constexpr u16 k_ifla_ifname = 3;
constexpr u16 k_ifla_mtu = 4;
constexpr u16 k_ifla_stats = 7;
constexpr u16 k_ifla_txqlen = 13;
constexpr u16 k_ifla_operstate = 16;
constexpr u16 k_ifa_address = 1;
constexpr u16 k_ifa_local = 2;
constexpr u16 k_ifa_label = 3;
constexpr u16 k_ifa_broadcast = 4;
constexpr u16 k_ifa_flags = 8;
constexpr u32 k_ifa_f_permanent = 0x80;
constexpr size_t k_header_size = 16;
constexpr size_t k_rtnl_link_stats_size = 92;
constexpr size_t k_sockaddr_nl_size = 12;
constexpr size_t k_max_replies = 16;

constexpr size_t align4(size_t n) { return (n + 3) & ~size_t(3); }

struct Reply {
    Reply* next = nullptr;
    u8* data = nullptr; // One page.
    size_t length = 0;
};

// Builds one reply datagram: messages appended one after another, each with attributes.
class ReplyWriter {
public:
    explicit ReplyWriter(u8* page) : m_data(page) {}

    bool overflowed() const { return m_overflow; }
    size_t length() const { return m_length; }

    void begin(u16 type, u16 flags, u32 sequence, u32 pid)
    {
        m_message = m_length;
        u8 header[k_header_size] = {};
        copy_bytes(header + 4, &type, 2);
        copy_bytes(header + 6, &flags, 2);
        copy_bytes(header + 8, &sequence, 4);
        copy_bytes(header + 12, &pid, 4);
        put(header, k_header_size);
    }
    void put(const void* bytes, size_t n)
    {
        if (m_overflow || m_length + align4(n) > k_page_size) {
            m_overflow = true;
            return;
        }
        copy_bytes(m_data + m_length, bytes, n);
        fill_bytes(m_data + m_length + n, 0, align4(n) - n);
        m_length += align4(n);
    }
    void attribute(u16 type, const void* bytes, size_t n)
    {
        u16 header[2] = { static_cast<u16>(4 + n), type };
        put(header, 4);
        put(bytes, n);
    }
    void attribute_u32(u16 type, u32 v) { attribute(type, &v, 4); }
    void end()
    {
        if (m_overflow)
            return;
        u32 n = static_cast<u32>(m_length - m_message);
        copy_bytes(m_data + m_message, &n, 4);
    }

private:
    u8* m_data;
    size_t m_length = 0;
    size_t m_message = 0;
    bool m_overflow = false;
};

class NetlinkSocket final : public Socket {
public:
    NetlinkSocket(int type, u32 status_flags, u32 pid)
        : Socket(k_af_netlink, type, k_netlink_route, status_flags, sched::WakeSource::External)
        , m_pid(pid)
    {
    }

    Result<void> bind(const SocketAddress& address) override;
    Result<void> connect(const SocketAddress& address) override;
    Result<size_t> send(const Message& message, int flags) override;
    Result<size_t> receive(Message& message, int flags) override;
    Result<void> shutdown(int) override { return error(EOPNOTSUPP); }
    Result<void> set_option(int level, int name, const void* value, u32 length) override;
    Result<void> local_address(SocketAddress& out) override;
    Result<void> peer_address(SocketAddress& out) override;
    u32 readiness() override;

protected:
    void release() override;

private:
    void handle_request(const u8* request, size_t length);
    void queue(ReplyWriter& writer, u8* page);
    void dump_links(ReplyWriter& w, u32 sequence, u16 flags, int only_index);
    void dump_addresses(ReplyWriter& w, u32 sequence, int family);
    void error_reply(ReplyWriter& w, const u8* request, int code);
    void put_address(SocketAddress& out, u32 pid) const;

    Reply* m_head = nullptr;
    Reply* m_tail = nullptr;
    size_t m_count = 0;
    u32 m_pid;
    u32 m_groups = 0;
};

u32 g_next_pid = 1;

u32 NetlinkSocket::readiness()
{
    return (m_head ? fs::k_poll_in | fs::k_poll_rdnorm : 0) | fs::k_poll_out | fs::k_poll_wrnorm;
}

void NetlinkSocket::put_address(SocketAddress& out, u32 pid) const
{
    // struct sockaddr_nl { sa_family_t nl_family; unsigned short nl_pad; u32 nl_pid, nl_groups; }
    fill_bytes(out.bytes, 0, k_sockaddr_nl_size);
    u16 family = k_af_netlink;
    copy_bytes(out.bytes, &family, 2);
    copy_bytes(out.bytes + 4, &pid, 4);
    if (pid)
        copy_bytes(out.bytes + 8, &m_groups, 4);
    out.length = k_sockaddr_nl_size;
}

Result<void> NetlinkSocket::bind(const SocketAddress& address)
{
    if (address.length < k_sockaddr_nl_size || address_family(address) != k_af_netlink)
        return error(EINVAL);
    u32 pid, groups;
    copy_bytes(&pid, address.bytes + 4, 4);
    copy_bytes(&groups, address.bytes + 8, 4);
    if (pid)
        m_pid = pid;
    // Subscriptions are accepted; no event is ever sent (interfaces do not change at run time
    // except the DHCP address).
    m_groups = groups;
    return {};
}

Result<void> NetlinkSocket::connect(const SocketAddress& address)
{
    if (address.length < k_sockaddr_nl_size || address_family(address) != k_af_netlink)
        return error(EINVAL);
    return {};
}

Result<void> NetlinkSocket::local_address(SocketAddress& out)
{
    put_address(out, m_pid);
    return {};
}

Result<void> NetlinkSocket::peer_address(SocketAddress& out)
{
    put_address(out, 0);
    return {};
}

Result<void> NetlinkSocket::set_option(int level, int name, const void* value, u32 length)
{
    // NETLINK_ADD_MEMBERSHIP, NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK...: nothing to change here.
    if (level == k_sol_netlink)
        return option_int(value, length).is_error() ? Result<void>(error(EINVAL)) : Result<void>();
    return Socket::set_option(level, name, value, length);
}

void NetlinkSocket::dump_links(ReplyWriter& w, u32 sequence, u16 flags, int only_index)
{
    InterfaceInfo interfaces[k_max_interfaces];
    size_t count = list_interfaces(interfaces, k_max_interfaces);
    for (size_t i = 0; i < count; ++i) {
        const InterfaceInfo& info = interfaces[i];
        if (only_index && info.index != only_index)
            continue;
        w.begin(k_rtm_newlink, flags, sequence, m_pid);
        // struct ifinfomsg
        u8 ifi[16] = {};
        copy_bytes(ifi + 2, &info.hardware_type, 2);
        copy_bytes(ifi + 4, &info.index, 4);
        copy_bytes(ifi + 8, &info.flags, 4);
        w.put(ifi, sizeof(ifi));
        w.attribute(k_ifla_ifname, info.name, string_length(info.name) + 1);
        w.attribute_u32(k_ifla_txqlen, 1000);
        u8 operstate = info.hardware_type == k_arphrd_loopback ? 0 : (info.flags & k_iff_running ? 6 : 2);
        w.attribute(k_ifla_operstate, &operstate, 1);
        w.attribute_u32(k_ifla_mtu, info.mtu);
        u8 broadcast[6];
        fill_bytes(broadcast, info.hardware_type == k_arphrd_ether ? 0xff : 0, 6);
        w.attribute(k_ifla_address, info.mac, 6);
        w.attribute(k_ifla_broadcast, broadcast, 6);
        u8 stats[k_rtnl_link_stats_size] = {};
        w.attribute(k_ifla_stats, stats, sizeof(stats));
        w.end();
    }
}

void NetlinkSocket::dump_addresses(ReplyWriter& w, u32 sequence, int family)
{
    InterfaceAddress addresses[k_max_interface_addresses];
    size_t count = list_interface_addresses(addresses, k_max_interface_addresses);
    for (size_t i = 0; i < count; ++i) {
        const InterfaceAddress& a = addresses[i];
        if (family != k_af_unspec && family != a.family)
            continue;
        InterfaceInfo info;
        if (!find_interface(a.index, info))
            continue;
        w.begin(k_rtm_newaddr, k_nlm_f_multi, sequence, m_pid);
        // struct ifaddrmsg
        u8 ifa[8] = { static_cast<u8>(a.family), a.prefix_length, static_cast<u8>(k_ifa_f_permanent), a.scope };
        u32 index = static_cast<u32>(a.index);
        copy_bytes(ifa + 4, &index, 4);
        w.put(ifa, sizeof(ifa));
        size_t length = a.family == k_af_inet ? 4 : 16;
        // Linux's order, which musl's getifaddrs() relies on: IFA_ADDRESS, IFA_LOCAL, IFA_BROADCAST.
        w.attribute(k_ifa_address, a.address, length);
        if (a.family == k_af_inet) {
            w.attribute(k_ifa_local, a.address, length);
            if (a.has_broadcast)
                w.attribute(k_ifa_broadcast, a.broadcast, 4);
            w.attribute(k_ifa_label, info.name, string_length(info.name) + 1);
        }
        w.attribute_u32(k_ifa_flags, k_ifa_f_permanent);
        w.end();
    }
}

void NetlinkSocket::error_reply(ReplyWriter& w, const u8* request, int code)
{
    u32 sequence;
    copy_bytes(&sequence, request + 8, 4);
    w.begin(k_nlmsg_error, 0, sequence, m_pid);
    // struct nlmsgerr { int error; struct nlmsghdr msg; }
    int negative = -code;
    w.put(&negative, 4);
    w.put(request, k_header_size);
    w.end();
}

void NetlinkSocket::queue(ReplyWriter& writer, u8* page)
{
    auto* reply = make<Reply>();
    if (!reply || m_count == k_max_replies) {
        // Linux drops what does not fit the receive buffer.
        destroy(reply);
        free_page(page);
        return;
    }
    reply->data = page;
    reply->length = writer.length();
    if (m_tail)
        m_tail->next = reply;
    else
        m_head = reply;
    m_tail = reply;
    ++m_count;
    notify_readiness(fs::k_poll_in | fs::k_poll_rdnorm);
}

void NetlinkSocket::handle_request(const u8* request, size_t length)
{
    u32 message_length;
    u16 type, flags;
    u32 sequence;
    copy_bytes(&message_length, request, 4);
    copy_bytes(&type, request + 4, 2);
    copy_bytes(&flags, request + 6, 2);
    copy_bytes(&sequence, request + 8, 4);
    if (!(flags & k_nlm_f_request))
        return; // Linux ignores what is not a request.
    auto* page = static_cast<u8*>(allocate_page());
    if (!page)
        return;
    ReplyWriter w(page);
    const u8* payload = request + k_header_size;
    size_t payload_length = length - k_header_size;
    if ((type == k_rtm_getlink || type == k_rtm_getaddr) && (flags & k_nlm_f_dump) == k_nlm_f_dump) {
        int family = payload_length >= 1 ? payload[0] : k_af_unspec;
        if (type == k_rtm_getlink)
            dump_links(w, sequence, k_nlm_f_multi, 0);
        else
            dump_addresses(w, sequence, family);
        w.begin(k_nlmsg_done, k_nlm_f_multi, sequence, m_pid);
        int zero = 0;
        w.put(&zero, 4);
        w.end();
    } else if (type == k_rtm_getlink && payload_length >= 16) {
        int index;
        copy_bytes(&index, payload + 4, 4);
        InterfaceInfo info;
        if (index > 0 && find_interface(index, info)) {
            dump_links(w, sequence, 0, index);
            if (flags & k_nlm_f_ack)
                error_reply(w, request, 0); // An NLMSG_ERROR of 0 is the acknowledgement.
        } else {
            error_reply(w, request, ENODEV);
        }
    } else {
        error_reply(w, request, EOPNOTSUPP);
    }
    if (w.overflowed()) {
        free_page(page);
        return;
    }
    queue(w, page);
}

Result<size_t> NetlinkSocket::send(const Message& message, int)
{
    size_t total = 0;
    for (size_t i = 0; i < message.segment_count; ++i)
        total += message.segments[i].length;
    if (total > k_page_size)
        return error(EMSGSIZE);
    u8 request[k_page_size];
    size_t at = 0;
    for (size_t i = 0; i < message.segment_count; ++i) {
        copy_bytes(request + at, message.segments[i].base, message.segments[i].length);
        at += message.segments[i].length;
    }
    // Every complete message in the datagram is a request ([linux/netlink.h] NLMSG_OK).
    for (size_t offset = 0; offset + k_header_size <= total;) {
        u32 length;
        copy_bytes(&length, request + offset, 4);
        if (length < k_header_size || length > total - offset)
            break;
        handle_request(request + offset, length);
        offset += align4(length);
    }
    return total;
}

Result<size_t> NetlinkSocket::receive(Message& message, int flags)
{
    message.result_flags = 0;
    message.control_length = 0;
    TRY(wait_for(receive_limit(flags & k_msg_dontwait), [this] { return m_head != nullptr; }));
    Reply* reply = m_head;
    size_t copied = 0;
    for (size_t i = 0; i < message.segment_count && copied < reply->length; ++i) {
        size_t n = message.segments[i].length;
        if (n > reply->length - copied)
            n = reply->length - copied;
        copy_bytes(message.segments[i].base, reply->data + copied, n);
        copied += n;
    }
    if (copied < reply->length)
        message.result_flags |= k_msg_trunc;
    if (message.address) {
        SocketAddress from;
        put_address(from, 0);
        u32 n = from.length < message.address_capacity ? from.length : message.address_capacity;
        copy_bytes(message.address, from.bytes, n);
        message.address_length = from.length;
    }
    size_t length = reply->length;
    if (!(flags & k_msg_peek)) {
        m_head = reply->next;
        if (!m_head)
            m_tail = nullptr;
        --m_count;
        free_page(reply->data);
        destroy(reply);
    }
    return (flags & k_msg_trunc) ? length : copied;
}

void NetlinkSocket::release()
{
    while (Reply* reply = m_head) {
        m_head = reply->next;
        free_page(reply->data);
        destroy(reply);
    }
    m_tail = nullptr;
}

} // namespace

Result<Socket*> create_netlink_socket(int type, int protocol, u32 status_flags)
{
    if (type != k_sock_raw && type != k_sock_dgram)
        return error(ESOCKTNOSUPPORT);
    if (protocol != k_netlink_route)
        return error(EPROTONOSUPPORT);
    // Interface addresses are lwIP's (DHCP's, IPv6's): the stack starts for the first dump.
    TRY(start_stack());
    auto* socket = make<NetlinkSocket>(type, status_flags, g_next_pid++);
    if (!socket)
        return error(ENOMEM);
    return static_cast<Socket*>(socket);
}

}
