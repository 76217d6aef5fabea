// SPDX-License-Identifier: MIT
// The machine interface: everything outside arch/ reaches the hardware through these functions.
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace uk::mm {
struct MemoryRange;
}

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

// Installs the final page tables: RAM identity-mapped read/write/no-execute, the image mapped
// with its segments' permissions, page 0 left unmapped.
void paging_init(const mm::MemoryRange* ram, size_t count);
// Maps a device register page (identity, uncached) and returns its address.
u64 map_device(u64 phys);
Result<void> map_page(u64 virt, u64 phys, u32 protection);
// Removes a mapping and returns the frame it pointed to (0 if none).
u64 unmap_page(u64 virt);
// Range operations: they cost what is mapped in the range, not its size, and free page tables
// they leave empty. unmap_range calls released(frame, context) for each frame it removes and
// returns their number; protect_range returns the number of pages holding a frame.
u64 unmap_range(u64 start, u64 end, void (*released)(u64 frame, void* context), void* context);
u64 protect_range(u64 start, u64 end, u32 protection);
// The lowest page of [start, end) that holds a frame, or `end`.
u64 lowest_populated(u64 start, u64 end);
// Moves the pages of [from, from + length) to the same offsets from `to`, where nothing is
// mapped; ENOMEM, with nothing moved, when the page tables for the target cannot be allocated.
Result<void> move_range(u64 from, u64 to, u64 length);
// True when `virt` is mapped, and readable (and writable if asked).
bool is_mapped(u64 virt, bool writable = false);

// Interrupts. Runtime code runs with interrupts enabled except in short critical sections.
inline constexpr u8 k_timer_vector = 32;
inline constexpr u8 k_spurious_vector = 0xff;
u64 save_and_disable_interrupts();
void restore_interrupts(u64 saved);
void enable_interrupts();
// Halts until the next interrupt; returns with interrupts disabled.
void wait_for_interrupt();
bool is_spurious_vector(u8 vector);
void end_of_interrupt();

class InterruptGuard {
public:
    InterruptGuard() : m_saved(save_and_disable_interrupts()) {}
    ~InterruptGuard() { restore_interrupts(m_saved); }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
    u64 m_saved;
};

// The local APIC timer: one interrupt on k_timer_vector at (or just after) a TSC value.
void timer_init(u64 tsc_hz);
void timer_arm(u64 deadline_tsc); // 0 disarms.
u64 timer_frequency();

// Per-thread FPU/SSE/AVX state, in areas of k_max_fpu_state bytes aligned to 64.
inline constexpr size_t k_max_fpu_state = 3072;
void fpu_init();
size_t fpu_state_size();
void fpu_save(void* area);
void fpu_restore(const void* area);
void fpu_init_state(void* area);

// Threads: a new thread's stack starts with a frame that makes its first switch_context() call
// entry(argument); returns the stack pointer to switch to.
u64 prepare_thread_stack(u64 stack_top, void (*entry)(void*), void* argument);
void switch_context(u64* save_stack_pointer, u64 new_stack_pointer);
[[noreturn]] void call_on_stack(u64 stack_top, void (*function)(void*), void* argument);

void dump_registers(const TrapFrame& frame);
u64 trap_pc(const TrapFrame& frame);
u64 trap_frame_pointer(const TrapFrame& frame);

}
