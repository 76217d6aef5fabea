// SPDX-License-Identifier: MIT
// AF_NETLINK sockets of protocol NETLINK_ROUTE, as far as programs enumerate interfaces with
// them: RTM_GETLINK and RTM_GETADDR dumps (musl's getifaddrs() and if_nameindex()). Other
// requests are answered with an NLMSG_ERROR of EOPNOTSUPP; nothing is ever multicast.
#pragma once

#include "lib/result.h"
#include "net/socket.h"

namespace uk::net {

// socket(AF_NETLINK, SOCK_RAW or SOCK_DGRAM, NETLINK_ROUTE). EPROTONOSUPPORT for other netlink
// protocols, ESOCKTNOSUPPORT for other types.
Result<Socket*> create_netlink_socket(int type, int protocol, u32 status_flags);

}
