// SPDX-License-Identifier: MIT
// virtio over PCI, the modern (virtio 1.x) interface: configuration structures found through
// vendor-specific capabilities, MSI-X where the function offers it, INTx otherwise
// [virtio-1.2 4.1].
#pragma once

#include "drivers/pci.h"
#include "drivers/virtio/virtio.h"

namespace uk::virtio {

inline constexpr u16 k_pci_vendor = 0x1af4;
// The device type behind a Red Hat/virtio vendor PCI function: 0x1040 + type for modern-only
// devices, the subsystem id for transitional ones (0x1000-0x103f); 0 for anything else.
u32 pci_device_type(const pci::Function& function);

class PciTransport final : public Transport {
public:
    // Finds and maps the common, notification, ISR and device configuration structures.
    // ENODEV: a structure is missing (a legacy-only device); EINVAL: one lies outside its BAR.
    static Result<PciTransport*> create(const pci::Function& function, u32 type);

    const char* location() const override { return m_location; }
    u32 device_type() const override { return m_type; }
    void reset() override;
    u8 status() override;
    void set_status(u8 status) override;
    u64 device_features() override;
    void set_driver_features(u64 features) override;
    u16 queue_max_size(u16 index) override;
    Result<void> enable_queue(u16 index, const QueueAddresses& queue) override;
    void notify(u16 index) override;
    u32 config_generation() override;
    u8 read_config8(u32 offset) override;
    u16 read_config16(u32 offset) override;
    u32 read_config32(u32 offset) override;
    Result<void> set_interrupt_handler(DeviceInterruptHandler handler, void* context) override;

    PciTransport(pci::Address address, u32 type);

private:
    static constexpr u16 k_max_queues = 16;
    static constexpr u16 k_no_vector = 0xffff;

    static void on_config_message(void* self);
    static void on_queue_message(void* self);
    static void on_line(void* self);
    Result<void> use_msix();

    pci::Address m_address;
    u32 m_type;
    volatile u8* m_common = nullptr;
    volatile u8* m_isr = nullptr;
    volatile u8* m_device = nullptr;
    u32 m_device_length = 0;
    volatile u8* m_notify = nullptr;
    u32 m_notify_length = 0;
    u32 m_notify_multiplier = 0;
    u16 m_notify_offsets[k_max_queues] = {};
    pci::MsixTable m_msix;
    u16 m_queue_vector = k_no_vector;
    DeviceInterruptHandler m_handler = nullptr;
    void* m_context = nullptr;
    char m_location[24];
};

}
