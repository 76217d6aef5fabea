// SPDX-License-Identifier: MIT
// SOCK_DGRAM sockets of AF_INET and AF_INET6 over lwIP's raw UDP API.
#pragma once

#include "lib/result.h"
#include "net/socket.h"

namespace uk::net {

// A new, unbound UDP socket (the stack is running). ENOMEM without memory for it.
Result<Socket*> create_udp_socket(int family, u32 status_flags);

}
