// SPDX-License-Identifier: MIT
// The virtio-net driver: receive buffers the device fills (merged when it spreads a frame over
// several), transmit chains that point at the caller's memory behind a header of our own,
// checksum offload both ways when offered, link status from the configuration space.
#include "drivers/virtio/net.h"

#include "lib/runtime_options.h"
#include "drivers/virtio/discovery.h"
#include "drivers/virtio/split_virtqueue.h"
#include "drivers/virtio/virtio.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "sched/locks.h"

namespace uk::virtio {

namespace {

constexpr const char* k_driver = "virtio-net";

// [virtio-1.2 5.1.3] Feature bits.
constexpr u64 k_net_csum = 1ull << 0;        // The device checksums what the driver leaves partial.
constexpr u64 k_net_guest_csum = 1ull << 1;  // The device tells validated/partial checksums.
constexpr u64 k_net_mac = 1ull << 5;
constexpr u64 k_net_mrg_rxbuf = 1ull << 15;
constexpr u64 k_net_status = 1ull << 16;
// [virtio-1.2 5.1.4] Configuration: mac[6], status (u16).
constexpr u32 k_config_mac = 0, k_config_status = 6;
constexpr u16 k_status_link_up = 1;

// [virtio-1.2 5.1.6] The header before every frame (with VERSION_1 always 12 bytes, num_buffers
// included).
struct NetHeader {
    u8 flags;
    u8 gso_type;
    u16 header_length;
    u16 gso_size;
    u16 checksum_start;
    u16 checksum_offset;
    u16 buffer_count;
};
static_assert(sizeof(NetHeader) == 12);
constexpr u8 k_header_needs_checksum = 1, k_header_data_valid = 2;

constexpr u16 k_receive_queue = 0, k_transmit_queue = 1;
// Half a page each: the header and a whole Ethernet frame (1514 bytes, 1518 with a VLAN tag).
// With mergeable buffers uk.net.rxbuf can make them smaller (for tests of merging).
constexpr u32 k_receive_buffer_size = 2048;
constexpr u16 k_receive_queue_size = 256;
constexpr u16 k_receive_buffers = 128;
constexpr u16 k_transmit_queue_size = 256;
// Buffers given back are published together: at the end of a drain, or once this many wait.
constexpr u16 k_receive_publish_batch = 32;
// Below this many unused buffers the device is notified of new ones whatever its avail_event
// says (see publish_receive_buffers()).
constexpr u16 k_receive_starving = k_receive_buffers / 4;
// A frame merged from several buffers is copied into one page; bigger ones are dropped (the
// driver negotiates no segmentation offload, so only a device ignoring the MTU sends them).
constexpr size_t k_max_merged_frame = k_page_size;

// One frame in flight: the header the device reads first, and the stack's cookie.
struct TransmitSlot {
    NetHeader header;
    u16 next_free;
    void* cookie;
};

class VirtioNet final : public drivers::NetworkDevice {
public:
    explicit VirtioNet(Transport& transport) : m_transport(transport) {}

    Result<void> start();

    const u8* mac() const override { return m_mac; }
    u16 mtu() const override { return 1500; }
    u32 features() const override { return m_features; }
    bool link_up() const override { return m_link_up && !m_broken; }
    Result<void> transmit(const drivers::FrameSegment* segments, size_t count, const drivers::TransmitOffload& offload,
        void* cookie) override;
    void reclaim_transmitted(void (*done)(void* cookie, void* context), void* context) override;
    void flush_transmit() override;
    bool receive(drivers::ReceivedFrame& out) override;
    void release_frame(const drivers::ReceivedFrame& frame) override;
    sched::WaitQueue& activity_queue() override { return m_activity; }

private:
    static void on_interrupt(void* self, u8 causes);
    void read_link_status();
    void fail(const char* reason);
    void fail_queue(const SplitVirtqueue& queue, const char* which);
    void check_reset_request();
    void post_receive_buffer(u8* buffer);
    void publish_receive_buffers();
    bool merge(const u8* first, u32 first_length, u16 count, drivers::ReceivedFrame& out);
    void log_start() const;

    Transport& m_transport;
    u64 m_negotiated = 0;
    u32 m_features = 0;
    u8 m_mac[drivers::k_mac_length] = {};
    bool m_link_up = true;
    bool m_broken = false;
    volatile bool m_needs_reset = false;
    SplitVirtqueue m_receive;
    SplitVirtqueue m_transmit;
    TransmitSlot* m_slots = nullptr;
    u16 m_free_slot = 0xffff;
    u16 m_receive_posted = 0;
    u32 m_buffer_size = k_receive_buffer_size;
    sched::WaitQueue m_activity { sched::WakeSource::External };
};

Result<void> VirtioNet::start()
{
    m_negotiated = TRY(negotiate_features(m_transport, k_driver,
        k_net_csum | k_net_guest_csum | k_net_mac | k_net_mrg_rxbuf | k_net_status | k_feature_event_index));
    bool event_index = m_negotiated & k_feature_event_index;
    if (m_negotiated & k_net_csum)
        m_features |= drivers::k_net_transmit_checksum;
    if (m_negotiated & k_net_guest_csum)
        m_features |= drivers::k_net_receive_checksum;
    if (m_negotiated & k_net_mac) {
        for (u32 i = 0; i < drivers::k_mac_length; ++i)
            m_mac[i] = m_transport.read_config8(k_config_mac + i);
    } else {
        // [virtio-1.2 5.1.5] Without one from the device the driver picks a random address:
        // locally administered (bit 1), unicast (bit 0 clear).
        u64 random = arch::read_timestamp() * 0x9e3779b97f4a7c15ull;
        arch::hardware_random(random);
        copy_bytes(m_mac, &random, drivers::k_mac_length);
        m_mac[0] = static_cast<u8>((m_mac[0] & 0xfe) | 0x02);
    }
    read_link_status();
    if (m_transport.set_interrupt_handler(on_interrupt, this).is_error()) {
        fail("no interrupt could be routed");
        return error(ENODEV);
    }
    if (setup_queue(m_transport, k_receive_queue, k_receive_queue_size, event_index, m_receive).is_error()
        || setup_queue(m_transport, k_transmit_queue, k_transmit_queue_size, event_index, m_transmit).is_error()) {
        fail("the queues could not be set up");
        return error(ENODEV);
    }
    // Every frame takes at least two descriptors (our header and the frame): half as many
    // slots as descriptors (a page of them for the largest queue).
    u16 slots = static_cast<u16>(m_transmit.size() / 2 ? m_transmit.size() / 2 : 1);
    static_assert(sizeof(TransmitSlot) * (k_transmit_queue_size / 2) <= k_page_size);
    m_slots = static_cast<TransmitSlot*>(allocate_device_memory(sizeof(TransmitSlot) * slots));
    if (!m_slots) {
        fail("out of memory");
        return error(ENOMEM);
    }
    for (u16 i = 0; i < slots; ++i)
        m_slots[i].next_free = static_cast<u16>(i + 1 < slots ? i + 1 : 0xffff);
    m_free_slot = 0;
    // Completions of sent frames are collected when the stack asks, not announced (see transmit()).
    m_transmit.disable_interrupts();
    // The device needs to hear of receive buffers only when it ran out of them; a notification
    // per returned buffer cost the host an exit per received frame. The transmit queue keeps
    // notifying on every publish (setup_queue()), which flush_transmit() makes one per batch.
    m_receive.set_notify_always(false);
    finish_initialization(m_transport);

    if ((m_negotiated & k_net_mrg_rxbuf) && runtime_options().net_receive_buffer)
        m_buffer_size = runtime_options().net_receive_buffer;
    sched::SchedulerGuard guard;
    u16 buffers = m_receive.size() < k_receive_buffers ? m_receive.size() : k_receive_buffers;
    u32 per_page = static_cast<u32>(k_page_size / m_buffer_size);
    for (u16 i = 0; i + per_page <= buffers; i = static_cast<u16>(i + per_page)) {
        auto* page = static_cast<u8*>(allocate_page());
        if (!page)
            break;
        for (u32 j = 0; j < per_page; ++j)
            post_receive_buffer(page + j * m_buffer_size);
    }
    if (m_receive_posted == 0) {
        fail("out of memory for receive buffers");
        return error(ENOMEM);
    }
    if (m_receive.publish())
        m_transport.notify(k_receive_queue);
    if (runtime_options().verbose)
        log_start();
    return {};
}

void VirtioNet::log_start() const
{
    char names[96];
    format(names, sizeof(names), "%s%s%s%s%s%s", m_negotiated & k_net_mac ? " mac" : "",
        m_negotiated & k_net_status ? " status" : "", m_negotiated & k_net_mrg_rxbuf ? " mrg_rxbuf" : "",
        m_negotiated & k_net_csum ? " csum" : "", m_negotiated & k_net_guest_csum ? " guest_csum" : "",
        m_negotiated & k_feature_event_index ? " event_idx" : "");
    printk("uk: %s (%s, %s): mac %02x:%02x:%02x:%02x:%02x:%02x, features%s, link %s, %u receive buffers of %u "
           "bytes\n",
        k_driver, m_transport.location(), m_transport.interrupt_kind(), m_mac[0], m_mac[1], m_mac[2], m_mac[3],
        m_mac[4], m_mac[5], names, m_link_up ? "up" : "down", m_receive_posted, m_buffer_size);
}

void VirtioNet::read_link_status()
{
    if (!(m_negotiated & k_net_status))
        return; // [virtio-1.2 5.1.4.2] Without VIRTIO_NET_F_STATUS the link is assumed up.
    m_link_up = m_transport.read_config16(k_config_status) & k_status_link_up;
}

void VirtioNet::on_interrupt(void* self, u8 causes)
{
    sched::SchedulerGuard guard; // What interrupt handlers share with threads is under it.
    auto* net = static_cast<VirtioNet*>(self);
    if (causes & k_cause_config) {
        if (net->m_transport.status() & k_status_needs_reset)
            net->m_needs_reset = true;
        net->read_link_status();
    }
    net->m_activity.wake_all();
}

void VirtioNet::fail(const char* reason)
{
    if (m_broken)
        return;
    m_broken = true;
    fail_device(m_transport, k_driver, reason);
    m_activity.wake_all();
}

void VirtioNet::fail_queue(const SplitVirtqueue& queue, const char* which)
{
    char reason[200];
    format(reason, sizeof(reason), "%s queue: %s", which, queue.problem());
    fail(reason);
}

void VirtioNet::check_reset_request()
{
    if (m_needs_reset)
        fail("the device set DEVICE_NEEDS_RESET");
}

// Interrupts disabled.
void VirtioNet::post_receive_buffer(u8* buffer)
{
    Segment segment { reinterpret_cast<u64>(buffer), m_buffer_size };
    if (!m_receive.add(&segment, 0, 1, buffer).is_error())
        ++m_receive_posted;
}

// Interrupts disabled. The device is notified when its avail_event asks for it
// ([virtio-1.2 2.7.10]) and, whatever avail_event says, when it was about to run out: a device
// only waits for a receive notification once it has no buffer left (QEMU's event-index handling
// stalled transmit queues under TCG, see SplitVirtqueue::set_notify_always, and a stalled
// receive queue would be as bad). A device that still holds buffers reports each frame it puts
// in one, and the drain that follows publishes the buffers given back, so it cannot run dry
// unnoticed.
void VirtioNet::publish_receive_buffers()
{
    if (m_receive.unpublished() == 0)
        return;
    u16 held = m_receive.device_held();
    if (m_receive.publish() || held < k_receive_starving)
        m_transport.notify(k_receive_queue);
}

Result<void> VirtioNet::transmit(const drivers::FrameSegment* segments, size_t count,
    const drivers::TransmitOffload& offload, void* cookie)
{
    constexpr size_t k_max_segments = 32;
    if (count == 0 || count > k_max_segments || count + 1 > m_transmit.size())
        return error(EINVAL);
    if (offload.checksum_start && !(m_features & drivers::k_net_transmit_checksum))
        return error(EINVAL);
    sched::SchedulerGuard guard;
    check_reset_request();
    if (m_broken)
        return error(EIO);
    if (m_free_slot == 0xffff || m_transmit.free_descriptors() < count + 1) {
        // Full: show the device what is queued, and have the completions announced, so that the
        // stack waiting on activity_queue() learns when to reclaim and retry.
        if (m_transmit.publish())
            m_transport.notify(k_transmit_queue);
        if (!m_transmit.enable_interrupts())
            return error(EAGAIN);
        m_activity.wake_all();
        return error(EAGAIN);
    }
    TransmitSlot& slot = m_slots[m_free_slot];
    slot.header = {};
    if (offload.checksum_start) {
        slot.header.flags = k_header_needs_checksum;
        slot.header.checksum_start = offload.checksum_start;
        slot.header.checksum_offset = offload.checksum_offset;
    }
    slot.cookie = cookie;
    Segment chain[k_max_segments + 1];
    chain[0] = { reinterpret_cast<u64>(&slot.header), sizeof(NetHeader) };
    for (size_t i = 0; i < count; ++i) {
        if (segments[i].length > 0xffffffffu)
            return error(EINVAL);
        chain[i + 1] = { reinterpret_cast<u64>(segments[i].data), static_cast<u32>(segments[i].length) };
    }
    TRY(m_transmit.add(chain, count + 1, 0, &slot));
    m_free_slot = slot.next_free;
    return {};
}

void VirtioNet::flush_transmit()
{
    sched::SchedulerGuard guard;
    if (m_transmit.publish())
        m_transport.notify(k_transmit_queue);
}

void VirtioNet::reclaim_transmitted(void (*done)(void* cookie, void* context), void* context)
{
    for (;;) {
        void* taken;
        u32 written;
        void* cookie;
        {
            sched::SchedulerGuard guard;
            auto r = m_transmit.take(taken, written);
            if (r == SplitVirtqueue::Take::Broken) {
                fail_queue(m_transmit, "transmit");
                return;
            }
            if (r == SplitVirtqueue::Take::Empty) {
                m_transmit.disable_interrupts();
                return;
            }
            auto* slot = static_cast<TransmitSlot*>(taken);
            cookie = slot->cookie;
            slot->next_free = m_free_slot;
            m_free_slot = static_cast<u16>(slot - m_slots);
        }
        // Outside the guard: the stack frees its buffers here.
        done(cookie, context);
    }
}

bool VirtioNet::receive(drivers::ReceivedFrame& out)
{
    sched::SchedulerGuard guard;
    check_reset_request();
    // While the caller drains the ring, frames that arrive need no interrupt: it looks again
    // before it sleeps (drivers/network_device.h).
    m_receive.disable_interrupts();
    for (;;) {
        void* cookie;
        u32 written;
        auto r = m_receive.take(cookie, written);
        if (r == SplitVirtqueue::Take::Broken) {
            fail_queue(m_receive, "receive");
            return false;
        }
        if (r == SplitVirtqueue::Take::Empty) {
            publish_receive_buffers();
            // Drained: interrupts are wanted again; look once more in case a frame came in
            // before the device saw that.
            if (m_receive.enable_interrupts())
                continue;
            return false;
        }
        --m_receive_posted;
        auto* buffer = static_cast<u8*>(cookie);
        if (written < sizeof(NetHeader)) {
            char reason[96];
            format(reason, sizeof(reason), "a received buffer of %u bytes is shorter than the header", written);
            fail(reason);
            return false;
        }
        NetHeader header;
        copy_bytes(&header, buffer, sizeof(header));
        u16 count = (m_negotiated & k_net_mrg_rxbuf) ? header.buffer_count : 1;
        bool valid = (m_negotiated & k_net_guest_csum) && (header.flags & (k_header_needs_checksum | k_header_data_valid));
        if (count == 1) {
            out = { buffer + sizeof(NetHeader), written - sizeof(NetHeader), valid, buffer };
            return true;
        }
        if (count == 0) {
            fail("a received frame says it spans 0 buffers");
            return false;
        }
        if (merge(buffer, written, count, out)) {
            out.checksum_valid = valid;
            return true;
        }
        if (m_broken)
            return false;
        // Dropped (too big, or no memory for the copy): look at the next one.
    }
}

// A frame spread over `count` buffers, the first one taken: copies it into one page (tagged
// token) and gives every buffer back. False when the frame was dropped or the device broke.
bool VirtioNet::merge(const u8* first, u32 first_length, u16 count, drivers::ReceivedFrame& out)
{
    auto* page = static_cast<u8*>(allocate_page());
    size_t length = first_length - sizeof(NetHeader);
    bool fits = page && length <= k_max_merged_frame;
    if (fits)
        copy_bytes(page, first + sizeof(NetHeader), length);
    post_receive_buffer(const_cast<u8*>(first));
    for (u16 i = 1; i < count; ++i) {
        void* cookie;
        u32 written;
        auto r = m_receive.take(cookie, written);
        if (r != SplitVirtqueue::Take::Taken) {
            // [virtio-1.2 5.1.6.4.2] The device uses all buffers of a frame at once.
            if (r == SplitVirtqueue::Take::Broken)
                fail_queue(m_receive, "receive");
            else
                fail("a received frame names more buffers than the device used");
            if (page)
                free_page(page);
            return false;
        }
        --m_receive_posted;
        fits = fits && length + written <= k_max_merged_frame;
        if (fits)
            copy_bytes(page + length, cookie, written);
        length += written;
        post_receive_buffer(static_cast<u8*>(cookie));
    }
    if (!fits) {
        if (page)
            free_page(page);
        return false;
    }
    out = { page, length, false, reinterpret_cast<void*>(reinterpret_cast<uptr>(page) | 1) };
    return true;
}

void VirtioNet::release_frame(const drivers::ReceivedFrame& frame)
{
    auto token = reinterpret_cast<uptr>(frame.token);
    if (token & 1) {
        free_page(reinterpret_cast<void*>(token & ~uptr(1)));
        return;
    }
    sched::SchedulerGuard guard;
    if (m_broken)
        return;
    post_receive_buffer(reinterpret_cast<u8*>(token));
    // The drain's end publishes the rest (receive()).
    if (m_receive.unpublished() >= k_receive_publish_batch)
        publish_receive_buffers();
}

} // namespace

drivers::NetworkDevice* start_network_device()
{
    Transport* transport = claim_device(k_device_net);
    if (!transport)
        return nullptr;
    auto* net = make<VirtioNet>(*transport);
    if (!net)
        return nullptr;
    if (net->start().is_error())
        return nullptr; // The device stays claimed and reset; net's memory is small and kept.
    return net;
}

}
