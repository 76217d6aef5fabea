// SPDX-License-Identifier: MIT
// PCI configuration space, bus scan, capabilities, BARs and MSI-X tables ([PCI 3.0]).
#include "drivers/pci.h"

#include "arch/spin_lock.h"
#include "lib/format.h"

namespace uk::pci {

namespace {

// [PCI 3.0 3.2.2.3.2] Configuration mechanism #1: an address written to 0xcf8 selects a dword
// that the data window 0xcfc-0xcff then reads or writes.
constexpr u16 k_config_address = 0xcf8;
constexpr u16 k_config_data = 0xcfc;
constexpr u16 k_bar0 = 0x10;
constexpr u16 k_bridge_secondary_bus = 0x19; // [PCI-BB 1.2 3.2.5.4]
constexpr u8 k_class_bridge = 0x06, k_subclass_pci_bridge = 0x04;
constexpr size_t k_max_functions = 64;

Function g_functions[k_max_functions];
size_t g_function_count;
bool g_scanned;
// The address/data pair is one register window for every CPU.
constinit arch::SpinLock g_config_lock { arch::LockRank::Devices };

void select(Address a, u16 offset)
{
    arch::port_write32(k_config_address,
        0x80000000u | (u32(a.bus) << 16) | (u32(a.device & 31) << 11) | (u32(a.function & 7) << 8) | (offset & 0xfc));
}

void scan_bus(u8 bus);

void scan_function(Address a)
{
    u16 vendor = read16(a, k_vendor_id);
    if (vendor == 0xffff)
        return;
    if (g_function_count == k_max_functions) {
        printk("uk: warning: pci: more than %zu functions; %02x:%02x.%u and later are ignored\n", k_max_functions,
            a.bus, a.device, a.function);
        return;
    }
    Function& f = g_functions[g_function_count++];
    f.address = a;
    f.vendor_id = vendor;
    f.device_id = read16(a, k_device_id);
    f.class_code = read8(a, 0x0b);
    f.subclass = read8(a, 0x0a);
    f.header_type = read8(a, k_header_type) & 0x7f;
    if (f.class_code == k_class_bridge && f.subclass == k_subclass_pci_bridge && f.header_type == 1) {
        u8 secondary = read8(a, k_bridge_secondary_bus);
        // Firmware numbers buses depth first, so a secondary bus at or below this one is not
        // configured; following it could loop. Above it, the recursion ends by bus 255.
        if (secondary > a.bus)
            scan_bus(secondary);
    }
}

void scan_bus(u8 bus)
{
    for (u8 device = 0; device < 32; ++device) {
        Address a { bus, device, 0 };
        if (read16(a, k_vendor_id) == 0xffff)
            continue;
        // [PCI 3.0 6.2.1] Bit 7 of the header type: the device has functions 1-7 as well.
        unsigned functions = (read8(a, k_header_type) & 0x80) ? 8 : 1;
        for (u8 function = 0; function < functions; ++function)
            scan_function({ bus, device, function });
    }
}

void scan()
{
    if (g_scanned)
        return;
    g_scanned = true;
    // No host bridge answers (microvm without pcie=on): reads return all ones.
    if (read16({ 0, 0, 0 }, k_vendor_id) == 0xffff)
        return;
    scan_bus(0);
}

} // namespace

u32 read32(Address a, u16 offset)
{
    arch::IrqLockGuard guard(g_config_lock);
    select(a, offset);
    return arch::port_read32(k_config_data);
}

u16 read16(Address a, u16 offset)
{
    arch::IrqLockGuard guard(g_config_lock);
    select(a, offset);
    return arch::port_read16(k_config_data + (offset & 2));
}

u8 read8(Address a, u16 offset)
{
    arch::IrqLockGuard guard(g_config_lock);
    select(a, offset);
    return arch::port_read8(k_config_data + (offset & 3));
}

void write32(Address a, u16 offset, u32 value)
{
    arch::IrqLockGuard guard(g_config_lock);
    select(a, offset);
    arch::port_write32(k_config_data, value);
}

void write16(Address a, u16 offset, u16 value)
{
    arch::IrqLockGuard guard(g_config_lock);
    select(a, offset);
    arch::port_write16(k_config_data + (offset & 2), value);
}

void write8(Address a, u16 offset, u8 value)
{
    arch::IrqLockGuard guard(g_config_lock);
    select(a, offset);
    arch::port_write8(k_config_data + (offset & 3), value);
}

size_t function_count()
{
    scan();
    return g_function_count;
}

const Function& function(size_t index) { return g_functions[index]; }

u8 find_capability(Address a, u8 id, u8 after)
{
    // [PCI 3.0 6.7] Status bit 4: the capabilities pointer is valid.
    if (!(read16(a, k_status) & (1u << 4)))
        return 0;
    u8 offset = after ? read8(a, after + 1) : read8(a, k_capabilities_pointer);
    // At most 48 capabilities fit in the 192 bytes after the header: a longer walk is a loop.
    for (int steps = 0; steps < 48; ++steps) {
        offset &= 0xfc;
        if (offset < 0x40)
            return 0;
        if (read8(a, offset) == id)
            return offset;
        offset = read8(a, offset + 1);
    }
    return 0;
}

namespace {

// Sizing a BAR turns the function's decoding off and on, which costs QEMU a rebuild of its
// memory map each time: the BARs of the few functions drivers use are sized once each. (The
// runtime never moves a BAR, so what it read stays true.)
struct BarCache {
    Address address;
    u8 known; // Bit i: bars[i] is filled in.
    Bar bars[6];
};
constexpr size_t k_cached_functions = 8;
BarCache g_bar_cache[k_cached_functions];
size_t g_cached_count;

BarCache* bar_cache(Address a)
{
    for (size_t i = 0; i < g_cached_count; ++i) {
        const Address& f = g_bar_cache[i].address;
        if (f.bus == a.bus && f.device == a.device && f.function == a.function)
            return &g_bar_cache[i];
    }
    if (g_cached_count == k_cached_functions)
        return nullptr;
    g_bar_cache[g_cached_count].address = a;
    return &g_bar_cache[g_cached_count++];
}

Result<Bar> size_bar(Address a, unsigned index);

} // namespace

Result<Bar> read_bar(Address a, unsigned index)
{
    BarCache* cache = bar_cache(a);
    if (cache && index < 6 && (cache->known & (1u << index)))
        return cache->bars[index];
    Bar bar = TRY(size_bar(a, index));
    if (cache) {
        cache->bars[index] = bar;
        cache->known |= static_cast<u8>(1u << index);
    }
    return bar;
}

namespace {

Result<Bar> size_bar(Address a, unsigned index)
{
    unsigned bars = (read8(a, k_header_type) & 0x7f) == 0 ? 6 : 2;
    if (index >= bars)
        return error(EINVAL);
    u16 offset = k_bar0 + 4 * index;
    u32 low = read32(a, offset);
    Bar bar {};
    bar.io = low & 1;
    // [PCI 3.0 6.2.5.1] Memory BAR bits 2-1: 00 32-bit, 10 64-bit.
    bar.is_64bit = !bar.io && ((low >> 1) & 3) == 2;
    if (bar.is_64bit && index + 1 >= bars)
        return error(EINVAL);
    // The upper half of a 64-bit BAR is no BAR of its own: walk from BAR 0 to know.
    for (unsigned i = 0; i < index;) {
        u32 value = read32(a, k_bar0 + 4 * i);
        i += (!(value & 1) && ((value >> 1) & 3) == 2) ? 2 : 1;
        if (i > index)
            return error(EINVAL);
    }
    // Sizing writes all ones and reads back the bits that stick: decoding must be off meanwhile,
    // or the BAR would claim addresses from 0xfffff000 up for a moment.
    u16 command = read16(a, k_command);
    write16(a, k_command, command & ~(k_command_io | k_command_memory));
    write32(a, offset, 0xffffffff);
    u32 size_low = read32(a, offset);
    write32(a, offset, low);
    u64 mask = bar.io ? (size_low & ~3u) | 0xffff0000u : size_low & ~0xfu;
    u64 address = bar.io ? low & ~3u : low & ~0xfu;
    if (bar.is_64bit) {
        u32 high = read32(a, offset + 4);
        write32(a, offset + 4, 0xffffffff);
        u32 size_high = read32(a, offset + 4);
        write32(a, offset + 4, high);
        mask |= u64(size_high) << 32;
        address |= u64(high) << 32;
    } else {
        mask |= 0xffffffff00000000ull;
    }
    write16(a, k_command, command);
    bar.address = address;
    bar.size = mask == 0xffffffff00000000ull ? 0 : ~mask + 1;
    return bar;
}

} // namespace

void enable(Address a, u16 command_bits) { write16(a, k_command, read16(a, k_command) | command_bits); }

Result<void> MsixTable::init(Address a)
{
    u8 cap = find_capability(a, k_capability_msix);
    if (!cap)
        return error(ENODEV);
    // [PCI 3.0 6.8.2.3] Message control bits 10-0: table size - 1. [6.8.2.4] Table offset and
    // BAR indicator (BIR, bits 2-0).
    u16 control = read16(a, cap + 2);
    u32 table = read32(a, cap + 4);
    Bar bar = TRY(read_bar(a, table & 7));
    u64 offset = table & ~7u;
    u16 size = (control & 0x7ff) + 1;
    if (bar.io || bar.address == 0 || offset + 16ull * size > bar.size)
        return error(EINVAL);
    m_table = reinterpret_cast<volatile u32*>(TRY(arch::map_device_range(bar.address + offset, 16ull * size)));
    m_address = a;
    m_capability = cap;
    m_size = size;
    pci::enable(a, k_command_memory);
    return {};
}

void MsixTable::program(u16 index, const arch::MsiMessage& message)
{
    // [PCI 3.0 6.8.2.6-9] Entry: address low, address high, data, vector control (bit 0: masked).
    volatile u32* entry = m_table + 4 * index;
    entry[3] = 1;
    entry[0] = static_cast<u32>(message.address);
    entry[1] = static_cast<u32>(message.address >> 32);
    entry[2] = message.data;
    entry[3] = 0;
}

void MsixTable::enable()
{
    // Bit 15: MSI-X enable; bit 14: function mask (left clear).
    u16 control = read16(m_address, m_capability + 2);
    write16(m_address, m_capability + 2, (control | 0x8000) & ~0x4000);
}

void MsixTable::disable()
{
    u16 control = read16(m_address, m_capability + 2);
    write16(m_address, m_capability + 2, control & ~0x8000);
}

}
