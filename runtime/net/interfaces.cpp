// SPDX-License-Identifier: MIT
// Interface enumeration from lwIP's netifs (or, before the stack runs, from the NIC and the
// static configuration), and the SIOCGIF* ioctls.
#include "net/interfaces.h"

#include "drivers/network_device.h"
#include "lib/string.h"
#include "mm/address_space.h"
#include "net/core_lock.h"
#include "net/inet_address.h"
#include "net/network_options.h"
#include "net/stack.h"

extern "C" {
#include <lwip/netif.h>
}

namespace uk::net {

namespace {

constexpr int k_loopback_index = 1;
constexpr int k_device_index = 2;
// The loopback MTU the stack sets (net/stack.cpp: TCP_MSS + 60).
constexpr u32 k_loopback_mtu = 3900;

enum InterfaceRequest : unsigned long {
    k_siocgifname = 0x8910,
    k_siocgifconf = 0x8912,
    k_siocgifflags = 0x8913,
    k_siocsifflags = 0x8914,
    k_siocgifaddr = 0x8915,
    k_siocsifaddr = 0x8916,
    k_siocgifdstaddr = 0x8917,
    k_siocsifdstaddr = 0x8918,
    k_siocgifbrdaddr = 0x8919,
    k_siocsifbrdaddr = 0x891a,
    k_siocgifnetmask = 0x891b,
    k_siocsifnetmask = 0x891c,
    k_siocgifmetric = 0x891d,
    k_siocsifmetric = 0x891e,
    k_siocgifmtu = 0x8921,
    k_siocsifmtu = 0x8922,
    k_siocsifname = 0x8923,
    k_siocsifhwaddr = 0x8924,
    k_siocgifhwaddr = 0x8927,
    k_siocgifindex = 0x8933,
    k_siocgiftxqlen = 0x8942,
    k_siocsiftxqlen = 0x8943,
};

// struct ifreq: the name, then a 24-byte union.
constexpr size_t k_ifreq_size = 40;
constexpr size_t k_ifreq_union = 16;

void put_sockaddr_in(u8* out, const u8 address[4])
{
    fill_bytes(out, 0, 16);
    out[0] = static_cast<u8>(k_af_inet);
    copy_bytes(out + 4, address, 4);
}

bool ipv4_of(int index, InterfaceAddress& out)
{
    InterfaceAddress addresses[k_max_interface_addresses];
    size_t count = list_interface_addresses(addresses, k_max_interface_addresses);
    for (size_t i = 0; i < count; ++i) {
        if (addresses[i].index == index && addresses[i].family == k_af_inet) {
            out = addresses[i];
            return true;
        }
    }
    return false;
}

void add_ipv4(InterfaceAddress* out, size_t& count, size_t capacity, int index, u32 address_be, u32 netmask_be,
    bool broadcast)
{
    if (count == capacity)
        return;
    InterfaceAddress& a = out[count++];
    fill_bytes(&a, 0, sizeof(a));
    a.index = index;
    a.family = k_af_inet;
    u32 mask = lwip_ntohl(netmask_be);
    u8 prefix = 0;
    while (prefix < 32 && (mask & (0x80000000u >> prefix)))
        ++prefix;
    a.prefix_length = prefix;
    a.scope = index == k_loopback_index ? 254 : 0;
    copy_bytes(a.address, &address_be, 4);
    if (broadcast) {
        u32 b = address_be | ~netmask_be;
        copy_bytes(a.broadcast, &b, 4);
        a.has_broadcast = true;
    }
}

} // namespace

size_t list_interfaces(InterfaceInfo* out, size_t capacity)
{
    CoreLock lock; // Calls into the driver are serialized by the CoreLock.
    size_t count = 0;
    if (count < capacity) {
        InterfaceInfo& lo = out[count++];
        fill_bytes(&lo, 0, sizeof(lo));
        lo.index = k_loopback_index;
        copy_string(lo.name, sizeof(lo.name), "lo");
        lo.flags = k_iff_up | k_iff_loopback | k_iff_running | k_iff_lower_up;
        lo.mtu = k_loopback_mtu;
        lo.hardware_type = k_arphrd_loopback;
    }
    drivers::NetworkDevice* device = drivers::first_network_device();
    if (device && count < capacity) {
        InterfaceInfo& eth = out[count++];
        fill_bytes(&eth, 0, sizeof(eth));
        eth.index = k_device_index;
        copy_string(eth.name, sizeof(eth.name), "eth0");
        eth.flags = k_iff_up | k_iff_broadcast | k_iff_multicast;
        if (device->link_up())
            eth.flags |= k_iff_running | k_iff_lower_up;
        eth.mtu = device->mtu();
        eth.hardware_type = k_arphrd_ether;
        copy_bytes(eth.mac, device->mac(), 6);
    }
    return count;
}

bool find_interface(int index, InterfaceInfo& out)
{
    InterfaceInfo all[k_max_interfaces];
    size_t count = list_interfaces(all, k_max_interfaces);
    for (size_t i = 0; i < count; ++i) {
        if (all[i].index == index) {
            out = all[i];
            return true;
        }
    }
    return false;
}

bool find_interface(const char* name, InterfaceInfo& out)
{
    InterfaceInfo all[k_max_interfaces];
    size_t count = list_interfaces(all, k_max_interfaces);
    for (size_t i = 0; i < count; ++i) {
        if (strings_equal(all[i].name, name)) {
            out = all[i];
            return true;
        }
    }
    return false;
}

size_t list_interface_addresses(InterfaceAddress* out, size_t capacity)
{
    size_t count = 0;
    if (!stack_running()) {
        // What the stack will have: 127.0.0.1/8, and the static address.
        add_ipv4(out, count, capacity, k_loopback_index, lwip_htonl(0x7f000001), lwip_htonl(0xff000000), false);
        const NetworkConfiguration& config = network_configuration();
        if (config.static_address && drivers::first_network_device()) {
            u32 mask = config.prefix_length == 0 ? 0 : ~0u << (32 - config.prefix_length);
            add_ipv4(out, count, capacity, k_device_index, lwip_htonl(config.address), lwip_htonl(mask), true);
        }
        return count;
    }
    CoreLock lock;
    struct netif* netifs[2] = { loopback_interface(), device_interface() };
    int indices[2] = { k_loopback_index, k_device_index };
    for (int n = 0; n < 2; ++n) {
        struct netif* netif = netifs[n];
        if (!netif)
            continue;
        const ip4_addr_t* address = netif_ip4_addr(netif);
        if (!ip4_addr_isany(address))
            add_ipv4(out, count, capacity, indices[n], ip4_addr_get_u32(address),
                ip4_addr_get_u32(netif_ip4_netmask(netif)), netif == device_interface());
        for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES && count < capacity; ++i) {
            if (!ip6_addr_isvalid(netif_ip6_addr_state(netif, i)))
                continue;
            const ip6_addr_t* ip6 = netif_ip6_addr(netif, i);
            InterfaceAddress& a = out[count++];
            fill_bytes(&a, 0, sizeof(a));
            a.index = indices[n];
            a.family = k_af_inet6;
            copy_bytes(a.address, ip6->addr, 16);
            bool link_local = ip6_addr_islinklocal(ip6);
            // SLAAC and link-local addresses are /64; ::1 is /128.
            a.prefix_length = ip6_addr_isloopback(ip6) ? 128 : 64;
            a.scope = ip6_addr_isloopback(ip6) ? 254 : link_local ? 253 : 0;
        }
    }
    return count;
}

bool is_interface_request(unsigned long request) { return request >= 0x8910 && request <= 0x8970; }

Result<long> interface_ioctl(unsigned long request, long argument)
{
    if (request == k_siocgifconf) {
        // struct ifconf { int ifc_len; (padding) union { char* buf; struct ifreq* req; }; }
        if (!mm::is_user_range(static_cast<u64>(argument), 16, true))
            return error(EFAULT);
        auto* conf = reinterpret_cast<u8*>(argument);
        int capacity;
        u64 buffer;
        copy_bytes(&capacity, conf, 4);
        copy_bytes(&buffer, conf + 8, 8);
        InterfaceAddress addresses[k_max_interface_addresses];
        size_t count = list_interface_addresses(addresses, k_max_interface_addresses);
        int used = 0;
        for (size_t i = 0; i < count; ++i) {
            if (addresses[i].family != k_af_inet)
                continue;
            if (buffer) {
                if (capacity < 0 || used + static_cast<int>(k_ifreq_size) > capacity)
                    break;
                if (!mm::is_user_range(buffer + static_cast<u64>(used), k_ifreq_size, true))
                    return error(EFAULT);
                u8* r = reinterpret_cast<u8*>(buffer + static_cast<u64>(used));
                fill_bytes(r, 0, k_ifreq_size);
                InterfaceInfo info;
                if (find_interface(addresses[i].index, info))
                    copy_string(reinterpret_cast<char*>(r), k_interface_name_size, info.name);
                put_sockaddr_in(r + k_ifreq_union, addresses[i].address);
            }
            used += static_cast<int>(k_ifreq_size);
        }
        copy_bytes(conf, &used, 4);
        return 0;
    }
    if (!mm::is_user_range(static_cast<u64>(argument), k_ifreq_size, true))
        return error(EFAULT);
    auto* r = reinterpret_cast<u8*>(argument);
    u8* data = r + k_ifreq_union;
    InterfaceInfo info;
    if (request == k_siocgifname) {
        int index;
        copy_bytes(&index, data, 4);
        if (!find_interface(index, info))
            return error(ENODEV);
        fill_bytes(r, 0, k_interface_name_size);
        copy_string(reinterpret_cast<char*>(r), k_interface_name_size, info.name);
        return 0;
    }
    char name[k_interface_name_size];
    copy_bytes(name, r, k_interface_name_size);
    name[k_interface_name_size - 1] = '\0';
    if (!find_interface(name, info))
        return error(ENODEV);
    switch (request) {
    case k_siocgifindex:
        copy_bytes(data, &info.index, 4);
        return 0;
    case k_siocgifflags: {
        u16 flags = static_cast<u16>(info.flags);
        copy_bytes(data, &flags, 2);
        return 0;
    }
    case k_siocgifmtu:
        copy_bytes(data, &info.mtu, 4);
        return 0;
    case k_siocgifmetric:
    case k_siocgiftxqlen: {
        int v = request == k_siocgiftxqlen ? 1000 : 0; // Linux's default queue length.
        copy_bytes(data, &v, 4);
        return 0;
    }
    case k_siocgifhwaddr:
        // struct sockaddr: sa_family = ARPHRD_*, then the address.
        fill_bytes(data, 0, 16);
        copy_bytes(data, &info.hardware_type, 2);
        copy_bytes(data + 2, info.mac, 6);
        return 0;
    case k_siocgifaddr:
    case k_siocgifnetmask:
    case k_siocgifbrdaddr:
    case k_siocgifdstaddr: {
        InterfaceAddress a;
        if (!ipv4_of(info.index, a))
            return error(EADDRNOTAVAIL);
        u8 value[4];
        if (request == k_siocgifnetmask) {
            u32 mask = a.prefix_length == 0 ? 0 : lwip_htonl(~0u << (32 - a.prefix_length));
            copy_bytes(value, &mask, 4);
        } else if (request == k_siocgifbrdaddr) {
            if (!a.has_broadcast)
                fill_bytes(value, 0, 4);
            else
                copy_bytes(value, a.broadcast, 4);
        } else {
            copy_bytes(value, a.address, 4);
        }
        put_sockaddr_in(data, value);
        return 0;
    }
    case k_siocsifflags:
    case k_siocsifaddr:
    case k_siocsifdstaddr:
    case k_siocsifbrdaddr:
    case k_siocsifnetmask:
    case k_siocsifmetric:
    case k_siocsifmtu:
    case k_siocsifname:
    case k_siocsifhwaddr:
    case k_siocsiftxqlen:
        // The interfaces are configured from the command line only.
        return error(EPERM);
    default:
        return error(EINVAL);
    }
}

}
