// SPDX-License-Identifier: MIT
// A fake machine for host unit tests: arch/arch.h's threads, clock, timer, interrupts, FPU state
// and signal contexts, so that sched/ and the waiting parts of fs/ run unchanged on the host.
//
// What it models, and how:
// - One CPU. Threads are ucontext fibers of the one host thread: prepare_thread_stack() builds a
//   context at the top of the new stack and returns its address as the "stack pointer", and
//   switch_context() saves the running thread's context in a frame on its own stack (so a saved
//   stack pointer is, as on the machine, an address on the thread's stack) and swaps. The stack
//   switches are announced to AddressSanitizer.
// - The interrupt flag. save_and_disable_interrupts/restore_interrupts/enable_interrupts keep it;
//   an interrupt that falls due while it is clear stays pending and is taken the moment it is
//   set again, as the CPU does. The fake checks the contracts the real machine cannot: switches,
//   timer arming and halting happen with interrupts disabled, and so (with the runtime built
//   with UKSDK_VERIFY_INTERRUPT_STATE) does every `_locked` queue operation.
// - The TSC: a counter at 1 GHz that moves only when a test runs program code for a while
//   (machine::run_for) or the CPU halts (wait_for_interrupt jumps it to the next event).
// - The local APIC timer: one-shot, armed for a TSC value; it fires when the clock reaches it.
// - Device interrupts: register_interrupt/register_msi hand out vectors; tests raise them now or
//   at a time. Taking an interrupt runs the vector's handlers with the flag clear and
//   in_interrupt() true, then the interrupt-return hook, exactly as dispatch_interrupt does on
//   the machine; the hook may switch threads.
// - Signal delivery at interrupt return: the interrupted "program code" has a stack of its own
//   (a scratch area), where the runtime builds the signal frame; when the hook redirects the
//   frame into a handler, the fake calls the handler and then does what its restorer does
//   (rt_sigreturn through sched::sigreturn).
// What it cannot model: preemption at arbitrary instructions (interrupts are taken only where a
// test runs program code, raises one, or where the runtime re-enables interrupts or halts),
// more than one CPU (the locks run, uncontended, with their order checked), CPU exceptions and page faults, real FPU registers (one 64-bit stand-in),
// resume_trap (rt_sigreturn's jump into a context), and entering program code.
#include "host/machine.h"

#include "arch/arch.h"
#include "arch/crash.h"
#include "arch/trap_frame.h"
#include "lib/format.h"
#include "lib/verify.h"
#include "sched/clock.h"
#include "sched/scheduler.h"
#include "sched/signal.h"

#include <new>
#include <pthread.h>
#include <string.h>
#include <ucontext.h>

#if defined(__SANITIZE_ADDRESS__)
#define UKSDK_HOST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UKSDK_HOST_ASAN 1
#endif
#endif
#ifdef UKSDK_HOST_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

namespace uk::host::machine {
namespace {

constexpr u64 k_if = 1u << 9; // RFLAGS.IF, what save_and_disable_interrupts returns.
// The clock starts at one second, so that a deadline of a few nanoseconds is already past.
constexpr u64 k_boot_tsc = 0;
constexpr u64 k_start_tsc = 1'000'000'000;
// The program counter the fake's interrupted program code "was at": a handler redirect changes it.
constexpr u64 k_program_pc = 0x400000;

bool g_booted;
bool g_interrupts_enabled;
int g_interrupt_depth;
u64 g_tsc = k_start_tsc;
u64 g_armed_tsc;
u64 g_interrupts_taken;
u64 g_idle;
u64 g_fpu;
u64 g_thread_pointer;
u64 g_signal_frames;

struct Handler {
    arch::InterruptHandler function;
    void* context;
};
struct Vector {
    Handler handlers[4];
    size_t count;
    bool used;
    u32 gsi;
    bool is_line;
};
Vector g_vectors[256];
void (*g_return_hook)(arch::TrapFrame&);
bool g_pending[256];
struct Scheduled {
    u64 at_tsc;
    u8 vector;
};
constexpr size_t k_max_scheduled = 64;
Scheduled g_scheduled[k_max_scheduled];
size_t g_scheduled_count;

// Stacks: the bounds of every stack a context may run on.
struct Bounds {
    void* bottom;
    size_t size;
};
struct KnownStack {
    u64 base, size;
};
constexpr size_t k_max_stacks = 1024;
KnownStack g_stacks[k_max_stacks];
size_t g_stack_count;
Bounds g_running; // The stack the CPU runs on.

struct Context {
    ucontext_t uc;
    Bounds stack;
    void (*entry)(void*);
    void* argument;
    Context* return_to; // call_on_other_stack: where the function's return goes.
};

void start_switch([[maybe_unused]] void** fake_stack, [[maybe_unused]] const Bounds& to)
{
#ifdef UKSDK_HOST_ASAN
    __sanitizer_start_switch_fiber(fake_stack, to.bottom, to.size);
#endif
}

void finish_switch([[maybe_unused]] void* fake_stack)
{
#ifdef UKSDK_HOST_ASAN
    __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
#endif
}

Bounds stack_below(u64 top)
{
    for (size_t i = 0; i < g_stack_count; ++i)
        if (top > g_stacks[i].base && top <= g_stacks[i].base + g_stacks[i].size)
            return { reinterpret_cast<void*>(g_stacks[i].base), static_cast<size_t>(top - g_stacks[i].base) };
    panic("host machine: no known stack below %#llx (tests announce theirs with machine::add_stack)",
        static_cast<unsigned long long>(top));
}

void fiber_entry(unsigned high, unsigned low)
{
    auto* context = reinterpret_cast<Context*>((static_cast<u64>(high) << 32) | low);
    finish_switch(nullptr);
    g_running = context->stack;
    context->entry(context->argument);
    if (Context* back = context->return_to) {
        start_switch(nullptr, back->stack);
        setcontext(&back->uc);
    }
    panic("host machine: a thread's entry function returned (the machine executes ud2 there)");
}

// A context at the top of the stack below `stack_top` that starts with entry(argument).
Context* make_context(u64 stack_top, void (*entry)(void*), void* argument)
{
    Bounds whole = stack_below(stack_top);
    u64 at = (stack_top - sizeof(Context)) & ~u64(63);
    auto* context = new (reinterpret_cast<void*>(at)) Context;
    context->stack = { whole.bottom, static_cast<size_t>(at - reinterpret_cast<u64>(whole.bottom)) };
    context->entry = entry;
    context->argument = argument;
    context->return_to = nullptr;
    VERIFY(getcontext(&context->uc) == 0);
    context->uc.uc_stack.ss_sp = context->stack.bottom;
    context->uc.uc_stack.ss_size = context->stack.size;
    context->uc.uc_link = nullptr;
    u64 raw = reinterpret_cast<u64>(context);
    makecontext(&context->uc, reinterpret_cast<void (*)()>(fiber_entry), 2, static_cast<unsigned>(raw >> 32),
        static_cast<unsigned>(raw));
    return context;
}

u64 ns_to_tsc(u64 ns) { return ns; } // 1 GHz, and the monotonic clock starts at TSC 0.

bool timer_due() { return g_armed_tsc && g_tsc >= g_armed_tsc; }

// Moves device interrupts whose time has come to the pending set.
void collect_scheduled()
{
    for (size_t i = 0; i < g_scheduled_count;) {
        if (g_scheduled[i].at_tsc <= g_tsc) {
            g_pending[g_scheduled[i].vector] = true;
            g_scheduled[i] = g_scheduled[--g_scheduled_count];
        } else {
            ++i;
        }
    }
}

// The vector the CPU takes next (the local APIC serves the highest first), or -1.
int next_vector()
{
    collect_scheduled();
    for (int v = 255; v >= 0; --v) {
        if (v == arch::k_timer_vector && timer_due())
            return v;
        if (g_pending[v])
            return v;
    }
    return -1;
}

// The earliest TSC value at which an interrupt will be due (0: none).
u64 next_event_tsc()
{
    u64 next = g_armed_tsc;
    for (size_t i = 0; i < g_scheduled_count; ++i)
        if (!next || g_scheduled[i].at_tsc < next)
            next = g_scheduled[i].at_tsc;
    return next;
}

constexpr size_t k_program_stack_size = 16384;
constexpr int k_max_nesting = 8;
alignas(64) u8 g_program_stacks[k_max_nesting][k_program_stack_size];
int g_program_nesting;

// The interrupt-return hook redirected the interrupted program code into a signal handler: run
// the handler as the CPU would after iretq, then what its restorer does (rt_sigreturn: restore the
// mask and registers, and deliver what the restored mask lets through), until the frame resumes
// the interrupted program counter.
void run_signal_handlers(arch::TrapFrame& frame)
{
    while (frame.rip != k_program_pc) {
        u64 frame_sp = frame.rsp;
        auto handler = reinterpret_cast<void (*)(int, void*, void*)>(frame.rip);
        ++g_signal_frames;
        g_interrupts_enabled = true; // Program code runs with interrupts enabled.
        handler(static_cast<int>(frame.rdi), reinterpret_cast<void*>(frame.rsi), reinterpret_cast<void*>(frame.rdx));
        g_interrupts_enabled = false;
        // The handler's `ret` pops the restorer's address; rt_sigreturn finds the ucontext there.
        arch::TrapFrame resumed {};
        VERIFY(!sched::sigreturn(frame_sp + 8, resumed).is_error());
        frame = resumed;
        if (sched::has_deliverable_signals())
            sched::deliver_at_interrupt_return(frame);
    }
}

// The CPU takes interrupt `vector` at the current point of the current thread.
void take_interrupt(u8 vector)
{
    bool was_enabled = g_interrupts_enabled;
    g_interrupts_enabled = false;
    ++g_interrupts_taken;
    if (vector == arch::k_timer_vector)
        g_armed_tsc = 0; // One-shot: fired.
    else
        g_pending[vector] = false;
    VERIFY(g_program_nesting < k_max_nesting);
    u8* stack = g_program_stacks[g_program_nesting++];
    arch::TrapFrame frame {};
    frame.rip = k_program_pc;
    frame.rsp = reinterpret_cast<u64>(stack + k_program_stack_size);
    frame.rflags = k_if | 2;
    frame.vector = vector;
    arch::dispatch_interrupt(vector, frame);
    if (frame.rip != k_program_pc)
        run_signal_handlers(frame);
    --g_program_nesting;
    g_interrupts_enabled = was_enabled; // iretq.
}

// Takes every interrupt that is due, while interrupts are enabled.
void take_due_interrupts()
{
    while (g_interrupts_enabled) {
        int vector = next_vector();
        if (vector < 0)
            return;
        take_interrupt(static_cast<u8>(vector));
    }
}

} // namespace

void boot()
{
    if (g_booted)
        return;
    g_booted = true;
    pthread_attr_t attributes;
    VERIFY(pthread_getattr_np(pthread_self(), &attributes) == 0);
    void* bottom;
    size_t size;
    VERIFY(pthread_attr_getstack(&attributes, &bottom, &size) == 0);
    pthread_attr_destroy(&attributes);
    g_running = { bottom, size };
    clock::start_calibration(k_boot_tsc);
    clock::finish_calibration();
    sched::init();
    sched::start();
}

u64 now_ns() { return clock::monotonic_ns(); }

void run_for(u64 ns)
{
    u64 end = g_tsc + ns_to_tsc(ns);
    take_due_interrupts();
    while (g_tsc < end) {
        u64 next = g_interrupts_enabled ? next_event_tsc() : 0;
        g_tsc = next && next < end ? (next > g_tsc ? next : g_tsc) : end;
        take_due_interrupts();
    }
}

u64 armed_deadline_ns() { return g_armed_tsc; }

void raise(u8 vector)
{
    VERIFY(g_vectors[vector].used);
    g_pending[vector] = true;
    take_due_interrupts();
}

void raise_at(u8 vector, u64 at_ns)
{
    VERIFY(g_vectors[vector].used);
    VERIFY(g_scheduled_count < k_max_scheduled);
    g_scheduled[g_scheduled_count++] = { ns_to_tsc(at_ns), vector };
}

u64 interrupts_taken() { return g_interrupts_taken; }
u64 idle_count() { return g_idle; }

void add_stack(u64 base, u64 size)
{
    VERIFY(g_stack_count < k_max_stacks);
    g_stacks[g_stack_count++] = { base, size };
}

void remove_stack(u64 base)
{
    for (size_t i = 0; i < g_stack_count; ++i) {
        if (g_stacks[i].base == base) {
            g_stacks[i] = g_stacks[--g_stack_count];
            return;
        }
    }
    panic("host machine: remove_stack(%#llx): not a known stack", static_cast<unsigned long long>(base));
}

u64 fpu_register() { return g_fpu; }
void set_fpu_register(u64 value) { g_fpu = value; }
u64 signal_frames_run() { return g_signal_frames; }

} // namespace uk::host::machine

namespace uk::arch {

using namespace host::machine;

u64 read_timestamp() { return g_tsc; }
u64 tsc_frequency_from_cpuid() { return k_tsc_hz; }
void set_thread_pointer(u64 value) { g_thread_pointer = value; }
u64 thread_pointer() { return g_thread_pointer; }

u64 save_and_disable_interrupts()
{
    u64 saved = g_interrupts_enabled ? k_if : 0;
    g_interrupts_enabled = false;
    return saved;
}

void restore_interrupts(u64 saved)
{
    if (!(saved & k_if)) {
        VERIFY(!g_interrupts_enabled); // Guards nest: an inner one never finds them enabled.
        return;
    }
    enable_interrupts();
}

void enable_interrupts()
{
    VERIFY(g_interrupt_depth == 0); // Handlers run with interrupts disabled throughout.
    g_interrupts_enabled = true;
    take_due_interrupts();
}

bool interrupts_enabled() { return g_interrupts_enabled; }

void wait_for_interrupt()
{
    VERIFY(!g_interrupts_enabled);
    ++g_idle;
    collect_scheduled();
    if (next_vector() < 0) {
        u64 next = next_event_tsc();
        if (!next)
            panic("host machine: the CPU halts with no timer armed and no device interrupt to come: it would "
                  "sleep forever");
        if (next > g_tsc)
            g_tsc = next;
    }
    // sti; hlt: whatever is due is taken; cli.
    g_interrupts_enabled = true;
    take_due_interrupts();
    g_interrupts_enabled = false;
}

bool in_interrupt() { return g_interrupt_depth != 0; }

InterruptLine isa_interrupt_line(u8 irq) { return { irq, Trigger::Edge, Polarity::ActiveHigh }; }

Result<u8> register_interrupt(const InterruptLine& line, InterruptHandler handler, void* context)
{
    int free_vector = -1;
    for (int v = 33; v < 255; ++v) {
        Vector& vector = g_vectors[v];
        if (vector.used && vector.is_line && vector.gsi == line.gsi) {
            if (vector.count == 4)
                return error(ENOSPC);
            vector.handlers[vector.count++] = { handler, context };
            return static_cast<u8>(v);
        }
        if (!vector.used && free_vector < 0)
            free_vector = v;
    }
    if (free_vector < 0)
        return error(ENOSPC);
    Vector& vector = g_vectors[free_vector];
    vector = {};
    vector.used = true;
    vector.is_line = true;
    vector.gsi = line.gsi;
    vector.handlers[vector.count++] = { handler, context };
    return static_cast<u8>(free_vector);
}

Result<MsiMessage> register_msi(InterruptHandler handler, void* context)
{
    for (int v = 33; v < 255; ++v) {
        Vector& vector = g_vectors[v];
        if (!vector.used) {
            vector = {};
            vector.used = true;
            vector.handlers[vector.count++] = { handler, context };
            return MsiMessage { 0xfee00000, static_cast<u32>(v), static_cast<u8>(v) };
        }
    }
    return error(ENOSPC);
}

void set_timer_handler(InterruptHandler handler, void* context)
{
    Vector& vector = g_vectors[k_timer_vector];
    vector = {};
    vector.used = true;
    vector.handlers[vector.count++] = { handler, context };
}

void set_interrupt_return_hook(void (*hook)(TrapFrame& frame)) { g_return_hook = hook; }

// As arch/x86_64/interrupt_controller.cpp: the handlers, the end of interrupt, then the hook.
void dispatch_interrupt(u8 vector, TrapFrame& frame)
{
    VERIFY(!g_interrupts_enabled);
    Vector& v = g_vectors[vector];
    ++g_interrupt_depth;
    for (size_t i = 0; i < v.count; ++i)
        v.handlers[i].function(v.handlers[i].context);
    --g_interrupt_depth;
    if (g_return_hook)
        g_return_hook(frame);
}

void set_fault_signal_hook(bool (*)(TrapFrame&, int, int, u64)) {}
void set_hang_report_hook(void (*)(const TrapFrame&)) {}
void set_reschedule_handler(InterruptHandler) {}
void enter_idle_tlb_mode() {}
void leave_idle_tlb_mode() {}
void send_reschedule(u32 index) { panic("host machine: a reschedule IPI to CPU %u (the fake has one CPU)", index); }
const TrapFrame* stopped_cpu_frame(u32) { return nullptr; }
void dump_registers(const TrapFrame&) {}
void dump_stopped_cpu_registers(u32) {}

void timer_init(u64 tsc_hz) { VERIFY(tsc_hz == k_tsc_hz); }

void timer_arm(u64 deadline_tsc)
{
    VERIFY(!g_interrupts_enabled); // Arming races with the timer's own interrupt otherwise.
    g_armed_tsc = deadline_tsc;
}

void fpu_init() {}
size_t fpu_state_size() { return 64; }
void fpu_save(void* area) { memcpy(area, &g_fpu, sizeof(g_fpu)); }
void fpu_restore(const void* area) { memcpy(&g_fpu, area, sizeof(g_fpu)); }
void fpu_init_state(void* area) { memset(area, 0, sizeof(g_fpu)); }

u64 prepare_thread_stack(u64 stack_top, void (*entry)(void*), void* argument)
{
    return reinterpret_cast<u64>(make_context(stack_top, entry, argument));
}

void switch_context(u64* save_stack_pointer, u64 new_stack_pointer)
{
    VERIFY(!g_interrupts_enabled);
    Context here;
    here.stack = g_running;
    *save_stack_pointer = reinterpret_cast<u64>(&here);
    auto* next = reinterpret_cast<Context*>(new_stack_pointer);
    void* fake_stack = nullptr;
    start_switch(&fake_stack, next->stack);
    VERIFY(swapcontext(&here.uc, &next->uc) == 0);
    finish_switch(fake_stack);
    g_running = here.stack;
}

void call_on_stack(u64 stack_top, void (*function)(void*), void* argument)
{
#ifdef UKSDK_HOST_ASAN
    // The stack may have been left for good before (a CPU's exit stack, used by every thread that
    // exits there): its old frames' redzones are still poisoned.
    Bounds whole = stack_below(stack_top);
    __asan_unpoison_memory_region(whole.bottom, whole.size);
#endif
    Context* context = make_context(stack_top, function, argument);
    start_switch(nullptr, context->stack); // This stack is left for good.
    setcontext(&context->uc);
    panic("host machine: setcontext failed");
}

void call_on_other_stack(u64 stack_top, void (*function)(void*), void* argument)
{
    Context* context = make_context(stack_top, function, argument);
    Context here;
    here.stack = g_running;
    context->return_to = &here;
    void* fake_stack = nullptr;
    start_switch(&fake_stack, context->stack);
    VERIFY(swapcontext(&here.uc, &context->uc) == 0);
    finish_switch(fake_stack);
    g_running = here.stack;
}

u64 stack_pointer() { return reinterpret_cast<u64>(__builtin_frame_address(0)); }
void probe_stack(u64, u64) {} // Host stacks are always present.

// gregs[] in Linux's order (see arch/x86_64/machine.cpp): r8-r15, rdi, rsi, rbp, rbx, rdx, rax, rcx,
// rsp, rip, eflags, segments, err, trapno, oldmask, cr2.
void save_context(const TrapFrame& f, MachineContext& c)
{
    const u64 values[23] = { f.r8, f.r9, f.r10, f.r11, f.r12, f.r13, f.r14, f.r15, f.rdi, f.rsi, f.rbp, f.rbx, f.rdx,
        f.rax, f.rcx, f.rsp, f.rip, f.rflags, f.cs | (f.ss << 48), f.error_code, f.vector, 0, 0 };
    for (int i = 0; i < 23; ++i)
        c.gregs[i] = values[i];
}

void load_context(const MachineContext& c, TrapFrame& f)
{
    const u64* g = c.gregs;
    f.r8 = g[0], f.r9 = g[1], f.r10 = g[2], f.r11 = g[3], f.r12 = g[4], f.r13 = g[5], f.r14 = g[6], f.r15 = g[7];
    f.rdi = g[8], f.rsi = g[9], f.rbp = g[10], f.rbx = g[11], f.rdx = g[12], f.rax = g[13], f.rcx = g[14];
    f.rsp = g[15], f.rip = g[16];
    f.rflags = (g[17] & 0xcd5) | k_if | 0x2;
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
    f.rax = 0;
    f.rflags = k_if | 0x2;
}

void resume_trap(const TrapFrame&) { panic("host machine: resume_trap (rt_sigreturn's jump) is not modelled"); }

namespace {
void (*g_signal_return_handler)(u64);
void signal_return_trampoline_fake() { panic("host machine: the signal-return trampoline is not modelled"); }
}
void set_signal_return_handler(void (*handler)(u64 context)) { g_signal_return_handler = handler; }
u64 signal_return_trampoline() { return reinterpret_cast<u64>(&signal_return_trampoline_fake); }

u64 trap_pc(const TrapFrame& f) { return f.rip; }
u64 trap_frame_pointer(const TrapFrame& f) { return f.rbp; }

[[noreturn]] void machine_exit(int status) { panic("host machine: machine_exit(%d)", status); }
[[noreturn]] void halt_forever() { panic("host machine: halt_forever"); }
[[noreturn]] void reset_machine() { panic("host machine: reset_machine"); }
void control_message(const char* line) { printk("uk: control: %s\n", line); }

} // namespace uk::arch

namespace uk {

void crash_here(int signal, const char* what) { panic("crash (signal %d): %s", signal, what); }
void print_backtrace(u64, u64) {}
void crash_after_trap(const arch::TrapFrame&, int signal, const char* what)
{
    panic("crash after a trap (signal %d): %s", signal, what);
}

} // namespace uk
