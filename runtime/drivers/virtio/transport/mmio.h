// SPDX-License-Identifier: MIT
// virtio over MMIO, version 2 (the virtio 1.x register layout) [virtio-1.2 4.2].
#pragma once

#include "drivers/virtio/transport/mmio_option.h"
#include "drivers/virtio/virtio.h"

namespace uk::virtio {

class MmioTransport final : public Transport {
public:
    // Maps the registers and checks the magic value and version. ENODEV: nothing there, or a
    // slot without a device (device id 0); EOPNOTSUPP: a legacy (version 1) interface.
    static Result<MmioTransport*> create(const MmioDeviceOption& option);

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

    MmioTransport(u64 base, u32 irq, u32 type);

private:
    static void on_interrupt(void* self);
    u32 read(u32 offset) const;
    void write(u32 offset, u32 value);

    u64 m_base;
    u32 m_irq;
    u32 m_type;
    DeviceInterruptHandler m_handler = nullptr;
    void* m_context = nullptr;
    char m_location[32];
};

}
