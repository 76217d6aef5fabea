// SPDX-License-Identifier: MIT
// The virtio-pci transport (modern interface).
#include "drivers/virtio/transport/pci.h"

#include "arch/arch.h"
#include "lib/format.h"
#include "mm/kmalloc.h"

namespace uk::virtio {

namespace {

// [virtio-1.2 4.1.4] virtio_pci_cap: cfg_type at +3, bar at +4, offset at +8, length at +12;
// the notification capability adds notify_off_multiplier at +16.
constexpr u8 k_cap_common = 1, k_cap_notify = 2, k_cap_isr = 3, k_cap_device = 4;

// [virtio-1.2 4.1.4.3] struct virtio_pci_common_cfg.
constexpr u32 k_device_feature_select = 0, k_device_feature = 4, k_driver_feature_select = 8, k_driver_feature = 12,
              k_msix_config = 16, k_num_queues = 18, k_device_status = 20, k_config_generation = 21,
              k_queue_select = 22, k_queue_size = 24, k_queue_msix_vector = 26, k_queue_enable = 28,
              k_queue_notify_off = 30, k_queue_desc = 32, k_queue_driver = 40, k_queue_device = 48;
constexpr u32 k_common_length = 56;

template<typename T>
T load(volatile u8* base, u32 offset)
{
    return *reinterpret_cast<volatile T*>(base + offset);
}

template<typename T>
void store(volatile u8* base, u32 offset, T value)
{
    *reinterpret_cast<volatile T*>(base + offset) = value;
}

struct Region {
    volatile u8* address;
    u32 length;
};

// Maps the structure a virtio capability at `cap` describes.
Result<Region> map_structure(pci::Address a, u8 cap, u32 minimum_length)
{
    u8 bar_index = pci::read8(a, cap + 4);
    u32 offset = pci::read32(a, cap + 8);
    u32 length = pci::read32(a, cap + 12);
    if (bar_index > 5 || length < minimum_length)
        return error(EINVAL);
    pci::Bar bar = TRY(pci::read_bar(a, bar_index));
    if (bar.io || bar.address == 0 || u64(offset) + length > bar.size)
        return error(EINVAL);
    u64 mapped = TRY(arch::map_device_range(bar.address + offset, length));
    return Region { reinterpret_cast<volatile u8*>(mapped), length };
}

} // namespace

u32 pci_device_type(const pci::Function& f)
{
    if (f.vendor_id != k_pci_vendor)
        return 0;
    if (f.device_id >= 0x1040 && f.device_id <= 0x107f)
        return f.device_id - 0x1040u;
    if (f.device_id >= 0x1000 && f.device_id <= 0x103f)
        return pci::read16(f.address, pci::k_subsystem_id);
    return 0;
}

PciTransport::PciTransport(pci::Address address, u32 type) : m_address(address), m_type(type)
{
    format(m_location, sizeof(m_location), "virtio-pci %02x:%02x.%u", address.bus, address.device, address.function);
}

Result<PciTransport*> PciTransport::create(const pci::Function& f, u32 type)
{
    auto* t = make<PciTransport>(f.address, type);
    if (!t)
        return error(ENOMEM);
    pci::Address a = f.address;
    // [virtio-1.2 4.1.4.1] Use the first capability of each type the driver can use.
    for (u8 cap = pci::find_capability(a, pci::k_capability_vendor); cap;
         cap = pci::find_capability(a, pci::k_capability_vendor, cap)) {
        u8 type_of_cap = pci::read8(a, cap + 3);
        if (type_of_cap == k_cap_common && !t->m_common) {
            auto region = map_structure(a, cap, k_common_length);
            if (!region.is_error())
                t->m_common = region.value().address;
        } else if (type_of_cap == k_cap_notify && !t->m_notify) {
            auto region = map_structure(a, cap, 2);
            if (!region.is_error()) {
                t->m_notify = region.value().address;
                t->m_notify_length = region.value().length;
                t->m_notify_multiplier = pci::read32(a, cap + 16);
            }
        } else if (type_of_cap == k_cap_isr && !t->m_isr) {
            auto region = map_structure(a, cap, 1);
            if (!region.is_error())
                t->m_isr = region.value().address;
        } else if (type_of_cap == k_cap_device && !t->m_device) {
            auto region = map_structure(a, cap, 1);
            if (!region.is_error()) {
                t->m_device = region.value().address;
                t->m_device_length = region.value().length;
            }
        }
    }
    if (!t->m_common || !t->m_notify || !t->m_isr) {
        printk("uk: %s: no usable virtio 1.x configuration structures (a legacy-only device?); not used\n",
            t->m_location);
        destroy(t);
        return error(ENODEV);
    }
    pci::enable(a, pci::k_command_memory | pci::k_command_bus_master);
    return t;
}

void PciTransport::reset()
{
    store<u8>(m_common, k_device_status, 0);
    // [virtio-1.2 4.1.4.3.2] The reset is complete when device_status reads back 0.
    for (int i = 0; i < 1000000 && load<u8>(m_common, k_device_status) != 0; ++i) {
    }
}

u8 PciTransport::status() { return load<u8>(m_common, k_device_status); }
void PciTransport::set_status(u8 status) { store<u8>(m_common, k_device_status, status); }

u64 PciTransport::device_features()
{
    store<u32>(m_common, k_device_feature_select, 0);
    u64 low = load<u32>(m_common, k_device_feature);
    store<u32>(m_common, k_device_feature_select, 1);
    return low | (u64(load<u32>(m_common, k_device_feature)) << 32);
}

void PciTransport::set_driver_features(u64 features)
{
    store<u32>(m_common, k_driver_feature_select, 0);
    store<u32>(m_common, k_driver_feature, static_cast<u32>(features));
    store<u32>(m_common, k_driver_feature_select, 1);
    store<u32>(m_common, k_driver_feature, static_cast<u32>(features >> 32));
}

u16 PciTransport::queue_max_size(u16 index)
{
    if (index >= k_max_queues || index >= load<u16>(m_common, k_num_queues))
        return 0;
    store<u16>(m_common, k_queue_select, index);
    return load<u16>(m_common, k_queue_size);
}

Result<void> PciTransport::enable_queue(u16 index, const QueueAddresses& q)
{
    if (index >= k_max_queues)
        return error(EINVAL);
    store<u16>(m_common, k_queue_select, index);
    if (load<u16>(m_common, k_queue_enable) != 0 || load<u16>(m_common, k_queue_size) < q.size)
        return error(EINVAL);
    u16 notify_off = load<u16>(m_common, k_queue_notify_off);
    // [virtio-1.2 4.1.4.4] The queue's notification address: cap.offset + notify_off * multiplier.
    if (u64(notify_off) * m_notify_multiplier + 2 > m_notify_length)
        return error(EINVAL);
    m_notify_offsets[index] = notify_off;
    store<u16>(m_common, k_queue_size, q.size);
    if (m_queue_vector != k_no_vector) {
        store<u16>(m_common, k_queue_msix_vector, m_queue_vector);
        // [virtio-1.2 4.1.5.1.2] A device out of vectors answers NO_VECTOR.
        if (load<u16>(m_common, k_queue_msix_vector) != m_queue_vector)
            return error(ENOSPC);
    }
    store<u32>(m_common, k_queue_desc, static_cast<u32>(q.descriptors));
    store<u32>(m_common, k_queue_desc + 4, static_cast<u32>(q.descriptors >> 32));
    store<u32>(m_common, k_queue_driver, static_cast<u32>(q.driver_area));
    store<u32>(m_common, k_queue_driver + 4, static_cast<u32>(q.driver_area >> 32));
    store<u32>(m_common, k_queue_device, static_cast<u32>(q.device_area));
    store<u32>(m_common, k_queue_device + 4, static_cast<u32>(q.device_area >> 32));
    store<u16>(m_common, k_queue_enable, 1);
    return {};
}

void PciTransport::notify(u16 index)
{
    store<u16>(m_notify, static_cast<u32>(m_notify_offsets[index]) * m_notify_multiplier, index);
}

u32 PciTransport::config_generation() { return load<u8>(m_common, k_config_generation); }

u8 PciTransport::read_config8(u32 offset)
{
    return m_device && offset < m_device_length ? load<u8>(m_device, offset) : 0xff;
}

u16 PciTransport::read_config16(u32 offset)
{
    return m_device && offset + 2 <= m_device_length ? load<u16>(m_device, offset) : 0xffff;
}

u32 PciTransport::read_config32(u32 offset)
{
    return m_device && offset + 4 <= m_device_length ? load<u32>(m_device, offset) : 0xffffffff;
}

void PciTransport::on_config_message(void* self)
{
    auto* t = static_cast<PciTransport*>(self);
    if (t->m_handler)
        t->m_handler(t->m_context, t->m_queue_vector == 0 ? k_cause_queue | k_cause_config : k_cause_config);
}

void PciTransport::on_queue_message(void* self)
{
    auto* t = static_cast<PciTransport*>(self);
    if (t->m_handler)
        t->m_handler(t->m_context, k_cause_queue);
}

void PciTransport::on_line(void* self)
{
    auto* t = static_cast<PciTransport*>(self);
    // [virtio-1.2 4.1.4.5] Reading the ISR status clears it and deasserts INTx. Zero: the
    // interrupt came from another device on a shared line.
    u8 isr = *t->m_isr;
    if (isr && t->m_handler)
        t->m_handler(t->m_context, isr & (k_cause_queue | k_cause_config));
}

Result<void> PciTransport::use_msix()
{
    TRY(m_msix.init(m_address));
    // Entry 0 for configuration changes, entry 1 for every queue (entry 0 too if that is all).
    auto config = TRY(arch::register_msi(on_config_message, this));
    m_msix.program(0, config);
    u16 queue_vector = 0;
    if (m_msix.size() >= 2) {
        auto queues = TRY(arch::register_msi(on_queue_message, this));
        m_msix.program(1, queues);
        queue_vector = 1;
    }
    m_msix.enable();
    store<u16>(m_common, k_msix_config, 0);
    if (load<u16>(m_common, k_msix_config) != 0) {
        m_msix.disable();
        return error(ENOSPC);
    }
    m_queue_vector = queue_vector;
    return {};
}

Result<void> PciTransport::set_interrupt_handler(DeviceInterruptHandler handler, void* context)
{
    m_handler = handler;
    m_context = context;
    if (!use_msix().is_error()) {
        // Messages only: keep the line quiet.
        pci::enable(m_address, pci::k_command_interrupt_disable);
        format(m_interrupt_kind, sizeof(m_interrupt_kind), "msi-x");
        return {};
    }
    u8 pin = pci::read8(m_address, pci::k_interrupt_pin);
    u8 line = pci::read8(m_address, pci::k_interrupt_line);
    // [PCI 3.0 6.2.4] Pin 0: no INTx; line 0xff: firmware routed it nowhere.
    if (pin == 0 || line == 0xff)
        return error(ENODEV);
    arch::InterruptLine routed = arch::pci_interrupt_line(line);
    TRY(arch::register_interrupt(routed, on_line, this));
    format(m_interrupt_kind, sizeof(m_interrupt_kind), "intx gsi %u", routed.gsi);
    pci::write16(m_address, pci::k_command,
        pci::read16(m_address, pci::k_command) & static_cast<u16>(~pci::k_command_interrupt_disable));
    return {};
}

}
