// SPDX-License-Identifier: MIT
// The machine interface: everything outside arch/ reaches the hardware through these functions.
#pragma once

#include "lib/result.h"
#include "lib/types.h"
#include "lib/verify.h"

namespace uk::mm {
struct MemoryRange;
}

namespace uk::arch {

struct TrapFrame;
using InterruptHandler = void (*)(void* context);

// Makes the boot CPU's per-CPU record reachable (through GS): the first thing boot does, since
// locks and the scheduler's guards read it.
void set_boot_cpu_record();
void cpu_init();

void port_write8(u16 port, u8 value);
void port_write16(u16 port, u16 value);
void port_write32(u16 port, u32 value);
u8 port_read8(u16 port);
u16 port_read16(u16 port);
u32 port_read32(u16 port);

#if defined(__linux__)
u64 read_timestamp();
#else
inline u64 read_timestamp()
{
    u32 lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (static_cast<u64>(hi) << 32) | lo;
}
#endif
// The TSC frequency when a CPUID leaf states it (0x15, or the hypervisor leaf 0x40000010), else 0.
u64 tsc_frequency_from_cpuid();
void set_thread_pointer(u64 value);
u64 thread_pointer();

// Fills `out` from RDSEED or RDRAND; false if the CPU has neither or they keep failing.
bool hardware_random(u64& out);
bool has_hardware_random();
const char* cpu_vendor_and_brand(char* buffer, size_t size);

[[noreturn]] void halt_forever();
[[noreturn]] void reset_machine();
// Reports `status` (0-255) on the runner's control channel and powers the machine off.
[[noreturn]] void machine_exit(int status);
// Writes one line to the runner's control channel (docs/runner.md).
void control_message(const char* line);
[[noreturn]] void enter_program(u64 stack_pointer, u64 entry);

// Page protections, as in mmap's PROT_* bits.
enum Protection : u32 { k_prot_none = 0, k_prot_read = 1, k_prot_write = 2, k_prot_exec = 4 };

// Installs the final page tables: RAM identity-mapped read/write/no-execute, the image mapped
// with its segments' permissions, page 0 left unmapped.
void paging_init(const mm::MemoryRange* ram, size_t count);
// Maps a device register page (identity, uncached) and returns its address.
u64 map_device(u64 phys);
// Maps every page of [phys, phys + length) the same way (a PCI BAR's registers). EINVAL for a
// range that wraps, leaves the 48-bit address space or overlaps RAM the runtime maps.
Result<u64> map_device_range(u64 phys, u64 length);
// Makes [phys, phys + length) readable at the same address (firmware tables such as ACPI's).
void map_firmware(u64 phys, u64 length);
Result<void> map_page(u64 virt, u64 phys, u32 protection);
// Removes a mapping and returns the frame it pointed to (0 if none).
u64 unmap_page(u64 virt);
// Range operations: they cost what is mapped in the range, not its size, and free page tables
// they leave empty. Every change that removes or alters mappings is complete on every CPU (TLB
// shootdown) before it returns, and before the frames it took out are released. unmap_range calls released(frame, context) for each frame it removes and
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
// True when the page of `virt` is present and allows `access` (k_prot_* bits): a fault on it is
// spurious (another CPU mapped it meanwhile, or this CPU's TLB held an older, stricter entry).
bool page_permits(u64 virt, u32 access);

// Interrupts. Runtime code runs with interrupts enabled except in short critical sections.
// Inline in an image: every lock that disables interrupts pays for them (and under TCG every
// call and return costs a translation-block lookup).
inline constexpr u8 k_timer_vector = 32;
inline constexpr u8 k_spurious_vector = 0xff;
#if defined(__linux__)
u64 save_and_disable_interrupts();
void restore_interrupts(u64 saved);
void enable_interrupts();
bool interrupts_enabled();
#else
inline u64 save_and_disable_interrupts()
{
    u64 flags;
    asm volatile("pushfq; popq %0; cli" : "=r"(flags)::"memory");
    return flags;
}
inline void restore_interrupts(u64 saved)
{
    if (saved & (1u << 9))
        asm volatile("sti" ::: "memory");
}
inline void enable_interrupts() { asm volatile("sti" ::: "memory"); }
inline bool interrupts_enabled()
{
    u64 flags;
    asm volatile("pushfq; popq %0" : "=r"(flags));
    return flags & (1u << 9);
}
#endif
// Halts until the next interrupt; returns with interrupts disabled.
void wait_for_interrupt();

// States that the caller must run with interrupts disabled: the `_locked` operations on state that
// interrupt handlers also change (wait queues, the run queue, the timer queue). An image does not
// pay for the check; the host unit tests, whose machine fakes (runtime/host/) model the interrupt
// flag, build with UKSDK_VERIFY_INTERRUPT_STATE and check it on every such call.
#ifdef UKSDK_VERIFY_INTERRUPT_STATE
#define VERIFY_INTERRUPTS_DISABLED() VERIFY(!::uk::arch::interrupts_enabled())
#else
#define VERIFY_INTERRUPTS_DISABLED() ((void)0)
#endif

class InterruptGuard {
public:
    InterruptGuard() : m_saved(save_and_disable_interrupts()) {}
    ~InterruptGuard() { restore_interrupts(m_saved); }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
    u64 m_saved;
};

// Finds the interrupt controllers (ACPI MADT through the RSDP at `rsdp`, or found by scanning the
// BIOS area when 0; the standard addresses when there are no tables), masks the legacy PICs and
// every I/O APIC input, and enables the local APIC. Interrupts stay disabled.
void interrupts_init(u64 rsdp);
// Processors the firmware reports (at least 1; the ACPI MADT, else the MP table).
size_t cpu_count();
inline constexpr size_t k_max_cpus = 64;

// The processor running this code (0: the boot CPU), a per-CPU slot the scheduler owns, and the
// thread the CPU runs: each one GS-relative load (arch/x86_64/per_cpu.h). A thread may move to
// another CPU whenever it can be preempted, so this_cpu() and this_cpu_slot() mean something only
// where it cannot (runtime code, interrupts disabled); the current thread is read in one
// instruction, so it is right everywhere. The host unit tests (built for Linux, which the target
// never is) have one CPU whose record runtime/host/fakes.cpp keeps.
#if defined(__linux__)
u32 this_cpu();
void* this_cpu_slot();
void* this_cpu_current();
void set_this_cpu_current(void* thread);
u32& this_cpu_held_locks();
inline void enter_no_fault_section() {}
inline void leave_no_fault_section() {}
#else
inline u32 this_cpu()
{
    u32 index;
    asm volatile("movl %%gs:24, %0" : "=r"(index));
    return index;
}
inline void* this_cpu_slot()
{
    void* slot;
    asm volatile("movq %%gs:8, %0" : "=r"(slot));
    return slot;
}
inline void* this_cpu_current()
{
    void* thread;
    asm volatile("movq %%gs:16, %0" : "=r"(thread));
    return thread;
}
inline void set_this_cpu_current(void* thread) { asm volatile("movq %0, %%gs:16" ::"r"(thread) : "memory"); }
// Locks this CPU holds under which a page fault must not be taken even for an interrupt
// handler's stack (the address-space and page-table locks): interrupts do not probe the stack
// then (arch.h, probe_stack).
inline void enter_no_fault_section() { asm volatile("incl %%gs:40" ::: "memory"); }
inline void leave_no_fault_section() { asm volatile("decl %%gs:40" ::: "memory"); }
// The ranks of the locks this CPU holds, one bit each (debug builds: arch/spin_lock.h).
inline u32& this_cpu_held_locks()
{
    u32* self;
    asm volatile("movq %%gs:0, %0" : "=r"(self));
    return self[8]; // PerCpu::held_locks, at offset 32.
}
#endif
void set_this_cpu_slot(void* slot);

// One turn of a spin-wait loop: a PAUSE, and the TLB shootdown another CPU may be waiting for
// (a CPU spinning with interrupts disabled still answers it, so that the CPU that holds the lock
// it wants and shoots down cannot wait for it forever).
void spin_wait();

// What an application processor needs from whoever starts it: a zeroed page for its record, its
// interrupt stacks (k_cpu_interrupt_stacks bytes, every page already present: they serve page
// faults) and the stack its entry runs on.
inline constexpr size_t k_cpu_interrupt_stacks = 3 * 16384;
// The page start_cpu() copies the real-mode trampoline to (the startup IPI names it): boot keeps
// the frame allocator away from it.
inline constexpr u64 k_ap_trampoline_page = 0x8000;
struct CpuMemory {
    u64 record_page;
    u64 interrupt_stacks;
    u64 stack_top;
};
// Starts processor `index` (1 to cpu_count() - 1) through INIT and two startup IPIs; it runs
// entry(index) with interrupts disabled once its descriptor tables, FPU and local APIC are set
// up. False if it did not come up within a second.
bool start_cpu(u32 index, const CpuMemory& memory, void (*entry)(u32 index));

// Interprocessor interrupts: `vector` on processor `index`; an NMI on every other processor.
void send_ipi(u32 index, u8 vector);
void send_nmi_to_others();

// Processors that run the runtime (the boot CPU and the started application processors).
#if defined(__linux__)
size_t cpus_online();
#else
extern u32 g_cpus_online;
inline size_t cpus_online() { return __atomic_load_n(&g_cpus_online, __ATOMIC_RELAXED); }
#endif
bool is_cpu_online(u32 index);
// A CPU has started and takes part in TLB shootdowns from now on.
void mark_cpu_online(u32 index);
// An idle CPU (running no program thread) tells the TLB shootdowns that it need not be woken for
// them (unless page tables are freed): it flushes its TLB when it leaves idle, before it switches
// to a thread.
void enter_idle_tlb_mode();
void leave_idle_tlb_mode();
// The reschedule IPI: wakes an idle CPU or makes a busy one look at the run queue. Its handler
// (the scheduler's) runs in interrupt context like a device's.
inline constexpr u8 k_reschedule_vector = 0xf0;
inline constexpr u8 k_tlb_shootdown_vector = 0xf1;
void set_reschedule_handler(InterruptHandler handler);
void send_reschedule(u32 index);

// Crashes and hangs on many CPUs. stop_other_cpus(): every other CPU halts at once (an NMI),
// wherever it is, so that one report comes out alone; their interrupted registers stay readable
// through stopped_cpu_frame(). claim_report(): true for the first CPU to ask, so that of the NMIs
// the runner's timeout sends to every CPU only one reports.
void stop_other_cpus();
bool claim_report();
const TrapFrame* stopped_cpu_frame(u32 index);
// One line on what interrupts_init found (uk.verbose).
void describe_interrupts();

// Device interrupts.
//
// The handler contract: a handler runs in interrupt context, on the interrupted thread's stack
// with interrupts disabled, before the end of interrupt is signalled. It must be short. It must
// not sleep, allocate memory, print except to report a broken device, or touch any state that
// runtime code changes without disabling interrupts (an InterruptGuard). It acknowledges its
// device (so that a level-triggered line drops) and hands the rest of the work to a thread by
// waking a sched::WaitQueue, which is interrupt-safe. Once every handler of the vector has run
// and the interrupt has ended, the scheduler may switch to a thread the handler woke.
enum class Trigger : u8 { Edge, Level };
enum class Polarity : u8 { ActiveHigh, ActiveLow };
struct InterruptLine {
    u32 gsi; // Global system interrupt: an I/O APIC input.
    Trigger trigger;
    Polarity polarity;
};
// The line an ISA IRQ arrives on: the same GSI, edge-triggered, active high, unless the MADT
// overrides it (IRQ 0 is usually GSI 2).
InterruptLine isa_interrupt_line(u8 irq);
// The line a PCI device's INTx arrives on when its interrupt-line register (which firmware fills
// in for the legacy PIC) says `irq`: on QEMU's pc and q35 that ISA IRQ's I/O APIC input also
// carries the PCI interrupt. Level-triggered; active low as PCI specifies, unless the MADT
// overrides the IRQ (QEMU's pc declares IRQs 5, 9, 10 and 11 level, active high).
InterruptLine pci_interrupt_line(u8 irq);
// Routes `line` through its I/O APIC to a vector whose handlers include `handler(context)`, and
// unmasks it. Lines may be shared (PCI INTx): every handler registered on a line runs.
// ENODEV: no I/O APIC serves the GSI; ENOSPC: no vector or handler slot is left.
Result<u8> register_interrupt(const InterruptLine& line, InterruptHandler handler, void* context);
// Message-signalled interrupts (PCI MSI and MSI-X): a vector for `handler(context)` and the
// address/data pair the device must write to raise it (fixed delivery, edge, to this CPU).
struct MsiMessage {
    u64 address;
    u32 data;
    u8 vector;
};
Result<MsiMessage> register_msi(InterruptHandler handler, void* context);
// The local APIC timer's handler (the scheduler's tick).
void set_timer_handler(InterruptHandler handler, void* context);
// Runs after the handlers of every device or timer interrupt, once the interrupt has ended, with
// interrupts disabled: the scheduler's preemption point, and where a thread running program code
// gets its signals (the hook may redirect `frame` into a signal handler).
void set_interrupt_return_hook(void (*hook)(TrapFrame& frame));
// Called by the trap entry for vectors 32-255.
void dispatch_interrupt(u8 vector, TrapFrame& frame);
// A CPU exception that the runtime cannot handle itself (not a demand-paging fault) is first
// offered to `hook` as the signal it stands for (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP) with the
// faulting address (page faults) or 0; the hook returns true if it redirected `frame` into the
// program's handler, else the crash report follows.
void set_fault_signal_hook(bool (*hook)(TrapFrame& frame, int signal, int code, u64 address));
// A non-maskable interrupt is the runner asking why the guest has not finished (its timeout
// expired): `hook` prints what every thread is doing; the machine then exits with status 124.
void set_hang_report_hook(void (*hook)(const TrapFrame& frame));
// True while interrupt handlers (device handlers, the timer's) run on this CPU.
#if defined(__linux__)
bool in_interrupt();
#else
inline bool in_interrupt()
{
    u32 depth;
    asm volatile("movl %%gs:36, %0" : "=r"(depth));
    return depth != 0;
}
#endif

// The local APIC timer: one interrupt on k_timer_vector at (or just after) a TSC value, or
// earlier: a deadline armed before, still ahead and no later, is kept (its interrupt comes
// first), and disarming may leave one pending; the handler must expect interrupts for nothing.
void timer_init(u64 tsc_hz);
void timer_arm(u64 deadline_tsc); // 0 disarms.

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

// Signal contexts: the registers of an interrupted context as a signal handler's ucontext_t holds
// them (Linux's x86_64 struct sigcontext, musl's mcontext_t: gregs[23], fpstate, reserved[8]).
struct MachineContext {
    u64 gregs[23];
    u64 fpstate; // Address of the XSAVE image of the FPU/SSE/AVX registers, or 0.
    u64 reserved[8];
};
static_assert(sizeof(MachineContext) == 256);
inline constexpr int k_greg_rsp = 15, k_greg_rip = 16, k_greg_rflags = 17, k_greg_err = 19, k_greg_trapno = 20,
                     k_greg_cr2 = 22;
void save_context(const TrapFrame& frame, MachineContext& out);
void load_context(const MachineContext& context, TrapFrame& out);
u64 trap_stack_pointer(const TrapFrame& frame);
// Makes `frame` return into function(a0, a1, a2) with the stack pointer at `stack_pointer`
// (where the function's return address must already be), interrupts enabled.
void redirect_trap(TrapFrame& frame, u64 function, u64 stack_pointer, u64 a0, u64 a1, u64 a2);
// Returns from a trap frame that is not on the trap's own stack (rt_sigreturn): loads its
// registers and continues where it says. Interrupts must be disabled.
[[noreturn]] void resume_trap(const TrapFrame& frame);
// Runs function(argument) on the stack below `stack_top` and comes back (signal handlers on the
// alternate stack).
void call_on_other_stack(u64 stack_top, void (*function)(void*), void* argument);
u64 stack_pointer();

// Runtime code runs on the stack of the thread that called it, and a program's stacks are paged
// in on first touch. A page fault is not allowed while the runtime holds a lock that comes after
// the address space's (docs/architecture.md), so each entry into the runtime first makes the
// stack present below it: probe_stack(low, high) touches every page of [low, high) from the top.
// A page that cannot be made present (the guard page of a small stack, no memory left) is passed
// over: the probe is a precaution, and a real overflow still faults where it happens.
void probe_stack(u64 low, u64 high);
inline constexpr u64 k_runtime_stack_reserve = 16 * 1024;
#if defined(__linux__)
inline u64 current_stack_pointer() { return reinterpret_cast<u64>(__builtin_frame_address(0)); }
#else
inline u64 current_stack_pointer()
{
    u64 sp;
    asm volatile("mov %%rsp, %0" : "=r"(sp));
    return sp;
}
#endif
// A signal frame's return address for handlers registered without a restorer: it calls
// `handler(stack_pointer)` (rt_sigreturn), which never returns.
void set_signal_return_handler(void (*handler)(u64 context));
u64 signal_return_trampoline();

// The console driver's hooks: `before_exit` flushes the program's queued output (machine_exit
// runs it first), `before_crash_report` switches printing to a path that cannot fail (crash
// reports run it first). Either may be null.
struct OutputHooks {
    void (*before_exit)();
    void (*before_crash_report)();
};
void set_output_hooks(const OutputHooks& hooks);
void before_crash_report();

// The registers of a trap taken on this CPU (cr2 and fs read now, on this CPU).
void dump_registers(const TrapFrame& frame);
// Those of another CPU where stop_other_cpus() stopped it (cr2 and fs as that CPU had them then);
// nothing if it did not stop.
void dump_stopped_cpu_registers(u32 index);
u64 trap_pc(const TrapFrame& frame);
u64 trap_frame_pointer(const TrapFrame& frame);

}
