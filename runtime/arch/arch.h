// SPDX-License-Identifier: MIT
// The machine interface: everything outside arch/ reaches the hardware through these functions.
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace uk::arch {

struct TrapFrame;

void cpu_init();

void port_write8(u16 port, u8 value);
void port_write32(u16 port, u32 value);
u8 port_read8(u16 port);

u64 read_timestamp();
// The TSC frequency when a CPUID leaf states it (0x15, or the hypervisor leaf 0x40000010), else 0.
u64 tsc_frequency_from_cpuid();
u64 frame_pointer();
void set_thread_pointer(u64 value);
u64 thread_pointer();

// Fills `out` from RDSEED or RDRAND; false if the CPU has neither or they keep failing.
bool hardware_random(u64& out);
bool has_hardware_random();
const char* cpu_vendor_and_brand(char* buffer, size_t size);

[[noreturn]] void halt_forever();
[[noreturn]] void reset_machine();
[[noreturn]] void enter_program(u64 stack_pointer, u64 entry);

// Page protections, as in mmap's PROT_* bits.
enum Protection : u32 { k_prot_none = 0, k_prot_read = 1, k_prot_write = 2, k_prot_exec = 4 };

// Installs the final page tables: RAM identity-mapped read/write/no-execute up to `ram_end`,
// the image mapped with its segments' permissions, page 0 left unmapped.
void paging_init(u64 ram_end);
Result<void> map_page(u64 virt, u64 phys, u32 protection);
// Removes a mapping and returns the frame it pointed to (0 if none).
u64 unmap_page(u64 virt);
void protect_page(u64 virt, u32 protection);
// True when `virt` is mapped, and readable (and writable if asked).
bool is_mapped(u64 virt, bool writable = false);

void dump_registers(const TrapFrame& frame);
u64 trap_pc(const TrapFrame& frame);
u64 trap_frame_pointer(const TrapFrame& frame);

}
