/* SPDX-License-Identifier: MIT */
/* lwIP's configuration for the runtime: the raw API only (NO_SYS), driven by one kernel thread and
 * by socket system calls that enter the core directly under net::CoreLock (net/core_lock.h);
 * memory from the runtime heap within a budget sized from guest RAM (net/lwip_port.cpp); IPv4
 * and IPv6, TCP with window scaling and SACK, UDP, DHCP, loopback. docs/networking.md ("Guest
 * side") explains the limits that follow from these numbers. */
#ifndef UK_LWIPOPTS_H
#define UK_LWIPOPTS_H

/* ---- Threads and locking ---- */
/* No lwIP threads, semaphores or mailboxes: our sockets call the raw API themselves. */
#define NO_SYS 1
#define LWIP_TIMERS 1
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
/* All lwIP state is behind net::CoreLock; lwIP's own interrupt-level protection is not needed
 * (interrupt handlers never touch lwIP, see drivers/network_device.h). */
#define SYS_LIGHTWEIGHT_PROT 0
#ifdef __cplusplus
extern "C" {
#endif
void uk_lwip_assert_core_locked(void);
#ifdef __cplusplus
}
#endif
#define LWIP_ASSERT_CORE_LOCKED() uk_lwip_assert_core_locked()

/* ---- Memory ---- */
/* Every lwIP allocation (pbufs, PCBs, reassembly and ARP queues) comes from the runtime heap
 * through uk_lwip_malloc, which enforces the network's memory budget. Pools are therefore not
 * sized here: the budget, computed from guest RAM when the stack starts, is the limit. */
#define MEM_LIBC_MALLOC 1
#define MEMP_MEM_MALLOC 1
#define MEM_ALIGNMENT 8
#ifdef __cplusplus
extern "C" {
#endif
void* uk_lwip_malloc(unsigned long size);
void* uk_lwip_calloc(unsigned long count, unsigned long size);
void uk_lwip_free(void* pointer);
#ifdef __cplusplus
}
#endif
#define mem_clib_malloc uk_lwip_malloc
#define mem_clib_calloc uk_lwip_calloc
#define mem_clib_free uk_lwip_free
/* A received frame is copied into one PBUF_RAM pbuf; pool pbufs carry large UDP datagrams. */
#define PBUF_POOL_BUFSIZE 1536
#define LWIP_SUPPORT_CUSTOM_PBUF 1

/* ---- Interfaces ---- */
#define LWIP_SINGLE_NETIF 0
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_EXT_STATUS_CALLBACK 1
#define LWIP_NETIF_HOSTNAME 1
#define LWIP_NETIF_TX_SINGLE_PBUF 0
/* 127.0.0.1 and ::1 on lwIP's loopback interface; its queue is drained by the runtime (see
 * net/stack.cpp), since NO_SYS has no thread to do it. */
#define LWIP_HAVE_LOOPIF 1
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_LOOPBACK_MAX_PBUFS 0
/* A packet to our own address is copied whole (before fragmentation); past a page it goes into
 * a chain of pool pbufs (patch 0001). */
#define NETIF_LOOPBACK_PBUF_TYPE(len) ((len) > 3900 ? PBUF_POOL : PBUF_RAM)
/* Loopback skips checksums (as Linux's does); the NIC computes them in software. */
#define LWIP_CHECKSUM_CTRL_PER_NETIF 1
#define LWIP_CHECKSUM_ON_COPY 0

/* ---- IPv4 ---- */
#define LWIP_IPV4 1
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define ARP_QUEUEING 1
#define ARP_QUEUE_LEN 16
#define ETHARP_SUPPORT_STATIC_ENTRIES 0
#define IP_FORWARD 0
#define IP_REASSEMBLY 1
#define IP_FRAG 1
/* A 64 KiB UDP datagram arrives in 45 fragments. */
#define IP_REASS_MAX_PBUFS 256
#define LWIP_ICMP 1
#define LWIP_BROADCAST_PING 0
#define LWIP_MULTICAST_PING 0
#define LWIP_RAW 0
#define LWIP_IGMP 0
#define LWIP_AUTOIP 0
#define LWIP_DHCP 1
/* The ARP probe of an offered address costs half a second of boot-to-network time; QEMU's DHCP
 * server and any sane one hands out free addresses. */
#define DHCP_DOES_ARP_CHECK 0
#define LWIP_DHCP_CHECK_LINK_UP 1
/* lwIP's DNS client is not built (musl's resolver reads /etc/resolv.conf); the DHCP servers'
 * DNS option is picked up by our hook instead. */
#define LWIP_DNS 0

/* ---- IPv6 ---- */
#define LWIP_IPV6 1
#define LWIP_IPV6_AUTOCONFIG 1
#define LWIP_IPV6_DHCP6 0
#define LWIP_IPV6_MLD 1
#define LWIP_IPV6_FORWARD 0
#define LWIP_IPV6_FRAG 1
#define LWIP_IPV6_REASS 1
/* Pointers are 8 bytes: the fragment header cannot hold one ([lwIP opt.h] IPV6_FRAG_COPYHEADER). */
#define IPV6_FRAG_COPYHEADER 1
#define LWIP_ND6_ALLOW_RA_UPDATES 1

/* ---- UDP ---- */
#define LWIP_UDP 1
#define LWIP_UDPLITE 0
#define SO_REUSE 1
#define SO_REUSE_RXTOALL 1

/* ---- TCP ---- */
#define LWIP_TCP 1
#define LWIP_CALLBACK_API 1
#define LWIP_EVENT_API 0
/* Loopback segments of up to a page (less the headers), NIC segments of its MTU: lwIP sends the
 * smaller of TCP_MSS and the route's MTU less the headers (TCP_CALCULATE_EFF_SEND_MSS). A
 * segment's pbuf must fit in one page of the runtime heap. */
#define TCP_MSS 3840
#define TCP_CALCULATE_EFF_SEND_MSS 1
/* Window scaling: a 256 KiB receive window in 16 bits. */
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 2
#define TCP_WND (256 * 1024 - 4)
#define TCP_SND_BUF (256 * 1024)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / 1460)
#define TCP_SNDQUEUELOWAT (TCP_SND_QUEUELEN / 2)
/* Only lwIP's socket layer uses it; it must stay within 16 bits less four segments. */
#define TCP_SNDLOWAT 32768
#define TCP_OVERSIZE TCP_MSS
#define TCP_QUEUE_OOSEQ 1
#define LWIP_TCP_SACK_OUT 1
#define LWIP_TCP_MAX_SACK_NUM 4
#define LWIP_TCP_TIMESTAMPS 0
#define LWIP_TCP_KEEPALIVE 1
#define TCP_LISTEN_BACKLOG 1
#define TCP_DEFAULT_LISTEN_BACKLOG 0xff
/* TIME_WAIT lasts 2 * TCP_MSL: 60 s, as on Linux. */
#define TCP_MSL 30000UL

/* ---- Hooks (net/lwip/hooks.h) ---- */
#define LWIP_HOOK_FILENAME "hooks.h"

/* ---- No statistics, no debug output ---- */
#define LWIP_STATS 0
#define LWIP_STATS_DISPLAY 0

#endif
