// SPDX-License-Identifier: MIT
// AF_UNIX address parsing and formatting.
#include "net/unix_address.h"

#include "lib/string.h"

namespace uk::net {

namespace {

u16 family_of(const SocketAddress& address)
{
    return static_cast<u16>(address.bytes[0] | address.bytes[1] << 8);
}

} // namespace

bool UnixAddress::equals(const UnixAddress& other) const
{
    if (length != other.length)
        return false;
    for (u32 i = 0; i < length; ++i)
        if (bytes[i] != other.bytes[i])
            return false;
    return true;
}

void UnixAddress::to_socket_address(SocketAddress& out) const
{
    if (!is_named()) {
        out.bytes[0] = k_af_unix;
        out.bytes[1] = 0;
        out.length = k_sun_path_offset;
        return;
    }
    copy_bytes(out.bytes, bytes, length);
    out.length = length;
}

Result<void> validate_unix_address(const SocketAddress& address)
{
    if (address.length <= k_sun_path_offset || address.length > k_sockaddr_un_size)
        return error(EINVAL);
    if (family_of(address) != k_af_unix)
        return error(EINVAL);
    return {};
}

bool is_autobind_request(const SocketAddress& address)
{
    return address.length == k_sun_path_offset && family_of(address) == k_af_unix;
}

UnixAddress parse_unix_address(const SocketAddress& address)
{
    UnixAddress out;
    copy_bytes(out.bytes, address.bytes, address.length);
    if (address.bytes[k_sun_path_offset] == 0) {
        out.length = address.length;
        return out;
    }
    // unix_mkname_bsd: the path ends at its first NUL, or where the given length ends (Linux
    // writes a NUL there, possibly just past sun_path); the length counts one terminator.
    u32 end = k_sun_path_offset;
    while (end < address.length && address.bytes[end])
        ++end;
    out.bytes[end] = 0;
    out.length = end + 1;
    return out;
}

UnixAddress autobind_address(u32 number)
{
    static constexpr char k_hex[] = "0123456789abcdef";
    UnixAddress out;
    out.bytes[0] = k_af_unix;
    out.bytes[1] = 0;
    out.bytes[2] = 0;
    for (int i = 0; i < 5; ++i)
        out.bytes[3 + i] = static_cast<u8>(k_hex[(number >> (4 * (4 - i))) & 0xf]);
    out.length = k_sun_path_offset + 6;
    return out;
}

}
