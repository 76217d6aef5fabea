// SPDX-License-Identifier: MIT
// virtio 1.x: the constants every transport and device shares, and Transport, what a device
// driver needs from the bus it sits on (virtio-mmio or virtio-pci).
// [virtio-1.2] Virtual I/O Device (VIRTIO) Version 1.2, OASIS Committee Specification 01.
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace uk::virtio {

// [virtio-1.2 5] Device types (the PCI device id is 0x1040 + type).
enum DeviceType : u32 { k_device_net = 1, k_device_block = 2, k_device_console = 3, k_device_entropy = 4 };

// [virtio-1.2 2.1] Device status bits.
enum Status : u8 {
    k_status_acknowledge = 1,
    k_status_driver = 2,
    k_status_driver_ok = 4,
    k_status_features_ok = 8,
    k_status_needs_reset = 64,
    k_status_failed = 128,
};

// [virtio-1.2 6] Reserved (transport-independent) feature bits.
inline constexpr u64 k_feature_indirect_descriptors = 1ull << 28;
inline constexpr u64 k_feature_event_index = 1ull << 29;
inline constexpr u64 k_feature_version_1 = 1ull << 32;
inline constexpr u64 k_feature_access_platform = 1ull << 33;
inline constexpr u64 k_feature_ring_packed = 1ull << 34;

// Why an interrupt came: a queue has used buffers, or the configuration space changed.
enum InterruptCause : u8 { k_cause_queue = 1, k_cause_config = 2 };
// Runs in interrupt context (arch.h's handler contract) once the transport has acknowledged
// the interrupt.
using DeviceInterruptHandler = void (*)(void* context, u8 causes);

// Where a queue's three parts are (runtime addresses, which are physical addresses).
struct QueueAddresses {
    u16 size;
    u64 descriptors;
    u64 driver_area; // The available ring.
    u64 device_area; // The used ring.
};

class Transport {
public:
    // For log lines: "virtio-mmio@0xfeb00e00", "virtio-pci 00:03.0".
    virtual const char* location() const = 0;
    virtual u32 device_type() const = 0;

    // Writes 0 to the status and waits until the device reports the reset done.
    virtual void reset() = 0;
    virtual u8 status() = 0;
    virtual void set_status(u8 status) = 0;
    virtual u64 device_features() = 0;
    virtual void set_driver_features(u64 features) = 0;

    // The largest size the device allows for queue `index`; 0 when there is no such queue.
    virtual u16 queue_max_size(u16 index) = 0;
    // Gives the device a queue's memory and enables it (before DRIVER_OK).
    virtual Result<void> enable_queue(u16 index, const QueueAddresses& queue) = 0;
    // Tells the device that queue `index` has new available buffers.
    virtual void notify(u16 index) = 0;

    // The device-specific configuration space. [virtio-1.2 2.5] Reads of more than one field
    // are consistent when the generation is the same before and after.
    virtual u32 config_generation() = 0;
    virtual u8 read_config8(u32 offset) = 0;
    virtual u16 read_config16(u32 offset) = 0;
    virtual u32 read_config32(u32 offset) = 0;

    // Registers the device's interrupt (MSI-X where offered, else the line). Called after
    // feature negotiation and before the first enable_queue().
    virtual Result<void> set_interrupt_handler(DeviceInterruptHandler handler, void* context) = 0;
    // How interrupts arrive, for log lines: "msi-x", "intx gsi 11", "gsi 12".
    const char* interrupt_kind() const { return m_interrupt_kind; }

protected:
    char m_interrupt_kind[24] = "none";

    ~Transport() = default;
};

// [virtio-1.2 3.1.1] Steps 1-6 of device initialization: reset, ACKNOWLEDGE, DRIVER, feature
// negotiation (the device's features that are also in `supported`; VERSION_1 is required),
// FEATURES_OK and its check. Returns the negotiated features; on failure the device is left
// FAILED and a line naming `driver` says why.
Result<u64> negotiate_features(Transport& transport, const char* driver, u64 supported);
// Step 8: DRIVER_OK.
void finish_initialization(Transport& transport);
// A fatal device error: logs "uk: DRIVER (LOCATION): REASON; device reset and disabled", marks
// the device FAILED and resets it, so that it touches none of the driver's memory any more.
void fail_device(Transport& transport, const char* driver, const char* reason);

// Device memory carved from a driver's own static area rather than the heap (16-byte aligned
// pieces; null once it is used up).
struct DeviceMemoryArea {
    u8* next;
    u8* end;
    void* take(size_t bytes);
};

class SplitVirtqueue;
// Allocates queue `index`'s memory (from `area` if given, else the heap) at the largest
// power-of-two size up to `wanted` the device allows, and enables it. ENODEV: the device has no
// such queue; ENOMEM: no memory.
Result<void> setup_queue(Transport& transport, u16 index, u16 wanted, bool event_index, SplitVirtqueue& queue,
    DeviceMemoryArea* area = nullptr);

// Memory the device reads or writes: zeroed, 16-byte aligned, identity-mapped (its address is
// the physical address). Up to a page. Never freed: a device may still hold it.
void* allocate_device_memory(size_t bytes);

}
