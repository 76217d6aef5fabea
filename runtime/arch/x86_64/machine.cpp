// SPDX-License-Identifier: MIT
// Out-of-line implementations of the small machine operations declared in arch/arch.h.
#include "arch/arch.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/per_cpu.h"
#include "arch/x86_64/trap_frame.h"
#include "lib/format.h"

extern "C" [[noreturn]] void uk_enter_program(uk::u64 sp, uk::u64 entry);
extern "C" void uk_switch_context(uk::u64* save_sp, uk::u64 new_sp);
extern "C" void uk_thread_trampoline();
extern "C" [[noreturn]] void uk_call_on_stack(uk::u64 stack_top, void (*fn)(void*), void* arg);
extern "C" void uk_call_on_stack_returning(uk::u64 stack_top, void (*fn)(void*), void* arg);
extern "C" [[noreturn]] void uk_resume_trap(const void* frame);
extern "C" void uk_signal_return_trampoline();
extern "C" void (*uk_signal_return_handler)(uk::u64);
void (*uk_signal_return_handler)(uk::u64);

namespace uk::arch {

void port_write8(u16 port, u8 value) { out8(port, value); }
void port_write16(u16 port, u16 value) { out16(port, value); }
void port_write32(u16 port, u32 value) { out32(port, value); }
u8 port_read8(u16 port) { return in8(port); }
u16 port_read16(u16 port) { return in16(port); }
u32 port_read32(u16 port) { return in32(port); }
u64 tsc_frequency_from_cpuid()
{
    bool hypervisor = cpuid(1).ecx & (1u << 31);
    if (hypervisor && cpuid(0x40000000).eax >= 0x40000010) {
        if (u32 khz = cpuid(0x40000010).eax)
            return static_cast<u64>(khz) * 1000;
    }
    if (cpuid(0).eax >= 0x15) {
        auto r = cpuid(0x15);
        if (r.eax && r.ebx && r.ecx)
            return static_cast<u64>(r.ecx) * r.ebx / r.eax;
    }
    return 0;
}

void set_thread_pointer(u64 value) { write_msr(k_msr_fs_base, value); }
u64 thread_pointer() { return read_msr(k_msr_fs_base); }

bool has_hardware_random()
{
    return (cpuid(1).ecx & (1u << 30)) || (cpuid(7).ebx & (1u << 18));
}

bool hardware_random(u64& out)
{
    static int s_kind = -1; // 0: none, 1: RDRAND, 2: RDSEED
    if (s_kind < 0)
        s_kind = (cpuid(7).ebx & (1u << 18)) ? 2 : (cpuid(1).ecx & (1u << 30)) ? 1 : 0;
    // [SDM 1 7.3.17] Both may transiently fail (CF=0); retry a bounded number of times.
    for (int attempt = 0; attempt < 100; ++attempt) {
        unsigned char ok;
        if (s_kind == 2)
            asm volatile("rdseed %0; setc %1" : "=r"(out), "=qm"(ok));
        else if (s_kind == 1)
            asm volatile("rdrand %0; setc %1" : "=r"(out), "=qm"(ok));
        else
            return false;
        if (ok)
            return true;
    }
    return false;
}

const char* cpu_vendor_and_brand(char* buffer, size_t size)
{
    u32 words[12];
    if (cpuid(0x80000000).eax < 0x80000004) {
        format(buffer, size, "unknown x86_64");
        return buffer;
    }
    for (u32 i = 0; i < 3; ++i) {
        auto r = cpuid(0x80000002 + i);
        words[i * 4] = r.eax, words[i * 4 + 1] = r.ebx, words[i * 4 + 2] = r.ecx, words[i * 4 + 3] = r.edx;
    }
    const char* brand = reinterpret_cast<const char*>(words);
    while (*brand == ' ')
        ++brand;
    format(buffer, size, "%s", brand);
    return buffer;
}

[[noreturn]] void halt_forever() { uk::arch::halt_forever_impl(); }

[[noreturn]] void reset_machine()
{
    // PCI reset control register (pc, q35), then a triple fault: with -no-reboot QEMU exits.
    out8(0xcf9, 0x06);
    struct [[gnu::packed]] {
        u16 limit;
        u64 base;
    } empty_idt { 0, 0 };
    asm volatile("lidt %0; int3" ::"m"(empty_idt));
    halt_forever_impl();
}

[[noreturn]] void enter_program(u64 stack_pointer, u64 entry) { uk_enter_program(stack_pointer, entry); }

namespace {
void print_registers(const TrapFrame& f, u64 cr2, u64 fs)
{
    printk("  rip %016lx  rsp %016lx  rbp %016lx  rflags %08lx\n", f.rip, f.rsp, f.rbp, f.rflags);
    printk("  rax %016lx  rbx %016lx  rcx %016lx  rdx %016lx\n", f.rax, f.rbx, f.rcx, f.rdx);
    printk("  rsi %016lx  rdi %016lx  r8  %016lx  r9  %016lx\n", f.rsi, f.rdi, f.r8, f.r9);
    printk("  r10 %016lx  r11 %016lx  r12 %016lx  r13 %016lx\n", f.r10, f.r11, f.r12, f.r13);
    printk("  r14 %016lx  r15 %016lx  cr2 %016lx  fs  %016lx\n", f.r14, f.r15, cr2, fs);
    printk("  vector %lu  error %lx  cs %lx  ss %lx\n", f.vector, f.error_code, f.cs, f.ss);
}
}

void dump_registers(const TrapFrame& frame) { print_registers(frame, read_cr2(), thread_pointer()); }

void dump_stopped_cpu_registers(u32 index)
{
    const TrapFrame* frame = stopped_cpu_frame(index);
    if (!frame)
        return;
    const PerCpu& cpu = per_cpu(index);
    print_registers(*frame, cpu.stopped_cr2, cpu.stopped_fs);
}

// STI's one-instruction shadow makes "sti; hlt" atomic: an interrupt that is already pending
// wakes the HLT instead of being taken before it.
void wait_for_interrupt() { asm volatile("sti; hlt; cli" ::: "memory"); }

u64 prepare_thread_stack(u64 stack_top, void (*entry)(void*), void* argument)
{
    // The frame uk_switch_context pops: r15, r14, r13 (argument), r12 (entry), rbx, rbp (0), and
    // the return address. After its `ret` the stack is 16-byte aligned, so the trampoline's call
    // enters `entry` with the alignment the ABI expects; rbp = 0 ends backtraces there.
    auto* sp = reinterpret_cast<u64*>(align_down(stack_top, 16));
    *--sp = reinterpret_cast<u64>(&uk_thread_trampoline);
    *--sp = 0;                                    // rbp
    *--sp = 0;                                    // rbx
    *--sp = reinterpret_cast<u64>(entry);         // r12
    *--sp = reinterpret_cast<u64>(argument);      // r13
    *--sp = 0;                                    // r14
    *--sp = 0;                                    // r15
    return reinterpret_cast<u64>(sp);
}

void switch_context(u64* save_stack_pointer, u64 new_stack_pointer) { uk_switch_context(save_stack_pointer, new_stack_pointer); }

void call_on_stack(u64 stack_top, void (*function)(void*), void* argument)
{
    uk_call_on_stack(align_down(stack_top, 16), function, argument);
}

// gregs[] order: r8-r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags, cs/gs/fs/ss, err,
// trapno, oldmask, cr2. [Linux arch/x86/include/uapi/asm/sigcontext.h]
void save_context(const TrapFrame& f, MachineContext& c)
{
    const u64 values[23] = { f.r8, f.r9, f.r10, f.r11, f.r12, f.r13, f.r14, f.r15, f.rdi, f.rsi, f.rbp, f.rbx, f.rdx,
        f.rax, f.rcx, f.rsp, f.rip, f.rflags, f.cs | (f.ss << 48), f.error_code, f.vector, 0, f.vector == 14 ? read_cr2() : 0 };
    for (int i = 0; i < 23; ++i)
        c.gregs[i] = values[i];
}

void load_context(const MachineContext& c, TrapFrame& f)
{
    const u64* g = c.gregs;
    f.r8 = g[0], f.r9 = g[1], f.r10 = g[2], f.r11 = g[3], f.r12 = g[4], f.r13 = g[5], f.r14 = g[6], f.r15 = g[7];
    f.rdi = g[8], f.rsi = g[9], f.rbp = g[10], f.rbx = g[11], f.rdx = g[12], f.rax = g[13], f.rcx = g[14];
    f.rsp = g[15], f.rip = g[16];
    // Only the arithmetic flags and DF come from the context; interrupts stay enabled (program
    // code always runs with them), and the segments are the runtime's. [rt_sigreturn does the same]
    constexpr u64 k_user_flags = 0xcd5; // CF PF AF ZF SF DF OF
    f.rflags = (g[17] & k_user_flags) | (1u << 9) | 0x2;
    f.cs = 0x08;
    f.ss = 0x10;
    f.vector = 0;
    f.error_code = 0;
}

u64 trap_stack_pointer(const TrapFrame& f) { return f.rsp; }

void redirect_trap(TrapFrame& f, u64 function, u64 stack_pointer, u64 a0, u64 a1, u64 a2)
{
    f.rip = function;
    f.rsp = stack_pointer;
    f.rdi = a0;
    f.rsi = a1;
    f.rdx = a2;
    f.rax = 0; // No vector registers used by a variadic call.
    f.rflags = (1u << 9) | 0x2;
    f.cs = 0x08;
    f.ss = 0x10;
}

void resume_trap(const TrapFrame& f) { uk_resume_trap(&f); }

void call_on_other_stack(u64 stack_top, void (*function)(void*), void* argument)
{
    uk_call_on_stack_returning(align_down(stack_top, 16), function, argument);
}

void set_signal_return_handler(void (*handler)(u64)) { uk_signal_return_handler = handler; }
u64 signal_return_trampoline() { return reinterpret_cast<u64>(&uk_signal_return_trampoline); }

extern "C" void uk_probe_page(const void* address);

void probe_stack(u64 low, u64 high)
{
    for (u64 page = align_down(high - 1, k_page_size); page >= low && page >= k_page_size; page -= k_page_size)
        uk_probe_page(reinterpret_cast<const void*>(page));
}

u64 stack_pointer()
{
    u64 sp;
    asm volatile("mov %%rsp, %0" : "=r"(sp));
    return sp;
}

u64 trap_pc(const TrapFrame& f) { return f.rip; }
u64 trap_frame_pointer(const TrapFrame& f) { return f.rbp; }

}
