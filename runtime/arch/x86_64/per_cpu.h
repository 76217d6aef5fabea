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

struct TrapFrame;

struct alignas(64) PerCpu {
    PerCpu* self;        // GS:0, so that one load finds the record.
    void* scheduler;     // GS:8, the scheduler's per-CPU state (arch::this_cpu_slot()).
    void* current;       // GS:16, the thread this CPU runs (arch::this_cpu_current()).
    u32 index;           // GS:24, 0 for the boot CPU.
    u32 apic_id;
    u32 held_locks;      // GS:32, the ranks of the locks held (debug builds: arch/spin_lock.h).
    u32 interrupt_depth; // GS:36, interrupt handlers running on this CPU (arch::in_interrupt()).
    u32 no_fault_depth;  // GS:40, no-fault sections entered (arch::enter_no_fault_section()).
    volatile u32 online; // Set by the CPU itself once it runs its entry.
    // Set by the NMI that stopped this CPU (a crash elsewhere, or a hang report): where it was.
    const TrapFrame* stopped_at;
    u64 stopped_cr2, stopped_fs; // What the trap frame lacks, read by the NMI before stopped_at.
    u32 tlb_state;       // k_tlb_active, or idle: k_tlb_lazy, k_tlb_stale (smp.cpp).
    u64 gdt[5];
    Tss tss;
    u8* ist_stacks;      // k_ist_stacks stacks of k_ist_stack_size bytes.
};

// arch.h's accessors read these offsets through GS.
static_assert(__builtin_offsetof(PerCpu, scheduler) == 8);
static_assert(__builtin_offsetof(PerCpu, current) == 16);
static_assert(__builtin_offsetof(PerCpu, index) == 24);
static_assert(__builtin_offsetof(PerCpu, held_locks) == 32);
static_assert(__builtin_offsetof(PerCpu, interrupt_depth) == 36);
static_assert(__builtin_offsetof(PerCpu, no_fault_depth) == 40);

// Loads `cpu`'s GDT and TSS, the shared IDT, its GS base, and sets up SSE/AVX and the FPU.
void cpu_init_on(PerCpu& cpu);
PerCpu& per_cpu(u32 index);
void register_per_cpu(PerCpu& cpu);
// The FPU of an application processor: the same defaults the boot CPU measured.
void fpu_init_secondary();

// TLB states of a CPU: running threads (active), idle (lazy: shootdowns that free no page
// tables leave it alone), idle and behind a shootdown (stale: it flushes before running a thread).
inline constexpr u32 k_tlb_active = 0, k_tlb_lazy = 1, k_tlb_stale = 2;

// What the CPUs ask of each other (smp.cpp). shoot_down_tlb: every other online CPU drops its TLB
// entries for [start, end) (end 0: all) before it returns, or will before it runs a thread again;
// the caller holds the page tables' lock.
void shoot_down_tlb(u64 start, u64 end, bool tables_freed);
// This CPU is changing the page tables (paging.cpp): a page fault now is a runtime bug.
bool page_tables_locked_here();
void service_tlb_shootdown();
u64 tlb_shootdown_pending();
void handle_reschedule_ipi();
// NMIs (traps.cpp): whether a report stops the CPUs, whether this CPU writes it, and where an
// NMI found this CPU.
bool stopping_cpus();
bool is_reporter();
void record_stop(const TrapFrame& frame);

}
