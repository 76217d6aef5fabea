// SPDX-License-Identifier: MIT
// Per-CPU descriptor tables (GDT with a TSS, IDT) and CPU feature set-up (SSE, AVX).
#include "arch/x86_64/cpu.h"

#include "arch/arch.h"
#include "arch/x86_64/per_cpu.h"

extern "C" const uk::u64 uk_trap_stubs[32];
extern "C" const char uk_irq_stubs[];

namespace uk::arch {

namespace {

struct [[gnu::packed]] DescriptorPointer {
    u16 limit;
    u64 base;
};

struct IdtGate {
    u16 offset_low;
    u16 selector;
    u8 ist;
    u8 type_attributes;
    u16 offset_mid;
    u32 offset_high;
    u32 reserved;
};
static_assert(sizeof(IdtGate) == 16);

constexpr u16 k_code_selector = 0x08;
constexpr u16 k_tss_selector = 0x18;

// IST stacks let the double-fault and page-fault handlers run even when the interrupted stack is
// exhausted (a stack overflow into a guard page). [SDM 3A 6.14.5]
enum IstIndex : u8 { k_ist_double_fault = 1, k_ist_page_fault = 2, k_ist_nmi = 3 };
// The boot CPU's record and IST stacks are static; application processors get theirs from
// start_cpu()'s caller.
alignas(16) u8 g_boot_ist_stacks[k_ist_stacks][k_ist_stack_size];
PerCpu g_boot_cpu;
PerCpu* g_cpus[k_max_cpus] = { &g_boot_cpu };

IdtGate g_idt[256];
bool g_idt_built;

void load_gdt(PerCpu& cpu)
{
    u64* gdt = cpu.gdt;
    gdt[0] = 0;
    gdt[1] = 0x00af9a000000ffff; // 64-bit code, ring 0.
    gdt[2] = 0x00cf92000000ffff; // Data, ring 0.
    u64 base = reinterpret_cast<u64>(&cpu.tss);
    u64 limit = sizeof(Tss) - 1;
    // [SDM 3A 8.2.3] A 64-bit TSS descriptor takes two GDT slots.
    gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) | (((limit >> 16) & 0xf) << 48)
        | (((base >> 24) & 0xff) << 56);
    gdt[4] = base >> 32;
    for (size_t i = 0; i < k_ist_stacks; ++i)
        cpu.tss.ist[i] = reinterpret_cast<u64>(cpu.ist_stacks + (i + 1) * k_ist_stack_size);
    cpu.tss.iomap_base = sizeof(Tss);

    DescriptorPointer pointer { sizeof(cpu.gdt) - 1, reinterpret_cast<u64>(gdt) };
    asm volatile("lgdt %0\n"
                 "pushq %1\n"
                 "leaq 1f(%%rip), %%rax\n"
                 "pushq %%rax\n"
                 "lretq\n"
                 "1:\n"
                 "mov %2, %%ds\n"
                 "mov %2, %%es\n"
                 "mov %2, %%ss\n"
                 "ltr %3\n"
                 :
                 : "m"(pointer), "i"(static_cast<u64>(k_code_selector)), "r"(0x10), "r"(k_tss_selector)
                 : "rax", "memory");
}

void load_idt()
{
    for (u32 vector = 0; vector < 256 && !g_idt_built; ++vector) {
        u64 handler = vector < 32 ? uk_trap_stubs[vector] : reinterpret_cast<u64>(uk_irq_stubs) + 16 * (vector - 32);
        IdtGate& gate = g_idt[vector];
        gate.offset_low = handler & 0xffff;
        gate.offset_mid = (handler >> 16) & 0xffff;
        gate.offset_high = handler >> 32;
        gate.selector = k_code_selector;
        gate.type_attributes = 0x8e; // Present, ring 0, 64-bit interrupt gate.
        gate.ist = 0;
        if (vector == 8)
            gate.ist = k_ist_double_fault;
        else if (vector == 14)
            gate.ist = k_ist_page_fault;
        else if (vector == 2 || vector == 18)
            gate.ist = k_ist_nmi;
    }
    g_idt_built = true;
    DescriptorPointer pointer { sizeof(g_idt) - 1, reinterpret_cast<u64>(g_idt) };
    asm volatile("lidt %0" ::"m"(pointer));
}

// Lets programs built with -mavx/-mavx2/-mavx512f run: the OS must enable the XSAVE state
// components before those instructions stop faulting. [SDM 1 13.3]
void enable_extended_state()
{
    auto leaf1 = cpuid(1);
    bool has_xsave = leaf1.ecx & (1u << 26);
    if (!has_xsave)
        return;
    write_cr4(read_cr4() | (1u << 18)); // CR4.OSXSAVE
    auto leaf_d = cpuid(0xd, 0);
    u64 supported = (static_cast<u64>(leaf_d.edx) << 32) | leaf_d.eax;
    u64 want = 0x3; // x87, SSE
    if (supported & 0x4)
        want |= 0x4; // AVX
    if ((supported & 0xe0) == 0xe0)
        want |= 0xe0; // AVX-512 opmask, ZMM_Hi256, Hi16_ZMM
    asm volatile("xsetbv" ::"c"(0), "a"(static_cast<u32>(want)), "d"(static_cast<u32>(want >> 32)));
}

} // namespace

void cpu_init_on(PerCpu& cpu)
{
    cpu.self = &cpu;
    load_gdt(cpu);
    load_idt();
    write_msr(k_msr_gs_base, reinterpret_cast<u64>(&cpu));
    enable_extended_state();
    if (cpu.index == 0)
        fpu_init();
    else
        fpu_init_secondary();
}

PerCpu& per_cpu(u32 index) { return *g_cpus[index]; }

void set_boot_cpu_record()
{
    g_boot_cpu.self = &g_boot_cpu;
    g_boot_cpu.index = 0;
    write_msr(k_msr_gs_base, reinterpret_cast<u64>(&g_boot_cpu));
}
void register_per_cpu(PerCpu& cpu) { g_cpus[cpu.index] = &cpu; }

void cpu_init()
{
    g_boot_cpu.index = 0;
    g_boot_cpu.ist_stacks = &g_boot_ist_stacks[0][0];
    cpu_init_on(g_boot_cpu);
}

} // namespace uk::arch
