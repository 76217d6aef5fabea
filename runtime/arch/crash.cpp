// SPDX-License-Identifier: MIT
// Crash reporting shared by CPU exceptions, fatal signals and runtime panics (panic() too).
#include "arch/crash.h"

#include <stdarg.h>

#include "arch/arch.h"
#include "lib/format.h"
#include "lib/linux/signal.h"
#include "lib/verify.h"

namespace uk {

namespace {
bool g_crashing; // Set by the reporting CPU only.
constexpr int k_max_walk = 1 << 20;
constexpr int k_head_frames = 40;
constexpr int k_tail_frames = 12;
}

namespace {

// Calls visit(depth, return_address) for each caller frame, walking frame pointers. Stops at the
// end of the chain (the entry code zeroes %rbp) or at anything that is not a readable, aligned,
// upward-moving frame: a corrupt stack must not fault here.
template<typename Visit>
int walk_frames(u64 fp, Visit&& visit)
{
    int depth = 1;
    for (; depth < k_max_walk; ++depth) {
        if (fp == 0 || fp % 8 || !arch::is_mapped(fp) || !arch::is_mapped(fp + 8))
            break;
        auto* frame = reinterpret_cast<const u64*>(fp);
        if (frame[1] == 0)
            break;
        visit(depth, frame[1]);
        if (frame[0] <= fp)
            break;
        fp = frame[0];
    }
    return depth;
}

// Starts a crash report on this CPU: the first CPU to crash reports and stops the others (one
// report, not interleaved ones); a CPU that crashes while another reports just stops; a crash
// inside the report itself ends the machine at once.
void begin_report(int signal)
{
    if (!arch::claim_report())
        arch::halt_forever();
    if (g_crashing)
        arch::machine_exit(128 + signal);
    g_crashing = true;
    arch::stop_other_cpus();
}

// After the crashing CPU's own backtrace: where the NMI stopped each other CPU.
void report_other_cpus()
{
    if (arch::cpus_online() < 2)
        return;
    for (u32 index = 0; index < arch::k_max_cpus; ++index) {
        if (index == arch::this_cpu())
            continue;
        if (const arch::TrapFrame* frame = arch::stopped_cpu_frame(index)) {
            printk("uk: CPU %u was at:\n", index);
            print_backtrace(arch::trap_pc(*frame), arch::trap_frame_pointer(*frame));
        } else if (arch::is_cpu_online(index)) {
            printk("uk: CPU %u did not stop\n", index);
        }
    }
}

} // namespace

void print_backtrace(u64 pc, u64 fp)
{
    printk("uk: backtrace:\n");
    printk("  #0 0x%016lx\n", pc);
    // Deep recursion (a stack overflow) prints its innermost and outermost frames only.
    int total = walk_frames(fp, [](int, u64) {});
    walk_frames(fp, [total](int depth, u64 address) {
        if (depth < k_head_frames || depth >= total - k_tail_frames)
            printk("  #%d 0x%016lx\n", depth, address);
        else if (depth == k_head_frames)
            printk("  ... %d frames omitted ...\n", total - k_tail_frames - k_head_frames);
    });
}

void crash_after_trap(const arch::TrapFrame& frame, int signal, const char* what)
{
    begin_report(signal);
    arch::before_crash_report();
    printk("uk: %s\n", what);
    if (arch::cpus_online() > 1)
        printk("uk: on CPU %u of %zu (the others are stopped)\n", arch::this_cpu(), arch::cpus_online());
    arch::dump_registers(frame);
    print_backtrace(arch::trap_pc(frame), arch::trap_frame_pointer(frame));
    report_other_cpus();
    arch::machine_exit(128 + signal);
}

void crash_here(int signal, const char* what)
{
    begin_report(signal);
    arch::before_crash_report();
    printk("uk: %s\n", what);
    if (arch::cpus_online() > 1)
        printk("uk: on CPU %u of %zu (the others are stopped)\n", arch::this_cpu(), arch::cpus_online());
    // This function's own frame (live: a frame_pointer() call's would be dead by now, and an
    // interrupt pushed onto the stack overwrites it): the backtrace starts at our caller.
    auto* frame = static_cast<const u64*>(__builtin_frame_address(0));
    print_backtrace(frame[1], frame[0]);
    report_other_cpus();
    arch::machine_exit(128 + signal);
}

// Called by a function compiled with -fstack-protector when its canary was overwritten: its stack
// is corrupt, so report and stop at once (no signal handlers), with abort()'s status as glibc's
// __stack_chk_fail has. Frame #1 of the backtrace is the return address into that function.
extern "C" [[noreturn, gnu::no_stack_protector]] void __stack_chk_fail()
{
    begin_report(k_sigabrt);
    printk("uk: stack smashing detected: the function of frame #1 overwrote its stack protector canary\n");
    print_backtrace(reinterpret_cast<u64>(&__stack_chk_fail), reinterpret_cast<u64>(__builtin_frame_address(0)));
    arch::machine_exit(128 + k_sigabrt);
}

void panic(const char* fmt, ...) noexcept
{
    char message[256];
    va_list ap;
    va_start(ap, fmt);
    vformat(message, sizeof(message), fmt, ap);
    va_end(ap);
    char line[300];
    format(line, sizeof(line), "runtime panic: %s", message);
    crash_here(k_sigabrt, line);
}

}
