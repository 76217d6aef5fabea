/* SPDX-License-Identifier: MIT */
/* lwIP's hooks into the runtime (implemented in net/lwip_port.cpp and net/stack.cpp). */
#ifndef UK_LWIP_HOOKS_H
#define UK_LWIP_HOOKS_H

#include <lwip/arch.h>

#ifdef __cplusplus
extern "C" {
#endif
struct netif;
struct pbuf;

/* DHCP options lwIP does not decode itself: the DNS servers (option 6) go to /etc/resolv.conf. */
void uk_lwip_dhcp_option(struct netif* netif, u8_t message_type, u8_t option, u8_t length,
    const struct pbuf* packet, u16_t offset);
/* [RFC 6528] initial sequence numbers that an off-path attacker cannot guess. */
u32_t uk_lwip_tcp_isn(const void* local_ip, u16_t local_port, const void* remote_ip, u16_t remote_port);
#ifdef __cplusplus
}
#endif

#define LWIP_HOOK_DHCP_PARSE_OPTION(netif, dhcp, state, msg, msg_type, option, len, pbuf, offset) \
    uk_lwip_dhcp_option((netif), (msg_type), (option), (len), (pbuf), (offset))
#define LWIP_HOOK_TCP_ISN(local_ip, local_port, remote_ip, remote_port) \
    uk_lwip_tcp_isn((local_ip), (local_port), (remote_ip), (remote_port))

#endif
