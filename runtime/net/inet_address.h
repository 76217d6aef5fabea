// SPDX-License-Identifier: MIT
// Socket addresses of the inet families: struct sockaddr_in / sockaddr_in6 bytes to lwIP
// addresses and back, with Linux's checks (lengths, families, IPv4-mapped IPv6 addresses on
// dual-stack sockets) and Linux's errors.
#pragma once

#include "lib/result.h"
#include "lib/types.h"
#include "net/socket.h"

extern "C" {
#include <lwip/ip_addr.h>
}

namespace uk::net {

// (AF_UNSPEC, AF_UNIX, AF_INET and AF_INET6 are net/socket.h's.)
inline constexpr int k_af_netlink = 16;
inline constexpr int k_af_packet = 17;

inline constexpr u32 k_sockaddr_in_length = 16;
inline constexpr u32 k_sockaddr_in6_length = 28;
// [RFC 2133] sockaddr_in6 without sin6_scope_id: the least Linux accepts.
inline constexpr u32 k_sockaddr_in6_min_length = 24;

struct Endpoint {
    ip_addr_t address;
    u16 port; // Host byte order.
};

// What an address is for: bind() accepts only local addresses; connect()/sendto() turn the
// unspecified address into loopback, as Linux does.
enum class AddressUse { Bind, Connect };

// Decodes `address` for a socket of `family` (k_af_inet, k_af_inet6). `v6only`: an AF_INET6
// socket that refuses IPv4-mapped addresses. EINVAL (short address, mapped address on a v6-only
// socket when binding), EAFNOSUPPORT (wrong family), ENETUNREACH (mapped address on a v6-only
// socket when connecting).
Result<Endpoint> decode_address(int family, bool v6only, const SocketAddress& address, AddressUse use);
// Encodes an endpoint for a socket of `family`: IPv4 endpoints of AF_INET6 sockets become
// ::ffff:a.b.c.d.
void encode_address(int family, const ip_addr_t& address, u16 port, SocketAddress& out);
// The family field of the program's address (0 when it is too short to have one).
int address_family(const SocketAddress& address);

// Whether `address` is one of this host's (or unspecified): what bind() accepts.
bool is_local_address(const ip_addr_t& address);

}
