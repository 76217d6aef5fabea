// SPDX-License-Identifier: MIT
// Starting the application processors ([SDM 3A 8.4.4] the INIT-SIPI-SIPI sequence, through the
// real-mode trampoline in ap_trampoline.S), and what the CPUs ask of each other: reschedule IPIs,
// TLB shootdowns, and stopping for a crash or hang report.
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
// below 1 MiB). Boot reserves it from the frame allocator once it has read the PVH start info.
constexpr u64 k_trampoline_base = k_ap_trampoline_page;
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

// CPUs that run the runtime, one bit each.
u64 g_online_mask = 1;

// The TLB shootdown under way (paging's lock lets one CPU send at a time): the range whose
// entries changed (end 0: everything), and the CPUs that have not flushed it yet.
u64 g_shootdown_start, g_shootdown_end;
u64 g_shootdown_pending;
// Flushing page by page costs one INVLPG each; past this many pages, reloading CR3 is cheaper.
constexpr u64 k_max_pages_by_invlpg = 32;

InterruptHandler g_reschedule_handler;

// Crash and hang reports: the CPU that reports (index + 1), and whether the others must stop.
u32 g_reporter;
volatile u32 g_stopping;

void flush_local(u64 start, u64 end)
{
    if (end == 0 || end - start > k_max_pages_by_invlpg * k_page_size) {
        write_cr3(read_cr3());
        return;
    }
    for (u64 page = start; page < end; page += k_page_size)
        invalidate_page(page);
}

extern "C" [[noreturn]] void uk_ap_entry(PerCpu* cpu)
{
    cpu_init_on(*cpu);
    local_apic_init_secondary();
    __atomic_store_n(&cpu->online, 1, __ATOMIC_RELEASE);
    mark_cpu_online(cpu->index);
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

u32 g_cpus_online = 1;
bool is_cpu_online(u32 index) { return index < k_max_cpus && (__atomic_load_n(&g_online_mask, __ATOMIC_ACQUIRE) & (1ull << index)); }

void mark_cpu_online(u32 index)
{
    __atomic_fetch_or(&g_online_mask, 1ull << index, __ATOMIC_ACQ_REL);
    __atomic_fetch_add(&g_cpus_online, 1u, __ATOMIC_ACQ_REL);
}

void set_reschedule_handler(InterruptHandler handler) { g_reschedule_handler = handler; }
void send_reschedule(u32 index) { send_ipi(index, k_reschedule_vector); }

void handle_reschedule_ipi()
{
    if (g_reschedule_handler)
        g_reschedule_handler(nullptr);
}

void service_tlb_shootdown()
{
    u64 bit = 1ull << this_cpu();
    if (!(__atomic_load_n(&g_shootdown_pending, __ATOMIC_ACQUIRE) & bit))
        return;
    flush_local(g_shootdown_start, g_shootdown_end);
    __atomic_fetch_and(&g_shootdown_pending, ~bit, __ATOMIC_RELEASE);
}

u64 tlb_shootdown_pending() { return __atomic_load_n(&g_shootdown_pending, __ATOMIC_ACQUIRE); }

void spin_wait()
{
    asm volatile("pause" ::: "memory");
    if (__atomic_load_n(&g_shootdown_pending, __ATOMIC_RELAXED)) [[unlikely]]
        service_tlb_shootdown();
}

void enter_idle_tlb_mode()
{
    PerCpu& cpu = per_cpu(this_cpu());
    u32 active = k_tlb_active;
    __atomic_compare_exchange_n(&cpu.tlb_state, &active, k_tlb_lazy, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

void leave_idle_tlb_mode()
{
    PerCpu& cpu = per_cpu(this_cpu());
    if (__atomic_exchange_n(&cpu.tlb_state, k_tlb_active, __ATOMIC_SEQ_CST) == k_tlb_stale)
        write_cr3(read_cr3());
}

void shoot_down_tlb(u64 start, u64 end, bool tables_freed)
{
    u64 others = __atomic_load_n(&g_online_mask, __ATOMIC_ACQUIRE) & ~(1ull << this_cpu());
    if (!others || g_stopping)
        return;
    // An idle CPU runs no program code and reads no program memory: it flushes everything before
    // it next runs a thread instead of being woken now. Not when page tables were freed: a CPU may
    // walk cached paging structures speculatively (and set accessed bits in them), so every CPU
    // drops them before the frames are reused. [SDM 3A 4.10.2.3]
    if (!tables_freed) {
        for (u32 index = 0; index < k_max_cpus; ++index) {
            if (!(others & (1ull << index)))
                continue;
            u32& state = per_cpu(index).tlb_state;
            u32 lazy = k_tlb_lazy;
            if (__atomic_compare_exchange_n(&state, &lazy, k_tlb_stale, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)
                || lazy == k_tlb_stale)
                others &= ~(1ull << index);
        }
        if (!others)
            return;
    }
    g_shootdown_start = start;
    g_shootdown_end = end;
    __atomic_store_n(&g_shootdown_pending, others, __ATOMIC_RELEASE);
    for (u32 index = 0; index < k_max_cpus; ++index)
        if (others & (1ull << index))
            send_ipi(index, k_tlb_shootdown_vector);
    // Every CPU answers: with interrupts enabled from its IPI, with them disabled from the loop
    // of whatever lock it spins on (spin_wait); no CPU keeps interrupts disabled for long without
    // spinning.
    while (__atomic_load_n(&g_shootdown_pending, __ATOMIC_ACQUIRE) && !g_stopping)
        asm volatile("pause" ::: "memory");
}

bool claim_report()
{
    u32 expected = 0;
    return __atomic_compare_exchange_n(&g_reporter, &expected, this_cpu() + 1, false, __ATOMIC_ACQ_REL,
               __ATOMIC_ACQUIRE)
        || expected == this_cpu() + 1;
}

bool is_reporter() { return __atomic_load_n(&g_reporter, __ATOMIC_ACQUIRE) == this_cpu() + 1; }

void stop_other_cpus()
{
    if (cpus_online() < 2 || g_stopping)
        return;
    g_stopping = 1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    send_nmi_to_others();
    // Wait (bounded: a CPU that does not answer must not keep the report from coming out) until
    // each has recorded where it stopped.
    for (int waited = 0; waited < 100; ++waited) {
        bool all = true;
        for (u32 index = 0; index < k_max_cpus; ++index)
            if (index != this_cpu() && (g_online_mask & (1ull << index)) && !per_cpu(index).stopped_at)
                all = false;
        if (all)
            return;
        delay_us(1000);
    }
}

bool stopping_cpus() { return g_stopping; }

void record_stop(const TrapFrame& frame)
{
    PerCpu& cpu = per_cpu(this_cpu());
    cpu.stopped_cr2 = read_cr2();
    cpu.stopped_fs = thread_pointer();
    __atomic_store_n(&cpu.stopped_at, &frame, __ATOMIC_RELEASE);
}

const TrapFrame* stopped_cpu_frame(u32 index)
{
    if (index >= k_max_cpus || !(g_online_mask & (1ull << index)))
        return nullptr;
    return __atomic_load_n(&per_cpu(index).stopped_at, __ATOMIC_ACQUIRE);
}

}
