// SPDX-License-Identifier: MIT
// Starting the stack and its kernel thread; applying the address configuration; DHCP's results
// (address, DNS servers) as they arrive; the deferred work of the CoreLock.
#include "net/stack.h"

#include "drivers/network_device.h"
#include "fs/inode.h"
#include "fs/vfs.h"
#include "lib/format.h"
#include "lib/string.h"
#include "lib/verify.h"
#include "net/core_lock.h"
#include "net/lwip_port.h"
#include "net/netif_device.h"
#include "net/network_options.h"
#include "net/tcp_socket.h"
#include "sched/clock.h"
#include "sched/scheduler.h"
#include "sched/thread.h"
#include "sched/wait_queue.h"

extern "C" {
#include <lwip/dhcp.h>
#include <lwip/init.h>
#include <lwip/ip4_addr.h>
#include <lwip/netif.h>
#include <lwip/tcp.h>
#include <lwip/timeouts.h>
#include <lwip/prot/dhcp.h>
#include <lwip/priv/tcp_priv.h>
}

namespace uk::net {

namespace {

// Frames handled per turn of the stack's thread before it lets other threads run: the thread is
// runtime code and is never preempted.
constexpr size_t k_frames_per_turn = 64;

bool g_running;
struct netif* g_loopback;
struct netif* g_device;
drivers::NetworkDevice* g_nic;

// Woken when a call under the CoreLock makes the thread's planned wake-up too late.
sched::WaitQueue g_kick { sched::WakeSource::External };
bool g_kicked;
// When the thread will next wake by itself: 1 while it runs (it looks at the timeouts before
// sleeping), ~0 while it sleeps with no timeout pending.
u64 g_thread_deadline = 1;
// Woken when DHCP gives (or takes away) an address.
sched::WaitQueue g_address_changed { sched::WakeSource::External };

// The DNS servers of the DHCP offer or acknowledgement being parsed.
u32 g_dhcp_dns[k_max_dns_servers];
size_t g_dhcp_dns_count;
fs::Inode* g_resolver_file; // The /etc/resolv.conf we wrote (not counted as a reference).

u64 ms_to_deadline(u32 ms)
{
    if (ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE)
        return ~0ull;
    return clock::monotonic_ns() + static_cast<u64>(ms) * 1'000'000 + 1;
}

bool loopback_pending()
{
    struct netif* netif;
    NETIF_FOREACH(netif) {
        if (netif->loop_first)
            return true;
    }
    return false;
}

[[noreturn]] void stack_thread(void*)
{
    sched::Waiter storage[2];
    sched::WaitSet waits(storage, 2);
    if (g_nic)
        waits.add(g_nic->activity_queue());
    waits.add(g_kick);
    for (;;) {
        waits.prepare();
        u64 deadline;
        bool more;
        {
            CoreLock lock;
            g_kicked = false;
            more = poll_device_locked(k_frames_per_turn);
            sys_check_timeouts();
            limit_time_wait_locked();
            deadline = ms_to_deadline(sys_timeouts_sleeptime());
            // Published before the lock's release, which compares new timeouts with it.
            g_thread_deadline = more ? 1 : deadline;
        }
        if (more) {
            sched::yield();
            continue;
        }
        waits.wait(deadline == ~0ull ? 0 : deadline);
        g_thread_deadline = 1;
    }
}

void ip4_from_host(ip4_addr_t& out, u32 host_order) { ip4_addr_set_u32(&out, lwip_htonl(host_order)); }

void on_interface_change(struct netif* netif, netif_nsc_reason_t reason, const netif_ext_callback_args_t*)
{
    if (netif != g_device)
        return;
    if (reason & (LWIP_NSC_IPV4_ADDRESS_CHANGED | LWIP_NSC_IPV4_SETTINGS_CHANGED)) {
        if (dhcp_supplied_address(netif) && g_dhcp_dns_count && network_configuration().dns_count == 0)
            write_resolver_file(g_dhcp_dns, g_dhcp_dns_count);
        g_address_changed.wake_all();
    }
}

netif_ext_callback_t g_interface_callback;

void configure_device_locked(struct netif* netif)
{
    NetworkConfiguration& config = network_configuration();
    netif_set_default(netif);
    if (config.static_address) {
        ip4_addr_t address, netmask, gateway;
        ip4_from_host(address, config.address);
        ip4_from_host(netmask, config.prefix_length == 0 ? 0 : ~0u << (32 - config.prefix_length));
        ip4_from_host(gateway, config.gateway);
        netif_set_addr(netif, &address, &netmask, &gateway);
    }
    netif_create_ip6_linklocal_address(netif, 1);
    netif_set_ip6_autoconfig_enabled(netif, 1);
    netif_set_up(netif);
    if (!config.static_address)
        (void)dhcp_start(netif);
}

} // namespace

bool stack_running() { return g_running; }

namespace {

// True while some connection has data or a FIN in flight: queued, sent but not acknowledged, or
// (for a FIN) in a state that waits for the peer's acknowledgment.
bool tcp_delivering_locked()
{
    for (tcp_pcb* pcb = tcp_active_pcbs; pcb; pcb = pcb->next) {
        if (pcb->unsent || pcb->unacked)
            return true;
        if (pcb->state == FIN_WAIT_1 || pcb->state == CLOSING || pcb->state == LAST_ACK)
            return true;
    }
    return false;
}

}

void drain_before_exit()
{
    if (!g_running)
        return;
    u64 deadline = clock::monotonic_ns() + k_exit_drain_ms * 1'000'000;
    for (;;) {
        {
            CoreLock lock;
            if (!tcp_delivering_locked())
                return;
        }
        u64 now = clock::monotonic_ns();
        if (now >= deadline)
            return;
        // Retransmissions and acknowledgments are the stack thread's; a pending signal ends the
        // sleep early, which only makes this loop check more often.
        sched::sleep_until(now + 5'000'000 < deadline ? now + 5'000'000 : deadline);
    }
}
struct netif* loopback_interface() { return g_loopback; }
struct netif* device_interface() { return g_device; }

Result<void> start_stack()
{
    if (g_running)
        return {};
    {
        CoreLock lock;
        port_init();
        lwip_init();
        // lwip_init() added the loopback interface (127.0.0.1/8, ::1) first: index 1, like lo.
        g_loopback = netif_list;
        VERIFY(g_loopback && g_loopback->name[0] == 'l' && g_loopback->name[1] == 'o');
        // A page-sized MTU: TCP over loopback sends TCP_MSS segments, and a larger UDP datagram
        // is fragmented rather than copied into one buffer of its size.
        g_loopback->mtu = TCP_MSS + 60;
#if LWIP_ND6_ALLOW_RA_UPDATES
        g_loopback->mtu6 = g_loopback->mtu;
#endif
        NETIF_SET_CHECKSUM_CTRL(g_loopback, NETIF_CHECKSUM_DISABLE_ALL);
        netif_add_ext_callback(&g_interface_callback, on_interface_change);
        g_nic = drivers::first_network_device();
        if (g_nic) {
            g_device = TRY(add_device_interface(*g_nic));
            configure_device_locked(g_device);
        }
        g_running = true;
    }
    auto thread = sched::create_kernel_thread(reinterpret_cast<void (*)(void*)>(stack_thread), nullptr);
    if (thread.is_error()) {
        // The stack cannot run its timeouts: TCP would never retransmit. Refuse sockets instead.
        g_running = false;
        return error(ENOMEM);
    }
    sched::add_exit_hook(drain_before_exit);
    if (g_device && !network_configuration().static_address) {
        // The program's first connection should find the address a booted Linux would have.
        struct netif* device = g_device;
        g_address_changed.wait_until([device] { return dhcp_supplied_address(device) != 0; },
            clock::monotonic_ns() + k_dhcp_wait_ms * 1'000'000);
    }
    return {};
}

void finish_core_work_locked()
{
    if (!g_running)
        return;
    // Deliver what was sent to ourselves: the receiving socket sees it, and answers (ACKs) are
    // delivered in turn, before the call that sent it returns. Bounded: TCP's windows limit what
    // each connection can have in flight.
    while (loopback_pending())
        netif_poll_all();
    // What the call sent goes out together: one notification of the device for all its frames.
    flush_device_locked();
    // A call may have started the first timeout (TCP's timer) or one earlier than the thread's.
    u64 deadline = ms_to_deadline(sys_timeouts_sleeptime());
    if (deadline < g_thread_deadline && !g_kicked) {
        g_kicked = true;
        g_kick.wake_all();
    }
}

void write_resolver_file(const u32* servers, size_t count)
{
    // A resolv.conf that came with the initrd is the program's own choice.
    auto existing = fs::open_inode(fs::root(), "/etc/resolv.conf", 0, 0);
    if (!existing.is_error()) {
        bool ours = existing.value() == g_resolver_file;
        fs::unref(*existing.value());
        if (!ours)
            return;
    }
    char text[64 * k_max_dns_servers];
    size_t length = 0;
    for (size_t i = 0; i < count && i < k_max_dns_servers; ++i) {
        u32 a = servers[i];
        length += format(text + length, sizeof(text) - length, "nameserver %u.%u.%u.%u\n", a >> 24, a >> 16 & 0xff,
            a >> 8 & 0xff, a & 0xff);
    }
    auto written = fs::write_file("/etc/resolv.conf", text, length, 0644);
    if (!written.is_error()) {
        written.value()->mode = fs::k_mode_regular | 0644;
        g_resolver_file = written.value();
    }
}

}

using namespace uk;
using namespace uk::net;

extern "C" void uk_lwip_dhcp_option(struct netif*, u8_t message_type, u8_t option, u8_t length,
    const struct pbuf* packet, u16_t offset)
{
    // [RFC 2132 3.8] Option 6: a list of 4-byte addresses. Taken from offers and acknowledgements;
    // used once the lease is bound.
    if (option != 6 || (message_type != DHCP_OFFER && message_type != DHCP_ACK && message_type != 0))
        return;
    g_dhcp_dns_count = 0;
    for (u16_t at = 0; at + 4 <= length && g_dhcp_dns_count < k_max_dns_servers; at += 4) {
        u32 address;
        if (pbuf_copy_partial(packet, &address, 4, static_cast<u16_t>(offset + at)) != 4)
            return;
        g_dhcp_dns[g_dhcp_dns_count++] = lwip_ntohl(address);
    }
}
