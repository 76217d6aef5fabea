// SPDX-License-Identifier: MIT
// CPU exception handling: demand paging for page faults, crash reports for everything else.
#include "arch/arch.h"
#include "arch/crash.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/per_cpu.h"
#include "arch/x86_64/trap_frame.h"
#include "lib/format.h"
#include "lib/linux/signal.h"
#include "mm/address_space.h"

extern "C" const char uk_probe_page_load[];
extern "C" const char uk_probe_page_done[];

namespace uk::arch {

namespace {

struct ExceptionInfo {
    const char* name;
    int signal;
};

// [SDM 3A 6.3.1] Vectors 0-31.
constexpr ExceptionInfo k_exceptions[32] = {
    { "divide error (#DE)", k_sigfpe },
    { "debug exception (#DB)", k_sigtrap },
    { "non-maskable interrupt", k_sigsegv },
    { "breakpoint (#BP)", k_sigtrap },
    { "overflow (#OF)", k_sigsegv },
    { "bound range exceeded (#BR)", k_sigsegv },
    { "invalid opcode (#UD)", k_sigill },
    { "device not available (#NM)", k_sigfpe },
    { "double fault (#DF)", k_sigsegv },
    { "coprocessor segment overrun", k_sigfpe },
    { "invalid TSS (#TS)", k_sigsegv },
    { "segment not present (#NP)", k_sigbus },
    { "stack-segment fault (#SS)", k_sigbus },
    { "general protection fault (#GP)", k_sigsegv },
    { "page fault (#PF)", k_sigsegv },
    { "reserved exception 15", k_sigsegv },
    { "x87 floating-point exception (#MF)", k_sigfpe },
    { "alignment check (#AC)", k_sigbus },
    { "machine check (#MC)", k_sigbus },
    { "SIMD floating-point exception (#XM)", k_sigfpe },
    { "virtualization exception (#VE)", k_sigsegv },
    { "control protection exception (#CP)", k_sigsegv },
};

bool (*g_fault_signal_hook)(TrapFrame&, int, int, u64);

// [sigaction(2)] si_code values for the faults the CPU reports.
constexpr int k_segv_maperr = 1, k_segv_accerr = 2, k_ill_illopn = 2, k_fpe_intdiv = 1, k_fpe_fltinv = 7,
              k_trap_brkpt = 1, k_bus_adrerr = 2;

int fault_code(u64 vector, mm::FaultResult result)
{
    switch (vector) {
    case 0: return k_fpe_intdiv;
    case 16:
    case 19: return k_fpe_fltinv;
    case 6: return k_ill_illopn;
    case 1:
    case 3: return k_trap_brkpt;
    case 14: return result == mm::FaultResult::ProtectionViolation ? k_segv_accerr : k_segv_maperr;
    case 17: return k_bus_adrerr;
    default: return 0x80; // SI_KERNEL
    }
}

[[noreturn]] void report_page_fault(const TrapFrame& frame, u64 address, mm::FaultResult result)
{
    const char* access = (frame.error_code & k_page_fault_instruction_fetch) ? "executing"
        : (frame.error_code & k_page_fault_write)                        ? "writing"
                                                                         : "reading";
    char what[200];
    // Thread stacks (from pthread_create) have PROT_NONE guard pages: a fault next to the stack
    // pointer is a stack overflow too.
    bool near_stack_pointer = address + 65536 >= frame.rsp && address <= frame.rsp + 4096;
    if (result == mm::FaultResult::GuardPage
        || (result == mm::FaultResult::ProtectionViolation && near_stack_pointer
            && !(frame.error_code & k_page_fault_present)))
        format(what, sizeof(what), "stack overflow: %s 0x%lx hit a stack guard page (page fault)", access, address);
    else if (address < k_page_size)
        format(what, sizeof(what), "segmentation fault: null pointer dereference, %s address 0x%lx (page fault)",
            access, address);
    else if (result == mm::FaultResult::OutOfMemory)
        format(what, sizeof(what), "out of memory: no frame for %s address 0x%lx", access, address);
    // A present page the fault was not allowed on is a protection violation even where the
    // region map does not track the page (the image's own code and constants, for instance).
    else if (result == mm::FaultResult::ProtectionViolation || (frame.error_code & k_page_fault_present))
        format(what, sizeof(what), "segmentation fault: %s address 0x%lx violates its protection (page fault)", access,
            address);
    else
        format(what, sizeof(what), "segmentation fault: %s unmapped address 0x%lx (page fault)", access, address);
    crash_after_trap(frame, result == mm::FaultResult::OutOfMemory ? k_sigkill : k_sigsegv, what);
}

} // namespace

void set_fault_signal_hook(bool (*hook)(TrapFrame&, int, int, u64)) { g_fault_signal_hook = hook; }

namespace {
void (*g_hang_report_hook)(const TrapFrame&);
constexpr int k_exit_timeout = 124; // What uk-run reports for a timeout.
}

void set_hang_report_hook(void (*hook)(const TrapFrame&)) { g_hang_report_hook = hook; }

namespace {

// A non-maskable interrupt: another CPU stopping this one for its crash report, or the runner's
// timeout (QEMU's `nmi` reaches every CPU). Every CPU records where it was; the first to claim
// the report writes it, naming what each CPU ran; the others stop.
void handle_nmi(TrapFrame& frame)
{
    if (stopping_cpus()) {
        if (is_reporter())
            return; // The reporting CPU itself: its report goes on.
        record_stop(frame);
        halt_forever();
    }
    record_stop(frame);
    if (!claim_report())
        halt_forever();
    stop_other_cpus();
    // uk-run injects an NMI when its timeout expires (docs/runner.md): report, then end.
    printk("uk: hang report (the runner's timeout expired): the interrupted code on CPU %u\n", this_cpu());
    if (u64 pending = tlb_shootdown_pending())
        printk("uk: a TLB shootdown waits for CPUs 0x%lx\n", pending);

    dump_registers(frame);
    print_backtrace(frame.rip, frame.rbp);
    if (g_hang_report_hook)
        g_hang_report_hook(frame);
    machine_exit(k_exit_timeout);
}

}

extern "C" void uk_handle_trap(TrapFrame* frame)
{
    if (frame->vector >= 32) {
        dispatch_interrupt(static_cast<u8>(frame->vector), *frame);
        return;
    }
    if (frame->vector == 2) {
        handle_nmi(*frame);
        return;
    }
    if (frame->vector == 14) {
        u64 address = read_cr2();
        // The handler runs on this CPU's page-fault IST stack, and a second fault restarts at its
        // top, over the first one's frames: the handler must never fault (or sleep) itself.
        const PerCpu& cpu = per_cpu(this_cpu());
        u64 fault_stack = reinterpret_cast<u64>(cpu.ist_stacks) + k_ist_stack_size;
        if (frame->rsp >= fault_stack && frame->rsp < fault_stack + k_ist_stack_size)
            panic("page fault at 0x%lx inside the page-fault handler (rip 0x%lx): a runtime bug", address, frame->rip);
        if (page_tables_locked_here())
            panic("page fault at 0x%lx while changing the page tables (rip 0x%lx): a runtime bug", address, frame->rip);
        auto access = (frame->error_code & k_page_fault_instruction_fetch) ? mm::FaultAccess::Execute
            : (frame->error_code & k_page_fault_write)                     ? mm::FaultAccess::Write
                                                                           : mm::FaultAccess::Read;
        auto result = mm::handle_page_fault(address, access, frame->error_code & k_page_fault_present);
        if (result == mm::FaultResult::Handled)
            return;
        if (frame->rip == reinterpret_cast<u64>(uk_probe_page_load)) {
            frame->rip = reinterpret_cast<u64>(uk_probe_page_done); // A stack probe passes it over.
            return;
        }
        if (result != mm::FaultResult::OutOfMemory && g_fault_signal_hook
            && g_fault_signal_hook(*frame, k_sigsegv, fault_code(14, result), address))
            return;
        report_page_fault(*frame, address, result);
    }
    const ExceptionInfo& info = frame->vector < 22 ? k_exceptions[frame->vector] : k_exceptions[15];
    // A double fault or machine check has no program-level meaning; the rest become signals.
    if (frame->vector != 8 && frame->vector != 18 && frame->vector != 2 && g_fault_signal_hook
        && g_fault_signal_hook(*frame, info.signal, fault_code(frame->vector, mm::FaultResult::NotMapped), frame->rip))
        return;
    char what[160];
    if (frame->vector == 8)
        format(what, sizeof(what), "CPU exception: %s, most likely a stack overflow", info.name);
    else
        format(what, sizeof(what), "CPU exception: %s", info.name);
    crash_after_trap(*frame, info.signal, what);
}

}
