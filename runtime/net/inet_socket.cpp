// SPDX-License-Identifier: MIT
// create_inet_socket() and the parts of every inet socket that do not depend on the protocol:
// the IPv4/IPv6 options, the SOL_SOCKET options the pcbs carry, ioctls.
#include "net/inet_socket.h"

#include "lib/string.h"
#include "mm/address_space.h"
#include "net/inet_socket_base.h"
#include "net/stack.h"
#include "net/tcp_socket.h"
#include "net/udp_socket.h"

extern "C" {
#include <lwip/ip_addr.h>
}

namespace uk::net {

namespace {

constexpr unsigned long k_fionread = 0x541b;
constexpr unsigned long k_siocoutq = 0x5411;
constexpr unsigned long k_siocatmark = 0x8905;

struct Linger {
    int on;
    int seconds;
};

} // namespace

Result<int> option_int(const void* value, u32 length)
{
    // Linux reads an int; shorter values are EINVAL for every option here.
    if (length < sizeof(int))
        return error(EINVAL);
    int v;
    copy_bytes(&v, value, sizeof(v));
    return v;
}

Result<void> put_option_int(void* value, u32& length, int v)
{
    // Linux: a shorter buffer gets the low bytes.
    u32 n = length < sizeof(int) ? length : static_cast<u32>(sizeof(int));
    copy_bytes(value, &v, n);
    length = n;
    return {};
}

InetSocket::InetSocket(int family, int type, int protocol, u32 status_flags)
    : Socket(family, type, protocol, status_flags, sched::WakeSource::External)
{
}

u8 InetSocket::pcb_address_type() const
{
    if (family() == k_af_inet)
        return IPADDR_TYPE_V4;
    return m_v6only ? IPADDR_TYPE_V6 : IPADDR_TYPE_ANY;
}

Result<void> InetSocket::get_option(int level, int name, void* value, u32& length)
{
    CoreLock lock;
    if (level == k_sol_socket)
        return Socket::get_option(level, name, value, length);
    return get_protocol_option(level, name, value, length);
}

Result<void> InetSocket::set_option(int level, int name, const void* value, u32 length)
{
    CoreLock lock;
    if (level != k_sol_socket)
        return set_protocol_option(level, name, value, length);
    TRY(Socket::set_option(level, name, value, length));
    // Socket keeps every SOL_SOCKET option; the pcbs need a few of them.
    int v;
    copy_bytes(&v, value, sizeof(v)); // Socket checked the length.
    switch (name) {
    case k_so_reuseaddr:
        m_reuse_address = v != 0;
        break;
    case k_so_reuseport:
        m_reuse_port = v != 0;
        break;
    case k_so_keepalive:
        m_keepalive = v != 0;
        break;
    case k_so_broadcast:
        m_broadcast = v != 0;
        break;
    case k_so_linger: {
        Linger l;
        copy_bytes(&l, value, sizeof(l));
        m_linger_seconds = l.on ? (l.seconds < 0 ? 0 : l.seconds) : -1;
        break;
    }
    default:
        return {};
    }
    apply_socket_options();
    return {};
}

Result<void> InetSocket::get_protocol_option(int level, int name, void* value, u32& length)
{
    if (level == k_ipproto_ip) {
        switch (name) {
        case k_ip_ttl:
            return put_option_int(value, length, m_ttl ? m_ttl : 64);
        case k_ip_tos:
            return put_option_int(value, length, m_tos);
        case k_ip_recverr:
            return put_option_int(value, length, m_recverr);
        case k_ip_mtu_discover:
            return put_option_int(value, length, m_mtu_discover);
        default:
            return error(ENOPROTOOPT);
        }
    }
    if (level == k_ipproto_ipv6 && family() == k_af_inet6) {
        switch (name) {
        case k_ipv6_v6only:
            return put_option_int(value, length, m_v6only);
        case k_ipv6_unicast_hops:
            return put_option_int(value, length, m_ttl ? m_ttl : 64);
        case k_ipv6_tclass:
            return put_option_int(value, length, m_tos);
        case k_ipv6_recverr:
            return put_option_int(value, length, m_recverr);
        default:
            return error(ENOPROTOOPT);
        }
    }
    // Linux's ip_getsockopt() answers EOPNOTSUPP for a level it does not know (its setsockopt
    // ENOPROTOOPT); ipv6_getsockopt() ENOPROTOOPT.
    return error(family() == k_af_inet ? EOPNOTSUPP : ENOPROTOOPT);
}

Result<void> InetSocket::set_protocol_option(int level, int name, const void* value, u32 length)
{
    if (level == k_ipproto_ip) {
        int v = TRY(option_int(value, length));
        switch (name) {
        case k_ip_ttl:
            if (v == -1)
                v = 0;
            else if (v < 1 || v > 255)
                return error(EINVAL);
            m_ttl = static_cast<u8>(v);
            break;
        case k_ip_tos:
            m_tos = static_cast<u8>(v);
            break;
        case k_ip_recverr:
            m_recverr = v != 0;
            break;
        case k_ip_mtu_discover:
            if (v < 0 || v > 5)
                return error(EINVAL);
            m_mtu_discover = v;
            break;
        default:
            return error(ENOPROTOOPT);
        }
        apply_socket_options();
        return {};
    }
    if (level == k_ipproto_ipv6 && family() == k_af_inet6) {
        int v = TRY(option_int(value, length));
        switch (name) {
        case k_ipv6_v6only:
            if (is_bound())
                return error(EINVAL);
            m_v6only = v != 0;
            break;
        case k_ipv6_unicast_hops:
            if (v < -1 || v > 255)
                return error(EINVAL);
            m_ttl = static_cast<u8>(v == -1 ? 0 : v);
            break;
        case k_ipv6_tclass:
            if (v < -1 || v > 255)
                return error(EINVAL);
            m_tos = static_cast<u8>(v == -1 ? 0 : v);
            break;
        case k_ipv6_recverr:
            m_recverr = v != 0;
            break;
        default:
            return error(ENOPROTOOPT);
        }
        apply_socket_options();
        return {};
    }
    return error(ENOPROTOOPT);
}

Result<long> InetSocket::ioctl(unsigned long request, long argument)
{
    CoreLock lock;
    switch (request) {
    case k_fionread: {
        if (!mm::is_user_range(static_cast<u64>(argument), sizeof(int), true))
            return error(EFAULT);
        int n = TRY(readable_bytes());
        *reinterpret_cast<int*>(argument) = n;
        return 0;
    }
    case k_siocoutq:
        if (!mm::is_user_range(static_cast<u64>(argument), sizeof(int), true))
            return error(EFAULT);
        if (is_listening())
            return error(EINVAL);
        *reinterpret_cast<int*>(argument) = unsent_bytes();
        return 0;
    case k_siocatmark:
        if (!mm::is_user_range(static_cast<u64>(argument), sizeof(int), true))
            return error(EFAULT);
        *reinterpret_cast<int*>(argument) = 0;
        return 0;
    default:
        // The interface requests every family answers.
        return Socket::ioctl(request, argument);
    }
}

Result<Socket*> create_inet_socket(int family, int type, int protocol, u32 status_flags)
{
    if (family != k_af_inet && family != k_af_inet6)
        return error(EAFNOSUPPORT);
    // Linux's inet_create(): a wildcard or the type's own protocol; other types have none.
    if (type == k_sock_stream) {
        if (protocol != 0 && protocol != k_ipproto_tcp)
            return error(EPROTONOSUPPORT);
    } else if (type == k_sock_dgram) {
        if (protocol != 0 && protocol != k_ipproto_udp)
            return error(EPROTONOSUPPORT);
    } else {
        return error(ESOCKTNOSUPPORT);
    }
    TRY(start_stack());
    if (type == k_sock_stream)
        return TRY(create_tcp_socket(family, status_flags));
    return TRY(create_udp_socket(family, status_flags));
}

}
