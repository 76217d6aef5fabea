// SPDX-License-Identifier: MIT
// PerCpu: each processor's own record, reached through the GS base: its identity, the slot the
// scheduler keeps its per-CPU state in, and the descriptor tables and interrupt stacks that
// cannot be shared (the TSS names this CPU's IST stacks). Only arch/x86_64 sees the layout; the
// rest of the runtime uses the accessors in arch/arch.h.
#pragma once

#include "lib/types.h"

namespace uk::arch {

struct [[gnu::packed]] Tss {
    u32 reserved0;
    u64 rsp[3];
    u64 reserved1;
    u64 ist[7];
    u64 reserved2;
    u16 reserved3;
    u16 iomap_base;
};
static_assert(sizeof(Tss) == 104);

inline constexpr size_t k_ist_stack_size = 16384;
inline constexpr size_t k_ist_stacks = 3;

struct alignas(64) PerCpu {
    PerCpu* self;        // GS:0, so that one load finds the record.
    void* scheduler;     // GS:8, the scheduler's per-CPU state (arch::this_cpu_slot()).
    u32 index;           // 0 for the boot CPU.
    u32 apic_id;
    volatile u32 online; // Set by the CPU itself once it runs its entry.
    u64 gdt[5];
    Tss tss;
    u8* ist_stacks;      // k_ist_stacks stacks of k_ist_stack_size bytes.
};

// arch.h's this_cpu() and this_cpu_slot() read these offsets through GS.
static_assert(__builtin_offsetof(PerCpu, scheduler) == 8);
static_assert(__builtin_offsetof(PerCpu, index) == 16);

// Loads `cpu`'s GDT and TSS, the shared IDT, its GS base, and sets up SSE/AVX and the FPU.
void cpu_init_on(PerCpu& cpu);
PerCpu& per_cpu(u32 index);
void register_per_cpu(PerCpu& cpu);
// The FPU of an application processor: the same defaults the boot CPU measured.
void fpu_init_secondary();

}
