// SPDX-License-Identifier: MIT
// AF_INET and AF_INET6 sockets (TCP, UDP) over the network stack: the one entry point the
// generic socket code (net/socket.cpp) needs.
#pragma once

#include "net/socket.h"

namespace uk::net {

// A new AF_INET or AF_INET6 socket; see create_socket() for the arguments and errors.
Result<Socket*> create_inet_socket(int family, int type, int protocol, u32 status_flags);

}
