// SPDX-License-Identifier: MIT
// sockaddr_in / sockaddr_in6 <-> lwIP addresses.
#include "net/inet_address.h"

#include "lib/string.h"
#include "net/stack.h"

extern "C" {
#include <lwip/ip6_zone.h>
#include <lwip/netif.h>
}

namespace uk::net {

namespace {

u16 read_u16(const u8* p) { return static_cast<u16>(p[0] | p[1] << 8); }
u16 read_be16(const u8* p) { return static_cast<u16>(p[0] << 8 | p[1]); }
void write_u16(u8* p, u16 v)
{
    p[0] = static_cast<u8>(v);
    p[1] = static_cast<u8>(v >> 8);
}
void write_be16(u8* p, u16 v)
{
    p[0] = static_cast<u8>(v >> 8);
    p[1] = static_cast<u8>(v);
}

bool is_v4_mapped(const u8* a)
{
    for (int i = 0; i < 10; ++i)
        if (a[i])
            return false;
    return a[10] == 0xff && a[11] == 0xff;
}

void set_v4(ip_addr_t& out, const u8* bytes)
{
    u32 word;
    copy_bytes(&word, bytes, 4); // Network byte order, as lwIP keeps it.
    ip_addr_set_ip4_u32_val(out, word);
}

} // namespace

int address_family(const SocketAddress& address)
{
    return address.length >= 2 ? read_u16(address.bytes) : -1;
}

Result<Endpoint> decode_address(int family, bool v6only, const SocketAddress& address, AddressUse use)
{
    Endpoint endpoint {};
    const u8* b = address.bytes;
    if (family == k_af_inet) {
        if (address.length < k_sockaddr_in_length)
            return error(EINVAL);
        int given = read_u16(b);
        u32 s_addr;
        copy_bytes(&s_addr, b + 4, 4);
        // Linux's compatibility rule: bind() takes AF_UNSPEC for INADDR_ANY.
        if (given != k_af_inet && !(use == AddressUse::Bind && given == k_af_unspec && s_addr == 0))
            return error(EAFNOSUPPORT);
        set_v4(endpoint.address, b + 4);
        endpoint.port = read_be16(b + 2);
    } else {
        if (address.length < k_sockaddr_in6_min_length)
            return error(EINVAL);
        if (read_u16(b) != k_af_inet6)
            return error(EAFNOSUPPORT);
        endpoint.port = read_be16(b + 2);
        const u8* a = b + 8;
        if (is_v4_mapped(a)) {
            if (v6only)
                return error(use == AddressUse::Bind ? EINVAL : ENETUNREACH);
            set_v4(endpoint.address, a + 12);
        } else {
            ip6_addr_t* ip6 = ip_2_ip6(&endpoint.address);
            copy_bytes(ip6->addr, a, 16);
            IP_SET_TYPE_VAL(endpoint.address, IPADDR_TYPE_V6);
            u32 scope = address.length >= k_sockaddr_in6_length
                ? static_cast<u32>(b[24] | b[25] << 8 | b[26] << 16 | static_cast<u32>(b[27]) << 24)
                : 0;
            ip6_addr_clear_zone(ip6);
            if (ip6_addr_has_scope(ip6, IP6_UNKNOWN)) {
                if (scope > 0xff)
                    return error(use == AddressUse::Bind ? ENODEV : EINVAL);
                if (scope)
                    ip6_addr_set_zone(ip6, static_cast<u8>(scope));
                else if (struct netif* device = device_interface())
                    ip6_addr_assign_zone(ip6, IP6_UNKNOWN, device);
            }
        }
    }
    if (use == AddressUse::Connect && ip_addr_isany_val(endpoint.address)) {
        // Linux: connecting to the unspecified address reaches this host.
        if (IP_IS_V6_VAL(endpoint.address)) {
            ip6_addr_set_loopback(ip_2_ip6(&endpoint.address));
        } else {
            ip_addr_set_ip4_u32_val(endpoint.address, lwip_htonl(0x7f000001));
        }
    }
    return endpoint;
}

void encode_address(int family, const ip_addr_t& address, u16 port, SocketAddress& out)
{
    u8* b = out.bytes;
    if (family == k_af_inet) {
        fill_bytes(b, 0, k_sockaddr_in_length);
        write_u16(b, k_af_inet);
        write_be16(b + 2, port);
        u32 word = IP_IS_V6_VAL(address) ? 0 : ip4_addr_get_u32(ip_2_ip4(&address));
        copy_bytes(b + 4, &word, 4);
        out.length = k_sockaddr_in_length;
        return;
    }
    fill_bytes(b, 0, k_sockaddr_in6_length);
    write_u16(b, k_af_inet6);
    write_be16(b + 2, port);
    u8* a = b + 8;
    if (IP_IS_V6_VAL(address)) {
        const ip6_addr_t* ip6 = ip_2_ip6(&address);
        copy_bytes(a, ip6->addr, 16);
        if (ip6_addr_has_zone(ip6))
            b[24] = ip6_addr_zone(ip6);
    } else if (IP_IS_V4_VAL(address) && !ip4_addr_isany(ip_2_ip4(&address))) {
        // An IPv4 endpoint of a dual-stack socket: ::ffff:a.b.c.d.
        a[10] = a[11] = 0xff;
        u32 word = ip4_addr_get_u32(ip_2_ip4(&address));
        copy_bytes(a + 12, &word, 4);
    }
    out.length = k_sockaddr_in6_length;
}

bool is_local_address(const ip_addr_t& address)
{
    if (ip_addr_isany_val(address))
        return true;
    if (IP_IS_V4_VAL(address)) {
        // Linux answers for all of 127.0.0.0/8.
        if (ip4_addr_isloopback(ip_2_ip4(&address)))
            return true;
        // Broadcast and multicast addresses may be bound for receiving.
        if (ip4_addr_ismulticast(ip_2_ip4(&address)))
            return true;
        if (netif_default && ip4_addr_isbroadcast(ip_2_ip4(&address), netif_default))
            return true;
    }
    struct netif* netif;
    NETIF_FOREACH(netif) {
        if (IP_IS_V4_VAL(address)) {
            if (ip4_addr_cmp(ip_2_ip4(&address), netif_ip4_addr(netif)))
                return true;
        } else {
            if (ip6_addr_ismulticast(ip_2_ip6(&address)))
                return true;
            if (netif_get_ip6_addr_match(netif, ip_2_ip6(&address)) >= 0)
                return true;
        }
    }
    return false;
}

}
