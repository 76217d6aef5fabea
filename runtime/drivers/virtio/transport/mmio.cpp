// SPDX-License-Identifier: MIT
// The virtio-mmio transport: registers at a fixed address, one interrupt line.
#include "drivers/virtio/transport/mmio.h"

#include "arch/arch.h"
#include "lib/format.h"
#include "mm/kmalloc.h"

namespace uk::virtio {

namespace {

// [virtio-1.2 4.2.2] Register offsets.
constexpr u32 k_magic = 0x000, k_version = 0x004, k_device_id = 0x008, k_device_features = 0x010,
              k_device_features_select = 0x014, k_driver_features = 0x020, k_driver_features_select = 0x024,
              k_queue_select = 0x030, k_queue_size_max = 0x034, k_queue_size = 0x038, k_queue_ready = 0x044,
              k_queue_notify = 0x050, k_interrupt_status = 0x060, k_interrupt_ack = 0x064, k_status = 0x070,
              k_queue_descriptors = 0x080, k_queue_driver = 0x090, k_queue_device = 0x0a0,
              k_config_generation = 0x0fc, k_config = 0x100;
constexpr u32 k_magic_value = 0x74726976; // "virt"

} // namespace

MmioTransport::MmioTransport(u64 base, u32 irq, u32 type) : m_base(base), m_irq(irq), m_type(type)
{
    format(m_location, sizeof(m_location), "virtio-mmio@0x%lx", base);
}

Result<MmioTransport*> MmioTransport::create(const MmioDeviceOption& option)
{
    // Registers and the configuration space of every device type fit in the first page.
    u64 base = TRY(arch::map_device_range(option.base, option.size < k_page_size ? option.size : k_page_size));
    auto* regs = reinterpret_cast<volatile u32*>(base);
    if (regs[k_magic / 4] != k_magic_value)
        return error(ENODEV);
    u32 version = regs[k_version / 4];
    u32 type = regs[k_device_id / 4];
    if (type == 0)
        return error(ENODEV);
    if (version != 2) {
        printk("uk: virtio-mmio@0x%lx: device type %u has the legacy interface (version %u), which the runtime "
               "does not drive (QEMU: -global virtio-mmio.force-legacy=false)\n",
            option.base, type, version);
        return error(EOPNOTSUPP);
    }
    auto* transport = make<MmioTransport>(base, option.irq, type);
    if (!transport)
        return error(ENOMEM);
    return transport;
}

u32 MmioTransport::read(u32 offset) const { return reinterpret_cast<volatile u32*>(m_base)[offset / 4]; }
void MmioTransport::write(u32 offset, u32 value) { reinterpret_cast<volatile u32*>(m_base)[offset / 4] = value; }

void MmioTransport::reset()
{
    write(k_status, 0);
    // [virtio-1.2 2.4.2] The reset is complete when the status reads back 0.
    for (int i = 0; i < 1000000 && read(k_status) != 0; ++i) {
    }
}

u8 MmioTransport::status() { return static_cast<u8>(read(k_status)); }
void MmioTransport::set_status(u8 status) { write(k_status, status); }

u64 MmioTransport::device_features()
{
    write(k_device_features_select, 0);
    u64 low = read(k_device_features);
    write(k_device_features_select, 1);
    return low | (u64(read(k_device_features)) << 32);
}

void MmioTransport::set_driver_features(u64 features)
{
    write(k_driver_features_select, 0);
    write(k_driver_features, static_cast<u32>(features));
    write(k_driver_features_select, 1);
    write(k_driver_features, static_cast<u32>(features >> 32));
}

u16 MmioTransport::queue_max_size(u16 index)
{
    write(k_queue_select, index);
    u32 max = read(k_queue_size_max);
    return max > 0xffff ? 0xffff : static_cast<u16>(max);
}

Result<void> MmioTransport::enable_queue(u16 index, const QueueAddresses& q)
{
    write(k_queue_select, index);
    // [virtio-1.2 4.2.3.2] The queue must not be in use already.
    if (read(k_queue_ready) != 0 || read(k_queue_size_max) < q.size)
        return error(EINVAL);
    write(k_queue_size, q.size);
    write(k_queue_descriptors, static_cast<u32>(q.descriptors));
    write(k_queue_descriptors + 4, static_cast<u32>(q.descriptors >> 32));
    write(k_queue_driver, static_cast<u32>(q.driver_area));
    write(k_queue_driver + 4, static_cast<u32>(q.driver_area >> 32));
    write(k_queue_device, static_cast<u32>(q.device_area));
    write(k_queue_device + 4, static_cast<u32>(q.device_area >> 32));
    write(k_queue_ready, 1);
    return {};
}

void MmioTransport::notify(u16 index) { write(k_queue_notify, index); }

u32 MmioTransport::config_generation() { return read(k_config_generation); }

// [virtio-1.2 4.2.2.2] The configuration space may be read with accesses of the field's width.
u8 MmioTransport::read_config8(u32 offset) { return reinterpret_cast<volatile u8*>(m_base + k_config)[offset]; }
u16 MmioTransport::read_config16(u32 offset)
{
    return *reinterpret_cast<volatile u16*>(m_base + k_config + offset);
}
u32 MmioTransport::read_config32(u32 offset)
{
    return *reinterpret_cast<volatile u32*>(m_base + k_config + offset);
}

void MmioTransport::on_interrupt(void* self)
{
    auto* t = static_cast<MmioTransport*>(self);
    u32 causes = t->read(k_interrupt_status);
    if (causes == 0)
        return;
    // Acknowledge first, so that whatever the device adds from now on raises the line again.
    t->write(k_interrupt_ack, causes);
    if (t->m_handler)
        t->m_handler(t->m_context, static_cast<u8>(causes & (k_cause_queue | k_cause_config)));
}

Result<void> MmioTransport::set_interrupt_handler(DeviceInterruptHandler handler, void* context)
{
    m_handler = handler;
    m_context = context;
    // The device holds its line up while InterruptStatus is not zero (QEMU's virtio-mmio raises
    // a level), so a level-triggered input cannot miss an event that arrives during the handler.
    // The number is an ISA-style IRQ: an ACPI override, where there is one, moves it.
    arch::InterruptLine line { m_irq, arch::Trigger::Level, arch::Polarity::ActiveHigh };
    if (m_irq < 16)
        line.gsi = arch::isa_interrupt_line(static_cast<u8>(m_irq)).gsi;
    TRY(arch::register_interrupt(line, on_interrupt, this));
    format(m_interrupt_kind, sizeof(m_interrupt_kind), "gsi %u", line.gsi);
    return {};
}

}
