// SPDX-License-Identifier: MIT
// Placeholder until the lwIP port lands: no AF_INET/AF_INET6 sockets yet.
#include "net/inet_socket.h"

namespace uk::net {

Result<Socket*> create_inet_socket(int, int, int, u32) { return error(EAFNOSUPPORT); }

}
