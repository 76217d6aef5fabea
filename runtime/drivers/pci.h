// SPDX-License-Identifier: MIT
// PCI: configuration space through the legacy ports 0xcf8/0xcfc (pc and q35), a scan of the
// buses behind the host bridge, capability lists, BARs (64-bit ones included) and MSI-X tables.
// [PCI 3.0] PCI Local Bus Specification 3.0; [PCI-BB 1.2] PCI-to-PCI Bridge Architecture 1.2.
#pragma once

#include "arch/arch.h"
#include "lib/result.h"
#include "lib/types.h"

namespace uk::pci {

struct Address {
    u8 bus;
    u8 device;   // 0-31
    u8 function; // 0-7
};

u32 read32(Address address, u16 offset);
u16 read16(Address address, u16 offset);
u8 read8(Address address, u16 offset);
void write32(Address address, u16 offset, u32 value);
void write16(Address address, u16 offset, u16 value);
void write8(Address address, u16 offset, u8 value);

// [PCI 3.0 6.2.1] Header fields every function has.
inline constexpr u16 k_vendor_id = 0x00, k_device_id = 0x02, k_command = 0x04, k_status = 0x06,
                     k_revision = 0x08, k_header_type = 0x0e, k_subsystem_id = 0x2e,
                     k_capabilities_pointer = 0x34, k_interrupt_line = 0x3c, k_interrupt_pin = 0x3d;
inline constexpr u16 k_command_io = 1u << 0, k_command_memory = 1u << 1, k_command_bus_master = 1u << 2,
                     k_command_interrupt_disable = 1u << 10;
inline constexpr u8 k_capability_vendor = 0x09, k_capability_msix = 0x11;

struct Function {
    Address address;
    u16 vendor_id;
    u16 device_id;
    u8 class_code;
    u8 subclass;
    u8 header_type; // Without the multi-function bit.
};

// Every function on the machine (scanned once, on first use). The scan follows PCI-to-PCI
// bridges from bus 0; functions beyond the table's capacity are left out with a warning.
size_t function_count();
const Function& function(size_t index);

// Offset of the first capability with `id` after `after` (0: from the list's start), 0 if none.
// A list that loops or points outside the header ends the walk.
u8 find_capability(Address address, u8 id, u8 after = 0);

struct Bar {
    u64 address; // 0: the firmware assigned none.
    u64 size;
    bool io;
    bool is_64bit;
};
// Reads and sizes BAR `index` (0-5; a 64-bit BAR also uses index + 1). Decoding is off while the
// BAR is probed. EINVAL for an index past the header's BARs or the upper half of a 64-bit BAR.
Result<Bar> read_bar(Address address, unsigned index);

// Sets bits in the command register.
void enable(Address address, u16 command_bits);

// MSI-X [PCI 3.0 6.8.2]: the table lives in one of the function's memory BARs.
class MsixTable {
public:
    // Finds the capability and maps the table; ENODEV without MSI-X.
    Result<void> init(Address address);
    u16 size() const { return m_size; }
    // Programs entry `index` with a message and unmasks it.
    void program(u16 index, const arch::MsiMessage& message);
    // Turns MSI-X on (which also stops INTx) with every entry's own mask in force.
    void enable();
    void disable();

private:
    Address m_address {};
    u8 m_capability = 0;
    u16 m_size = 0;
    volatile u32* m_table = nullptr;
};

}
