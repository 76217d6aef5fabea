// SPDX-License-Identifier: MIT
// Starting the application processors ([SDM 3A 8.4.4] the INIT-SIPI-SIPI sequence, through the
// real-mode trampoline in ap_trampoline.S), and interprocessor interrupts.
#include "arch/arch.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/local_apic.h"
#include "arch/x86_64/per_cpu.h"
#include "lib/placement_new.h"
#include "lib/string.h"
#include "lib/verify.h"

extern "C" const unsigned char uk_ap_trampoline_start[];
extern "C" const unsigned char uk_ap_trampoline_end[];

namespace uk::arch {

u32 cpu_apic_id(u32 index);

namespace {

// The low page the trampoline runs from: the startup IPI's vector is its page number (it must be
// below 1 MiB). The frame allocator never hands out memory below the image, so it is free once
// boot has read the PVH start info.
constexpr u64 k_trampoline_base = 0x8000;
constexpr u32 k_startup_vector = k_trampoline_base >> 12;

// [SDM 3A 10.6.1] Interrupt command register: delivery modes and bits.
constexpr u32 k_icr_fixed = 0u << 8, k_icr_nmi = 4u << 8, k_icr_init = 5u << 8, k_icr_startup = 6u << 8;
constexpr u32 k_icr_assert = 1u << 14, k_icr_level = 1u << 15;
constexpr u32 k_icr_all_but_self = 3u << 18;

// The parameter block at the end of the trampoline (its last four quadwords).
struct ApParameters {
    u64 cr3;
    u64 stack;
    u64 entry;
    u64 argument;
};

void (*g_entry)(u32);

extern "C" [[noreturn]] void uk_ap_entry(PerCpu* cpu)
{
    cpu_init_on(*cpu);
    local_apic_init_secondary();
    __atomic_store_n(&cpu->online, 1, __ATOMIC_RELEASE);
    g_entry(cpu->index);
    halt_forever();
}

} // namespace

void set_this_cpu_slot(void* slot)
{
    PerCpu* cpu;
    asm volatile("movq %%gs:0, %0" : "=r"(cpu));
    cpu->scheduler = slot;
}

bool start_cpu(u32 index, const CpuMemory& memory, void (*entry)(u32))
{
    VERIFY(index > 0 && index < cpu_count() && index < k_max_cpus);
    VERIFY(read_cr3() < (1ull << 32)); // The trampoline loads CR3 in 32-bit mode.
    auto* cpu = new (reinterpret_cast<void*>(memory.record_page)) PerCpu;
    cpu->index = index;
    cpu->apic_id = cpu_apic_id(index);
    cpu->ist_stacks = reinterpret_cast<u8*>(memory.interrupt_stacks);
    register_per_cpu(*cpu);
    g_entry = entry;

    // The trampoline page: writable to fill in, then executable while the AP runs from it.
    size_t size = static_cast<size_t>(uk_ap_trampoline_end - uk_ap_trampoline_start);
    VERIFY(size <= k_page_size);
    VERIFY(map_page(k_trampoline_base, k_trampoline_base, k_prot_read | k_prot_write).is_error() == false);
    copy_bytes(reinterpret_cast<void*>(k_trampoline_base), uk_ap_trampoline_start, size);
    auto* parameters = reinterpret_cast<ApParameters*>(k_trampoline_base + size - sizeof(ApParameters));
    parameters->cr3 = read_cr3();
    parameters->stack = memory.stack_top;
    parameters->entry = reinterpret_cast<u64>(&uk_ap_entry);
    parameters->argument = reinterpret_cast<u64>(cpu);
    protect_range(k_trampoline_base, k_trampoline_base + k_page_size, k_prot_read | k_prot_exec);

    // INIT (assert), then two startup IPIs, as the SDM's sequence has it; QEMU needs no long waits.
    send_interrupt_command(cpu->apic_id, k_icr_init | k_icr_assert | k_icr_level);
    delay_us(200);
    for (int attempt = 0; attempt < 2 && !__atomic_load_n(&cpu->online, __ATOMIC_ACQUIRE); ++attempt) {
        send_interrupt_command(cpu->apic_id, k_icr_startup | k_startup_vector);
        delay_us(200);
    }
    bool online = false;
    for (int waited = 0; waited < 1000 && !(online = __atomic_load_n(&cpu->online, __ATOMIC_ACQUIRE)); ++waited)
        delay_us(1000);
    protect_range(k_trampoline_base, k_trampoline_base + k_page_size, k_prot_read | k_prot_write);
    return online;
}

void send_ipi(u32 index, u8 vector) { send_interrupt_command(per_cpu(index).apic_id, k_icr_fixed | vector); }

void send_nmi_to_others() { send_interrupt_command(0, k_icr_nmi | k_icr_assert | k_icr_all_but_self); }

}
