// SPDX-License-Identifier: MIT
// The ACPI tables the runtime reads: RSDP → RSDT/XSDT → MADT, parsed into what interrupt routing
// and CPU bring-up need. Portable (physical memory is read through a callback) and host-tested.
// [ACPI 6.5 5.2.5 RSDP, 5.2.7 RSDT, 5.2.8 XSDT, 5.2.12 MADT]
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace uk::arch {

struct IoApicInfo {
    u8 id;
    u32 address;
    u32 gsi_base;
};

// [ACPI 6.5 5.2.12.5] An ISA IRQ that is not wired to the GSI of the same number, or not with
// the ISA defaults (edge-triggered, active high). `flags` are the MPS INTI flags.
struct InterruptOverride {
    u8 isa_irq;
    u32 gsi;
    u16 flags;
};

struct MachineTopology {
    static constexpr size_t k_max_ioapics = 8;
    static constexpr size_t k_max_overrides = 24;
    static constexpr size_t k_max_cpus = 256;

    u64 local_apic_address = 0xfee00000;
    IoApicInfo ioapics[k_max_ioapics] {};
    size_t ioapic_count = 0;
    InterruptOverride overrides[k_max_overrides] {};
    size_t override_count = 0;
    // Local APIC ids of the enabled (or online-capable) processors, the boot CPU first as the
    // MADT lists it.
    u32 cpu_apic_ids[k_max_cpus] {};
    size_t cpu_count = 0;
    bool has_legacy_pics = false; // MADT flag PCAT_COMPAT: 8259s present (they get masked).
};

// Copies `length` bytes of physical memory at `address` into `out`; false when that memory
// cannot be read.
using PhysicalReader = bool (*)(u64 address, void* out, size_t length);

// The physical address of the RSDP inside [base, base + length) (searched on 16-byte boundaries,
// checksum verified), or 0.
u64 find_rsdp(const u8* memory, size_t length, u64 base);

// The physical address of the MP floating pointer ("_MP_", checksum verified) inside
// [base, base + length), or 0. [MP 1.4 4.1]
u64 find_mp_pointer(const u8* memory, size_t length, u64 base);
// Reads the processors and I/O APICs of the MP configuration table the floating pointer at
// `pointer` names: the machines QEMU starts without ACPI (microvm with acpi=off) describe their
// CPUs only there. EINVAL for a malformed table, ENOENT when it has no configuration table.
Result<void> read_mp_topology(u64 pointer, PhysicalReader read, MachineTopology& out);

// Reads the MADT reachable from the RSDP at `rsdp`. Every table's signature, length and checksum
// is checked: ENOENT when there is no valid MADT, EINVAL for a malformed one.
Result<void> read_topology(u64 rsdp, PhysicalReader read, MachineTopology& out);

}
