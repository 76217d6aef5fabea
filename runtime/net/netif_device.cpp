// SPDX-License-Identifier: MIT
// eth0: lwIP's netif on a NetworkDevice. Received frames are copied into pbufs (the device's
// buffers go straight back to its ring, so a program that does not read its sockets can never
// starve the NIC of receive buffers); frames are sent without a copy: the pbuf chain itself is
// handed to the device and freed when the device reports it done (lwIP does not rewrite a
// segment's pbuf while a driver holds a reference to it: tcp_output_segment_busy()).
#include "net/netif_device.h"

#include "drivers/network_device.h"
#include "lib/string.h"
#include "lib/verify.h"
#include "net/core_lock.h"

extern "C" {
#include <lwip/etharp.h>
#include <lwip/ethip6.h>
#include <lwip/netif.h>
#include <lwip/pbuf.h>
#include <netif/ethernet.h>
}

namespace uk::net {

namespace {

// A chain longer than this is copied into one pbuf before it is sent.
constexpr size_t k_max_segments = 16;
// Frames waiting for room in the device's transmit ring; more are dropped (TCP sends again).
constexpr size_t k_pending_capacity = 256;
// The largest frame copied into a single PBUF_RAM pbuf (it must fit a page of the runtime heap);
// longer ones (a device with a larger MTU) go into a chain of pool pbufs.
constexpr size_t k_single_pbuf_frame = 2048;

struct DeviceInterface {
    struct netif netif;
    drivers::NetworkDevice* device = nullptr;
    struct pbuf* pending[k_pending_capacity];
    size_t pending_head = 0;
    size_t pending_count = 0;
    bool added = false;
};

DeviceInterface g_interface;

void transmitted(void* cookie, void*) { pbuf_free(static_cast<struct pbuf*>(cookie)); }

// Hands `p` (whose reference the device now owns) to the device; EAGAIN when its ring is full.
Result<void> transmit_frame(drivers::NetworkDevice& device, struct pbuf* p)
{
    drivers::FrameSegment segments[k_max_segments];
    size_t count = 0;
    for (struct pbuf* q = p; q; q = q->next) {
        if (q->len == 0)
            continue;
        segments[count++] = { q->payload, q->len };
        if (count == k_max_segments && q->next)
            return error(E2BIG);
    }
    return device.transmit(segments, count, drivers::TransmitOffload {}, p);
}

bool flush_pending(DeviceInterface& interface)
{
    while (interface.pending_count) {
        struct pbuf* p = interface.pending[interface.pending_head];
        if (transmit_frame(*interface.device, p).is_error())
            return false;
        interface.pending_head = (interface.pending_head + 1) % k_pending_capacity;
        --interface.pending_count;
    }
    return true;
}

err_t link_output(struct netif* netif, struct pbuf* p)
{
    auto& interface = *static_cast<DeviceInterface*>(netif->state);
    drivers::NetworkDevice& device = *interface.device;
    // A long chain (rare: lwIP builds at most a header pbuf plus a few data pbufs) becomes one
    // pbuf; otherwise the chain itself is lent to the device.
    size_t pieces = 0;
    for (struct pbuf* q = p; q; q = q->next)
        ++pieces;
    if (pieces > k_max_segments) {
        p = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
        if (!p)
            return ERR_MEM;
    } else {
        pbuf_ref(p);
    }
    if (interface.pending_count == 0) {
        auto sent = transmit_frame(device, p);
        if (!sent.is_error())
            return ERR_OK;
        if (sent.error_code() != EAGAIN) {
            pbuf_free(p);
            return ERR_IF;
        }
        device.reclaim_transmitted(transmitted, nullptr);
        if (!transmit_frame(device, p).is_error())
            return ERR_OK;
    }
    if (interface.pending_count == k_pending_capacity) {
        pbuf_free(p);
        return ERR_MEM;
    }
    interface.pending[(interface.pending_head + interface.pending_count) % k_pending_capacity] = p;
    ++interface.pending_count;
    return ERR_OK;
}

err_t interface_init(struct netif* netif)
{
    auto& interface = *static_cast<DeviceInterface*>(netif->state);
    drivers::NetworkDevice& device = *interface.device;
    netif->name[0] = 'e';
    netif->name[1] = 'n';
    netif->hwaddr_len = ETH_HWADDR_LEN;
    copy_bytes(netif->hwaddr, device.mac(), ETH_HWADDR_LEN);
    netif->mtu = device.mtu();
#if LWIP_ND6_ALLOW_RA_UPDATES
    netif->mtu6 = netif->mtu;
#endif
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_MLD6;
    netif->output = etharp_output;
    netif->output_ip6 = ethip6_output;
    netif->linkoutput = link_output;
    return ERR_OK;
}

struct pbuf* copy_frame(const drivers::ReceivedFrame& frame)
{
    pbuf_type type = frame.length <= k_single_pbuf_frame ? PBUF_RAM : PBUF_POOL;
    struct pbuf* p = pbuf_alloc(PBUF_RAW, static_cast<u16_t>(frame.length), type);
    if (!p)
        return nullptr;
    if (pbuf_take(p, frame.data, static_cast<u16_t>(frame.length)) != ERR_OK) {
        pbuf_free(p);
        return nullptr;
    }
    return p;
}

} // namespace

Result<struct netif*> add_device_interface(drivers::NetworkDevice& device)
{
    VERIFY(core_locked() && !g_interface.added);
    g_interface.device = &device;
    if (!netif_add(&g_interface.netif, nullptr, nullptr, nullptr, &g_interface, interface_init, netif_input))
        return error(ENOMEM);
    g_interface.added = true;
    if (device.link_up())
        netif_set_link_up(&g_interface.netif);
    return &g_interface.netif;
}

void flush_device_locked()
{
    if (g_interface.added)
        g_interface.device->flush_transmit();
}

bool poll_device_locked(size_t budget)
{
    if (!g_interface.added)
        return false;
    DeviceInterface& interface = g_interface;
    drivers::NetworkDevice& device = *interface.device;
    struct netif* netif = &interface.netif;
    device.reclaim_transmitted(transmitted, nullptr);
    flush_pending(interface);
    if (device.link_up() != netif_is_link_up(netif)) {
        if (device.link_up())
            netif_set_link_up(netif);
        else
            netif_set_link_down(netif);
    }
    const u16_t checksums_all = NETIF_CHECKSUM_ENABLE_ALL;
    const u16_t checksums_validated = NETIF_CHECKSUM_ENABLE_ALL
        & ~(NETIF_CHECKSUM_CHECK_TCP | NETIF_CHECKSUM_CHECK_UDP);
    for (size_t n = 0; n < budget; ++n) {
        drivers::ReceivedFrame frame;
        if (!device.receive(frame))
            return false;
        struct pbuf* p = frame.length >= SIZEOF_ETH_HDR && frame.length <= 0xffff ? copy_frame(frame) : nullptr;
        // A frame the device already checked is not checked again. lwIP decides per interface,
        // and input is synchronous, so the interface's flags can follow each frame.
        NETIF_SET_CHECKSUM_CTRL(netif, frame.checksum_valid ? checksums_validated : checksums_all);
        device.release_frame(frame);
        if (p && netif->input(p, netif) != ERR_OK)
            pbuf_free(p);
    }
    NETIF_SET_CHECKSUM_CTRL(netif, checksums_all);
    return true;
}

}
