// SPDX-License-Identifier: MIT
// The guest's network interfaces as programs see them: "lo" (index 1) always, "eth0" (index 2)
// when the machine has a NIC, with their flags, MTU, hardware address and IP addresses. Serves
// the SIOCGIF* ioctls (musl's if_nametoindex and if_indextoname use them on any socket) and the
// netlink dumps behind getifaddrs() and if_nameindex().
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace uk::net {

inline constexpr size_t k_interface_name_size = 16; // IFNAMSIZ.

// Linux's interface flags (net/if.h, plus IFF_LOWER_UP which only netlink reports).
enum InterfaceFlags : u32 {
    k_iff_up = 0x1,
    k_iff_broadcast = 0x2,
    k_iff_loopback = 0x8,
    k_iff_running = 0x40,
    k_iff_multicast = 0x1000,
    k_iff_lower_up = 0x10000,
};

inline constexpr u16 k_arphrd_ether = 1;
inline constexpr u16 k_arphrd_loopback = 772;

struct InterfaceInfo {
    int index;
    char name[k_interface_name_size];
    u32 flags;
    u32 mtu;
    u16 hardware_type;
    u8 mac[6];
};

struct InterfaceAddress {
    int index;
    int family;              // k_af_inet or k_af_inet6.
    u8 prefix_length;
    u8 scope;                // RT_SCOPE_*: 0 universe, 253 link, 254 host.
    u8 address[16];
    u8 broadcast[4];         // IPv4 with a broadcast address only.
    bool has_broadcast;
};

inline constexpr size_t k_max_interfaces = 2;
inline constexpr size_t k_max_interface_addresses = 10;

// The interfaces, in index order. Does not start the stack.
size_t list_interfaces(InterfaceInfo* out, size_t capacity);
bool find_interface(int index, InterfaceInfo& out);
bool find_interface(const char* name, InterfaceInfo& out);
// The interfaces' addresses (IPv6 ones only once the stack runs; IPv4 ones from the static
// configuration before). Under the CoreLock when the stack runs.
size_t list_interface_addresses(InterfaceAddress* out, size_t capacity);

// SIOCGIFNAME, SIOCGIFINDEX, SIOCGIFCONF, SIOCGIFFLAGS, SIOCGIFADDR, SIOCGIFNETMASK,
// SIOCGIFBRDADDR, SIOCGIFDSTADDR, SIOCGIFMTU, SIOCGIFHWADDR, SIOCGIFMETRIC, SIOCGIFTXQLEN (and
// the SIOCSIF* requests, which are refused): the interface ioctls Linux answers on any socket.
bool is_interface_request(unsigned long request);
// `argument` is the program's struct ifreq (or struct ifconf) pointer.
Result<long> interface_ioctl(unsigned long request, long argument);

}
