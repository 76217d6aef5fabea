// SPDX-License-Identifier: MIT
// The network stack's life: started lazily by the first AF_INET/AF_INET6/AF_NETLINK socket
// (an image that never creates one never runs any of it), then driven by one kernel thread that
// takes received frames from the NIC and runs lwIP's timeouts, sleeping until the next timeout
// or the NIC's next activity. Socket calls enter lwIP directly under the CoreLock.
#pragma once

#include "lib/result.h"
#include "lib/types.h"

struct netif;

namespace uk::net {

// Starts the stack if it is not running: lwIP, the loopback interface, the NIC's interface
// (static address or DHCP), the kernel thread. With DHCP, waits for the lease (up to
// k_dhcp_wait_ms) so that the program's first connection finds an address. ENOMEM if the thread
// or the interfaces cannot be created.
Result<void> start_stack();
bool stack_running();

inline constexpr u64 k_dhcp_wait_ms = 5000;

// Runs at the outermost release of the CoreLock: delivers the packets queued on loopback
// interfaces, and wakes the stack's thread if a timeout earlier than its planned wake-up exists.
void finish_core_work_locked();

// lwIP's interfaces: loopback always, the NIC's when the machine has one (null otherwise).
struct netif* loopback_interface();
struct netif* device_interface();

// The program is exiting: waits, at most k_exit_drain_ms, until no TCP connection still holds data
// or a FIN its peer has not acknowledged, so that what the program sent before it exited (a
// response, then close() and exit()) reaches the peer, as it does from a Linux process whose
// kernel finishes sending after the process is gone. Returns at once if the stack never started.
void drain_before_exit();
inline constexpr u64 k_exit_drain_ms = 2000;

// Writes /etc/resolv.conf from uk.dns= (at boot) or the DHCP server's DNS option, unless the
// file is the program's own (from the initrd).
void write_resolver_file(const u32* servers, size_t count);

}
