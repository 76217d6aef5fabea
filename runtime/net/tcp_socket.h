// SPDX-License-Identifier: MIT
// SOCK_STREAM sockets of AF_INET and AF_INET6 over lwIP's raw TCP API.
#pragma once

#include "lib/result.h"
#include "net/socket.h"

namespace uk::net {

// A new, unbound TCP socket (the stack is running). ENOMEM without memory for it.
Result<Socket*> create_tcp_socket(int family, u32 status_flags);

// TIME_WAIT connections kept at most (as Linux's net.ipv4.tcp_max_tw_buckets): beyond it the
// oldest is dropped, so a server that closes connections first keeps bounded memory.
inline constexpr size_t k_max_time_wait = 1024;
// Applies that bound; under the CoreLock.
void limit_time_wait_locked();

}
