// SPDX-License-Identifier: MIT
// NetworkDevice: what the network stack (runtime/net/) needs from a network card driver
// (runtime/drivers/virtio/net.*), and nothing more. The driver owns its receive buffers and
// rings; the stack owns the protocol state.
//
// Threads and interrupts: the driver's interrupt handler only acknowledges the device and wakes
// `receive_queue()` (and transmit completions); all other calls come from runtime code (the
// network stack's kernel thread or a system call), never from interrupt context, and never
// concurrently (the stack serializes them under its core lock).
#pragma once

#include "lib/result.h"
#include "lib/types.h"
#include "sched/wait_queue.h"

namespace uk::drivers {

inline constexpr size_t k_mac_length = 6;

enum NetworkFeatures : u32 {
    // The device computes TCP/UDP checksums of frames we send (we leave them partial).
    k_net_transmit_checksum = 1u << 0,
    // Received frames arrive with their checksums already validated by the device.
    k_net_receive_checksum = 1u << 1,
};

// One piece of a frame to send. `address` is a runtime address (identity-mapped RAM, so it is
// also the physical address a device can read); the memory must stay valid and unchanged until
// the frame's completion is reported.
struct FrameSegment {
    const void* data;
    size_t length;
};

// Checksum work the device is asked to do for one outgoing frame
// ([virtio-1.2 5.1.6.2] VIRTIO_NET_HDR_F_NEEDS_CSUM): checksum from `start` to the end of the
// frame, stored at `start + offset`. `start == 0` means none.
struct TransmitOffload {
    u16 checksum_start = 0;
    u16 checksum_offset = 0;
};

// A received frame lent to the stack. The stack must give it back with release_frame() (it may
// keep it for a while, e.g. queued in a socket, so that receiving needs no copy).
struct ReceivedFrame {
    const u8* data;
    size_t length;
    bool checksum_valid; // The device validated the TCP/UDP checksum (k_net_receive_checksum).
    void* token;         // The driver's own reference to the buffer.
};

class NetworkDevice {
public:
    virtual const u8* mac() const = 0;
    virtual u16 mtu() const = 0; // Largest IP packet (1500 unless the device says otherwise).
    virtual u32 features() const = 0;
    virtual bool link_up() const = 0;

    // Queues one frame (Ethernet header included) made of `count` segments. `cookie` comes back
    // through `reclaim_transmitted` when the device no longer needs the memory. EAGAIN: the
    // transmit ring is full right now (the stack retries after reclaiming). The device may not
    // see the frame before the next flush_transmit().
    virtual Result<void> transmit(const FrameSegment* segments, size_t count, const TransmitOffload& offload,
        void* cookie) = 0;
    // Shows the device every frame queued since the last call, with one notification for all of
    // them: each notification costs the host an exit, so the stack queues what one pass produces
    // and flushes once at its end.
    virtual void flush_transmit() = 0;
    // Calls `done(cookie)` for every frame the device has finished sending.
    virtual void reclaim_transmitted(void (*done)(void* cookie, void* context), void* context) = 0;

    // Takes the next received frame, if any. Handing frames out never blocks, and works with
    // interrupts disabled: a WaitQueue predicate may call it, which is how a waiter checks for
    // frames without losing a wake-up that comes between its check and its sleep. From a call
    // that returns a frame until one returns false, arriving frames may not wake
    // activity_queue() (the driver spares the device's interrupts while the caller drains): call
    // it until it returns false before sleeping.
    virtual bool receive(ReceivedFrame& out) = 0;
    // Returns a frame's buffer to the device.
    virtual void release_frame(const ReceivedFrame& frame) = 0;
    // Woken (from the interrupt handler) whenever frames arrive or transmit slots free up.
    virtual sched::WaitQueue& activity_queue() = 0;

protected:
    ~NetworkDevice() = default;
};

// The first network device; null when there is none. The first call probes the machine's
// devices (drivers/virtio), so an image that never asks pays nothing. Runtime code only.
NetworkDevice* first_network_device();
void register_network_device(NetworkDevice& device);

}
