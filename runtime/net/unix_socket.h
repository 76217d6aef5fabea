// SPDX-License-Identifier: MIT
// AF_UNIX sockets, entirely in the guest: SOCK_STREAM, SOCK_DGRAM and SOCK_SEQPACKET, bound to a
// path in the file tree, to an abstract name or to nothing, with SCM_RIGHTS and SCM_CREDENTIALS.
// The entry points the generic socket code (net/socket.cpp) needs.
#pragma once

#include "net/socket.h"

namespace uk::net {

// A new AF_UNIX socket; see create_socket() for the arguments and errors.
Result<Socket*> create_unix_socket(int type, int protocol, u32 status_flags);
// Two connected AF_UNIX sockets (socketpair).
Result<void> create_unix_socket_pair(int type, int protocol, u32 status_flags, Socket* out[2]);

}
