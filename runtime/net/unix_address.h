// SPDX-License-Identifier: MIT
// AF_UNIX addresses (struct sockaddr_un) as Linux reads and keeps them: a path name (its length is
// measured up to the first NUL, plus one, like unix_mkname_bsd), an abstract name (a leading NUL;
// every byte of the given length counts), or nothing (unnamed; bind() with only the family
// autobinds). Portable (host unit tests in unix_address_test.cpp).
#pragma once

#include "lib/result.h"
#include "net/socket.h"

namespace uk::net {

inline constexpr u32 k_sun_path_offset = 2;       // offsetof(struct sockaddr_un, sun_path)
inline constexpr u32 k_sockaddr_un_size = 110;    // sizeof(struct sockaddr_un)
// A 108-byte path without a terminator becomes 111 bytes: Linux terminates it past sun_path.
inline constexpr u32 k_unix_address_capacity = k_sockaddr_un_size + 2;

enum class UnixNameKind { Path, Abstract };

struct UnixAddress {
    u32 length = 0; // 0: unnamed.
    u8 bytes[k_unix_address_capacity] {};

    bool is_named() const { return length > k_sun_path_offset; }
    UnixNameKind kind() const { return bytes[k_sun_path_offset] ? UnixNameKind::Path : UnixNameKind::Abstract; }
    // A path name's NUL-terminated path.
    const char* path() const { return reinterpret_cast<const char*>(bytes + k_sun_path_offset); }
    bool equals(const UnixAddress& other) const;
    // What getsockname/getpeername report: the name, or just the family for an unnamed socket.
    void to_socket_address(SocketAddress& out) const;
};

// unix_validate_addr: EINVAL unless the length leaves room for a name (more than the family) and
// fits struct sockaddr_un, and the family is AF_UNIX.
Result<void> validate_unix_address(const SocketAddress& address);
// Whether bind() was given only the family (autobind), as unix_bind checks first.
bool is_autobind_request(const SocketAddress& address);
// The name a validated address gives.
UnixAddress parse_unix_address(const SocketAddress& address);
// The abstract name autobind gives: a NUL and five hex digits of `number`.
UnixAddress autobind_address(u32 number);

}
