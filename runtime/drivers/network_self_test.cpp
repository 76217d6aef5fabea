// SPDX-License-Identifier: MIT
// uk_network_self_test: exercises a network device through drivers::NetworkDevice alone, for the
// vm tests of the driver (tests/vm/net/), which run before any network stack exists. Only a
// program that calls it links it (the runtime is linked with --gc-sections).
//
// It speaks just enough Ethernet to get answers from QEMU's user-mode network: a burst of ARP
// requests for the gateway (each answered by a reply, so the receive ring wraps and several
// frames arrive per interrupt), then an ICMP echo request of a nearly full frame whose reply is
// checked byte for byte.
#include "drivers/network_device.h"
#include "lib/format.h"
#include "lib/string.h"
#include "sched/clock.h"
#include "sched/scheduler.h"

namespace uk::drivers {

namespace {

constexpr u16 k_ethertype_arp = 0x0806, k_ethertype_ipv4 = 0x0800;
constexpr size_t k_ethernet_header = 14, k_arp_length = 28, k_ip_header = 20, k_icmp_header = 8;
constexpr size_t k_ping_payload = 1400;
constexpr u64 k_timeout_ns = 60'000'000'000;

struct Test {
    NetworkDevice* device;
    u32 own_ip, gateway_ip;
    u8 gateway_mac[k_mac_length];
    bool gateway_known;
    u32 arp_replies;
    bool ping_answered, ping_intact;
    u32 sent, reclaimed, waits;
    u64 deadline;
};

void put16(u8* p, u16 v)
{
    p[0] = static_cast<u8>(v >> 8);
    p[1] = static_cast<u8>(v);
}

void put32(u8* p, u32 v)
{
    put16(p, static_cast<u16>(v >> 16));
    put16(p + 2, static_cast<u16>(v));
}

bool same_bytes(const u8* a, const u8* b, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        if (a[i] != b[i])
            return false;
    return true;
}

u16 get16(const u8* p) { return static_cast<u16>((p[0] << 8) | p[1]); }
u32 get32(const u8* p) { return (u32(get16(p)) << 16) | get16(p + 2); }

// [RFC 1071] The Internet checksum of the pieces, as if they were one buffer of even pieces.
u16 checksum(const u8* data, size_t length, u32 sum = 0)
{
    for (size_t i = 0; i + 1 < length; i += 2)
        sum += get16(data + i);
    if (length & 1)
        sum += u32(data[length - 1]) << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<u16>(~sum);
}

u32 partial_sum(const u8* data, size_t length)
{
    u32 sum = 0;
    for (size_t i = 0; i + 1 < length; i += 2)
        sum += get16(data + i);
    return sum;
}

void on_transmitted(void*, void* context) { ++static_cast<Test*>(context)->reclaimed; }

void handle(Test& t, const ReceivedFrame& frame, const u8* ping)
{
    const u8* f = frame.data;
    if (frame.length < k_ethernet_header)
        return;
    u16 type = get16(f + 12);
    const u8* mac = t.device->mac();
    if (type == k_ethertype_arp && frame.length >= k_ethernet_header + k_arp_length) {
        const u8* arp = f + k_ethernet_header;
        // A reply (operation 2) from the gateway's address to ours, with our MAC as the target.
        if (get16(arp + 6) == 2 && get32(arp + 14) == t.gateway_ip && get32(arp + 24) == t.own_ip
            && same_bytes(arp + 18, mac, k_mac_length)) {
            ++t.arp_replies;
            copy_bytes(t.gateway_mac, arp + 8, k_mac_length);
            t.gateway_known = true;
        }
        return;
    }
    size_t ip_length = k_ip_header + k_icmp_header + k_ping_payload;
    if (type == k_ethertype_ipv4 && frame.length >= k_ethernet_header + ip_length) {
        const u8* ip = f + k_ethernet_header;
        const u8* icmp = ip + k_ip_header;
        // An echo reply (ICMP type 0) from the gateway with our identifier.
        if (ip[0] == 0x45 && ip[9] == 1 && get32(ip + 12) == t.gateway_ip && icmp[0] == 0 && get16(icmp + 4) == 0x554b) {
            t.ping_answered = true;
            t.ping_intact = checksum(ip, k_ip_header) == 0 && get16(ip + 2) == ip_length
                && checksum(icmp, k_icmp_header + k_ping_payload) == 0
                && same_bytes(icmp + k_icmp_header, ping, k_ping_payload);
        }
    }
}

// Takes what has arrived; sleeps (until a wake from the driver's interrupt) when nothing has and
// `done` is not yet true. False at the deadline.
template<typename Done>
bool pump(Test& t, const u8* ping, Done&& done)
{
    for (;;) {
        ReceivedFrame frame;
        while (t.device->receive(frame)) {
            handle(t, frame, ping);
            t.device->release_frame(frame);
        }
        t.device->reclaim_transmitted(on_transmitted, &t);
        if (done())
            return true;
        ReceivedFrame held {};
        bool have = false;
        ++t.waits;
        auto r = t.device->activity_queue().wait_until([&] { return have || (have = t.device->receive(held)); },
            t.deadline);
        if (have) {
            handle(t, held, ping);
            t.device->release_frame(held);
        }
        if (r != sched::WaitResult::Ready && !done())
            return false;
    }
}

Result<void> send(Test& t, const FrameSegment* segments, size_t count, const u8* ping)
{
    for (;;) {
        auto r = t.device->transmit(segments, count, {}, reinterpret_cast<void*>(uptr(t.sent + 1)));
        if (!r.is_error()) {
            t.device->flush_transmit();
            ++t.sent;
            return {};
        }
        if (r.error_code() != EAGAIN)
            return r;
        // The ring is full: wait for completions (the driver announces them now).
        u32 before = t.reclaimed;
        if (!pump(t, ping, [&] { return t.reclaimed != before; }))
            return error(ETIMEDOUT);
    }
}

Result<void> run(Test& t, u32 arp_requests, char* report, size_t report_size)
{
    static u8 ethernet_broadcast[k_ethernet_header], arp[k_arp_length];
    static u8 ethernet_gateway[k_ethernet_header], ip_icmp[k_ip_header + k_icmp_header], ping[k_ping_payload];
    const u8* mac = t.device->mac();
    fill_bytes(ethernet_broadcast, 0xff, k_mac_length);
    copy_bytes(ethernet_broadcast + 6, mac, k_mac_length);
    put16(ethernet_broadcast + 12, k_ethertype_arp);
    // [RFC 826] Ethernet (1), IPv4 (0x0800), lengths 6 and 4, request (1).
    put16(arp, 1);
    put16(arp + 2, k_ethertype_ipv4);
    arp[4] = 6;
    arp[5] = 4;
    put16(arp + 6, 1);
    copy_bytes(arp + 8, mac, k_mac_length);
    put32(arp + 14, t.own_ip);
    fill_bytes(arp + 18, 0, k_mac_length);
    put32(arp + 24, t.gateway_ip);
    // Two segments per frame: the Ethernet header and the ARP message.
    FrameSegment arp_frame[] = { { ethernet_broadcast, sizeof(ethernet_broadcast) }, { arp, sizeof(arp) } };
    for (u32 i = 0; i < arp_requests; ++i)
        TRY(send(t, arp_frame, 2, ping));
    if (!pump(t, ping, [&] { return t.arp_replies >= arp_requests && t.reclaimed == t.sent; }) && !t.gateway_known)
        return error(ETIMEDOUT);

    // An echo request of a 1442-byte frame in three segments.
    copy_bytes(ethernet_gateway, t.gateway_mac, k_mac_length);
    copy_bytes(ethernet_gateway + 6, mac, k_mac_length);
    put16(ethernet_gateway + 12, k_ethertype_ipv4);
    for (size_t i = 0; i < k_ping_payload; ++i)
        ping[i] = static_cast<u8>(i * 7 + (i >> 8));
    u8* ip = ip_icmp;
    u8* icmp = ip_icmp + k_ip_header;
    ip[0] = 0x45;
    put16(ip + 2, k_ip_header + k_icmp_header + k_ping_payload);
    put16(ip + 4, 1);
    ip[8] = 64;
    ip[9] = 1; // ICMP
    put32(ip + 12, t.own_ip);
    put32(ip + 16, t.gateway_ip);
    put16(ip + 10, checksum(ip, k_ip_header));
    icmp[0] = 8; // Echo request.
    put16(icmp + 4, 0x554b);
    put16(icmp + 6, 1);
    put16(icmp + 2, checksum(icmp, k_icmp_header, partial_sum(ping, k_ping_payload)));
    FrameSegment ping_frame[] = { { ethernet_gateway, sizeof(ethernet_gateway) }, { ip_icmp, sizeof(ip_icmp) },
        { ping, sizeof(ping) } };
    TRY(send(t, ping_frame, 3, ping));
    pump(t, ping, [&] { return t.ping_answered && t.reclaimed == t.sent; });

    format(report, report_size,
        "mac %02x:%02x:%02x:%02x:%02x:%02x link %s; arp requests %u replies %u; ping %zu bytes %s; frames sent %u "
        "reclaimed %u; sleeps %u",
        mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], t.device->link_up() ? "up" : "down", arp_requests,
        t.arp_replies, k_ping_payload, !t.ping_answered ? "unanswered" : t.ping_intact ? "intact" : "CORRUPT", t.sent,
        t.reclaimed, t.waits);
    return {};
}

} // namespace

}

// Returns 0 with a one-line report, or -errno (ENODEV: no network device; ETIMEDOUT: the
// device stopped answering). Addresses are IPv4 in host byte order.
extern "C" long uk_network_self_test(uint32_t own_ip, uint32_t gateway_ip, uint32_t arp_requests, char* report,
    size_t report_size) noexcept
{
    using namespace uk;
    sched::RuntimeGuard runtime_guard;
    drivers::Test t {};
    t.device = drivers::first_network_device();
    if (!t.device)
        return -ENODEV;
    t.own_ip = own_ip;
    t.gateway_ip = gateway_ip;
    t.deadline = clock::monotonic_ns() + drivers::k_timeout_ns;
    auto r = drivers::run(t, arp_requests, report, report_size);
    return r.is_error() ? -r.error_code() : 0;
}
