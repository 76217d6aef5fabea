// SPDX-License-Identifier: MIT
// Signal actions, masks, pending sets and delivery.
//
// A signal is delivered to a thread at one of three points, always while that thread runs program
// code, never in the middle of the runtime:
// - when it leaves a system call (deliver_at_system_call_exit): the handler runs as a plain
//   function call below the system call's caller;
// - when an interrupt returns to its program code (the timer's included, so a thread that never
//   enters the runtime still gets signals, and asynchronous cancellation works): the interrupted
//   registers are saved in a signal frame, as Linux builds one, and the interrupt returns into the
//   handler, whose return goes through the restorer to rt_sigreturn, which resumes the saved
//   context;
// - when a CPU exception the program has a handler for happens (SIGSEGV, SIGFPE, ...): the same
//   signal frame, built from the exception's registers.
// Handlers with SA_ONSTACK run on the sigaltstack when one is set. Default actions end the
// program with a report, as Linux would end the process.
#include "sched/signal.h"

#include "arch/arch.h"
#include "arch/trap_frame.h"
#include "arch/crash.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/address_space.h"
#include "sched/locks.h"
#include "sched/scheduler.h"

namespace uk::sched {

// Process-directed signals that every thread blocks wait here for the first to unblock them.
u64 g_process_pending_signals;

namespace {

constexpr uptr k_sig_default = k_sig_dfl, k_sig_ignore = k_sig_ign;
constexpr u64 k_unblockable = signal_bit(k_sigkill) | signal_bit(k_sigstop);
// Leave this much below the interrupted stack pointer (the x86_64 ABI's red zone, in case code
// built without -mno-red-zone runs).
constexpr u64 k_red_zone = 128;

// The kernel's siginfo_t (128 bytes): the fields handlers read.
struct SignalInfo {
    int signo, errno_value, code, pad;
    union {
        struct {
            int pid, uid;
            u64 value;
        } sender;
        u64 fault_address;
    };
    char rest[96];
};
static_assert(sizeof(SignalInfo) == 128);

struct StackDescription {
    u64 base;
    int flags;
    int pad;
    u64 size;
};

// The kernel's struct ucontext for x86_64 (musl's ucontext_t has the same layout up to and
// including the first 8 bytes of uc_sigmask).
struct Ucontext {
    u64 flags;
    u64 link;
    StackDescription stack;
    arch::MachineContext machine;
    u64 sigmask;
};
static_assert(sizeof(Ucontext) == 304);

// Linux's struct rt_sigframe: the handler's return address (the restorer), then the context and
// the siginfo. rt_sigreturn finds the context where the restorer's %rsp points.
struct SignalFrame {
    u64 return_address;
    Ucontext context;
    SignalInfo info;
};

struct PendingInfo {
    int code;
    int pid;
    u64 value;
};

SignalAction g_actions[k_signal_count];
u64& g_process_pending = g_process_pending_signals;
PendingInfo g_process_info[k_signal_count];
void (*g_pending_listener)();

u64& blocked() { return current_thread().signal_mask; }

bool ignored_by_default(int signal)
{
    // SIGCHLD, SIGCONT, SIGURG, SIGWINCH; stop signals cannot stop the only process either.
    return signal == k_sigchld || signal == k_sigcont || signal == k_sigurg || signal == k_sigwinch
        || signal == k_sigstop || signal == k_sigtstp || signal == k_sigttin || signal == k_sigttou;
}

bool dumps_core(int signal)
{
    return signal == k_sigquit || signal == k_sigill || signal == k_sigtrap || signal == k_sigabrt
        || signal == k_sigbus || signal == k_sigfpe || signal == k_sigsegv || signal == k_sigsys || signal == k_sigxcpu
        || signal == k_sigxfsz;
}

bool is_ignored(int signal)
{
    uptr handler = g_actions[signal].handler;
    return handler == k_sig_ignore || (handler == k_sig_default && ignored_by_default(signal));
}

u64 deliverable(const Thread& thread) { return (thread.pending_signals | g_process_pending) & ~thread.signal_mask; }

void announce_pending()
{
    if (g_pending_listener)
        g_pending_listener();
}

[[noreturn]] void default_terminate(int signal)
{
    char what[96];
    if (signal == k_sigabrt)
        format(what, sizeof(what), "program aborted (SIGABRT)");
    else
        format(what, sizeof(what), "program terminated by signal %d (%s)", signal, signal_name(signal));
    if (dumps_core(signal))
        crash_here(signal, what);
    printk("uk: %s\n", what);
    arch::machine_exit(128 + signal);
}

// Takes the lowest deliverable signal off the current thread's (or the process's) pending set,
// with what its sender said about it.
int take_deliverable(PendingInfo& info)
{
    sched::SchedulerGuard guard;
    Thread& self = current_thread();
    u64 ready = deliverable(self);
    if (!ready)
        return 0;
    int signal = __builtin_ctzll(ready) + 1;
    u64 bit = signal_bit(signal);
    if (self.pending_signals & bit) {
        self.pending_signals &= ~bit;
        info = { k_si_tkill, 1, 0 };
    } else {
        g_process_pending &= ~bit;
        info = g_process_info[signal];
    }
    return signal;
}

bool on_alternate_stack(const Thread& thread, u64 sp)
{
    return thread.alternate_stack_size && sp > thread.alternate_stack
        && sp <= thread.alternate_stack + thread.alternate_stack_size;
}

// The mask while a handler runs, and the one-shot reset (SA_RESETHAND).
void enter_handler(int signal, const SignalAction& action)
{
    blocked() |= action.mask & ~k_unblockable;
    if (!(action.flags & k_sa_nodefer))
        blocked() |= signal_bit(signal);
    if (action.flags & k_sa_resethand)
        g_actions[signal].handler = k_sig_default;
}

void fill_info(SignalInfo& info, int signal, const PendingInfo& from)
{
    fill_bytes(&info, 0, sizeof(info));
    info.signo = signal;
    info.code = from.code;
    info.sender.pid = from.pid;
    info.sender.uid = 0;
    info.sender.value = from.value;
}

// The default action, or nothing for an ignored signal; false if a handler must run.
bool act_without_handler(int signal)
{
    const SignalAction& action = g_actions[signal];
    if (action.handler == k_sig_ignore)
        return true;
    if (action.handler == k_sig_default || signal == k_sigkill) {
        if (ignored_by_default(signal))
            return true;
        default_terminate(signal);
    }
    return false;
}

// Delivery inside a call chain (system-call exit): the handler runs as a function call, on the
// alternate stack if it asks for it; its ucontext carries the mask, and whatever mask the handler
// leaves there is restored afterwards, as rt_sigreturn would.
struct CallDelivery {
    int signal;
    SignalAction action;
    SignalInfo* info;
    Ucontext* context;
};

void call_handler(void* raw)
{
    auto& d = *static_cast<CallDelivery*>(raw);
    if (d.action.flags & k_sa_siginfo)
        reinterpret_cast<void (*)(int, SignalInfo*, void*)>(d.action.handler)(d.signal, d.info, d.context);
    else
        reinterpret_cast<void (*)(int)>(d.action.handler)(d.signal);
}

// Returns whether a handler ran, and if so whether the call may restart in `restart` (SA_RESTART,
// and the handler left the interrupted pc alone).
bool deliver_in_call(int signal, const PendingInfo& pending, u64 interrupted_pc, bool& restart)
{
    if (act_without_handler(signal))
        return false;
    Thread& self = current_thread();
    SignalAction action = g_actions[signal];
    SignalInfo info;
    fill_info(info, signal, pending);
    Ucontext context {};
    // Under a temporary mask (ppoll...), the handler returns to the caller's own mask.
    context.sigmask = self.restore_saved_mask ? self.saved_signal_mask : blocked();
    context.machine.gregs[arch::k_greg_rsp] = arch::stack_pointer();
    u64 pc = interrupted_pc ? interrupted_pc : reinterpret_cast<u64>(__builtin_return_address(0));
    context.machine.gregs[arch::k_greg_rip] = pc;
    context.stack = { self.alternate_stack, self.alternate_stack_size ? 0 : k_ss_disable, 0, self.alternate_stack_size };
    enter_handler(signal, action);
    CallDelivery delivery { signal, action, &info, &context };
    u64 sp = arch::stack_pointer();
    if ((action.flags & k_sa_onstack) && self.alternate_stack_size && !on_alternate_stack(self, sp)) {
        context.stack.flags = k_ss_onstack;
        arch::call_on_other_stack(self.alternate_stack + self.alternate_stack_size, call_handler, &delivery);
    } else {
        call_handler(&delivery);
    }
    blocked() = context.sigmask & ~k_unblockable;
    self.restore_saved_mask = false;
    // A handler that moved the pc (musl's cancellation handler sends a cancellation point to
    // __cp_cancel) wants the call to end: it ends with EINTR, which musl's __syscall_cp_c turns
    // into the same cancellation.
    restart = (action.flags & k_sa_restart) && context.machine.gregs[arch::k_greg_rip] == pc;
    return true;
}

// True if a handler ran and every handler that ran lets the call restart.
bool deliver_pending_in_call(u64 interrupted_pc = 0)
{
    PendingInfo info;
    bool any = false, restart = true;
    while (int signal = take_deliverable(info)) {
        bool restartable = false;
        if (deliver_in_call(signal, info, interrupted_pc, restartable)) {
            any = true;
            restart &= restartable;
        }
    }
    return any && restart;
}

// Builds a signal frame for `signal` on the stack the interrupted context `frame` was using (or
// the alternate stack) and redirects the trap into the handler. False when the frame does not fit
// in writable memory (a stack overflow without an alternate stack).
bool deliver_to_trap(arch::TrapFrame& frame, int signal, const PendingInfo& pending, u64 fault_address)
{
    Thread& self = current_thread();
    SignalAction action = g_actions[signal];
    u64 interrupted_sp = arch::trap_stack_pointer(frame);
    u64 top = interrupted_sp - k_red_zone;
    bool switch_stack = (action.flags & k_sa_onstack) && self.alternate_stack_size
        && !on_alternate_stack(self, interrupted_sp);
    if (switch_stack) {
        top = self.alternate_stack + self.alternate_stack_size;
    } else {
        // Interrupts and most exceptions arrive on the interrupted stack itself: the frame must go
        // below the runtime's own frames, which are still live.
        u64 here = arch::stack_pointer();
        if (here < interrupted_sp && here + 65536 > interrupted_sp && top > here - 1024)
            top = here - 1024;
    }
    u64 fpu_area = align_down(top - arch::fpu_state_size(), 64);
    u64 address = align_down(fpu_area - sizeof(SignalFrame), 16) - 8; // As if just called.
    if (address >= top || !mm::is_user_range(address, top - address, true))
        return false;
    // A page fault is handled on its IST stack, and a fault while on it would restart at the top
    // of that stack, over the handler's own frames: the frame's pages are made present first
    // (an alternate stack from malloc is usually not yet).
    if (mm::populate(align_down(address, k_page_size), align_up(top, k_page_size)).is_error())
        return false;
    auto* f = reinterpret_cast<SignalFrame*>(address);
    arch::save_context(frame, f->context.machine);
    arch::fpu_save(reinterpret_cast<void*>(fpu_area));
    f->context.machine.fpstate = fpu_area;
    f->context.flags = 0;
    f->context.link = 0;
    f->context.stack = { self.alternate_stack, self.alternate_stack_size ? (switch_stack ? k_ss_onstack : 0) : k_ss_disable,
        0, self.alternate_stack_size };
    f->context.sigmask = blocked();
    fill_info(f->info, signal, pending);
    if (fault_address)
        f->info.fault_address = fault_address;
    // musl always gives a restorer (__restore_rt); a raw rt_sigaction without one gets ours.
    f->return_address = (action.flags & k_sa_restorer) ? action.restorer : arch::signal_return_trampoline();
    enter_handler(signal, action);
    u64 handler = action.handler;
    arch::redirect_trap(frame, handler, address, static_cast<u64>(signal), reinterpret_cast<u64>(&f->info),
        reinterpret_cast<u64>(&f->context));
    return true;
}

} // namespace

Result<void> set_signal_action(int signal, const SignalAction* action, SignalAction* old)
{
    if (signal < 1 || signal >= k_signal_count)
        return error(EINVAL);
    if (action && (signal == k_sigkill || signal == k_sigstop))
        return error(EINVAL);
    if (old)
        *old = g_actions[signal];
    if (action) {
        g_actions[signal] = *action;
        g_actions[signal].mask &= ~k_unblockable;
        // Setting SIG_IGN (or SIG_DFL for a signal ignored by default) discards what is pending.
        if (is_ignored(signal)) {
            sched::SchedulerGuard guard;
            current_thread().pending_signals &= ~signal_bit(signal);
            g_process_pending &= ~signal_bit(signal);
        }
    }
    return {};
}

Result<u64> change_signal_mask(MaskChange how, u64 set)
{
    // Under the lock: a sender decides whether to interrupt a thread from its mask.
    sched::SchedulerGuard guard;
    u64 previous = blocked();
    u64 value = set & ~k_unblockable;
    switch (how) {
    case MaskChange::Block: blocked() |= value; break;
    case MaskChange::Unblock: blocked() &= ~value; break;
    case MaskChange::Set: blocked() = value; break;
    default: return error(EINVAL);
    }
    return previous;
}

bool use_temporary_signal_mask(u64 mask)
{
    Thread& self = current_thread();
    if (!self.restore_saved_mask) {
        self.saved_signal_mask = self.signal_mask;
        self.restore_saved_mask = true;
    }
    self.signal_mask = mask & ~k_unblockable;
    return has_deliverable_signals();
}

u64 blocked_signals() { return blocked(); }
u64 pending_signals() { return current_thread().pending_signals | g_process_pending; }

bool has_deliverable_signals() { return deliverable(current_thread()) != 0; }

bool deliver_at_system_call_exit(u64 interrupted_pc)
{
    Thread& self = current_thread();
    bool restart = has_deliverable_signals() && deliver_pending_in_call(interrupted_pc);
    if (self.restore_saved_mask) {
        self.restore_saved_mask = false;
        self.signal_mask = self.saved_signal_mask;
    }
    return restart;
}

void deliver_at_interrupt_return(arch::TrapFrame& frame)
{
    PendingInfo info;
    // One frame per return: the handler's own return (rt_sigreturn) delivers the next one.
    while (int signal = take_deliverable(info)) {
        if (act_without_handler(signal))
            continue;
        if (!deliver_to_trap(frame, signal, info, 0)) {
            char what[128];
            format(what, sizeof(what), "no room on the stack for the %s handler's signal frame", signal_name(signal));
            crash_after_trap(frame, k_sigsegv, what);
        }
        return;
    }
}

bool deliver_fault(arch::TrapFrame& frame, int signal, int code, u64 address)
{
    // Faults inside the runtime are runtime bugs or unchecked pointers: always a crash report (so
    // are faults on a CPU that runs no thread yet). A blocked or ignored fault signal cannot be
    // delivered: Linux kills the process then too.
    Thread* current = sched::current();
    if (!current || current->preempt_disabled || current->kernel)
        return false;
    const SignalAction& action = g_actions[signal];
    if (action.handler == k_sig_default || action.handler == k_sig_ignore || (blocked() & signal_bit(signal)))
        return false;
    return deliver_to_trap(frame, signal, { code, 0, 0 }, address);
}

Result<void> sigreturn(u64 context_address, arch::TrapFrame& out)
{
    if (!mm::is_user_range(context_address, sizeof(Ucontext), false))
        return error(EFAULT);
    auto* context = reinterpret_cast<const Ucontext*>(context_address);
    blocked() = context->sigmask & ~k_unblockable;
    if (u64 fpstate = context->machine.fpstate) {
        if (fpstate % 64 || !mm::is_user_range(fpstate, arch::fpu_state_size(), false))
            return error(EFAULT);
        arch::fpu_restore(reinterpret_cast<const void*>(fpstate));
    }
    arch::load_context(context->machine, out);
    return {};
}

Result<void> raise_signal(int signal)
{
    if (signal < 0 || signal >= k_signal_count)
        return error(EINVAL);
    if (signal == 0 || is_ignored(signal))
        return {};
    {
        sched::SchedulerGuard guard;
        current_thread().pending_signals |= signal_bit(signal);
    }
    announce_pending();
    // Delivered when the system call that raised it returns (or now, for runtime-internal raises
    // such as SIGPIPE, at the same point).
    return {};
}

Result<void> send_signal_to_thread(int tid, int signal)
{
    if (tid == current_thread().tid)
        return raise_signal(signal);
    {
        // The target may exit (and be freed) on another CPU: it is used under the lock only.
        sched::SchedulerGuard guard;
        Thread* target = find_thread(tid);
        if (!target)
            return error(ESRCH);
        if (signal < 0 || signal >= k_signal_count)
            return error(EINVAL);
        if (signal == 0 || is_ignored(signal))
            return {};
        target->pending_signals |= signal_bit(signal);
        // A blocked system call ends with EINTR and the signal is delivered on its way out; a
        // thread running program code gets it when an interrupt next returns to it.
        if (!(target->signal_mask & signal_bit(signal)) || (target->signals_waited & signal_bit(signal)))
            interrupt_thread(*target);
    }
    announce_pending();
    return {};
}

Result<void> send_signal_to_process(int signal, int code, u64 value)
{
    if (signal < 0 || signal >= k_signal_count)
        return error(EINVAL);
    if (signal == 0 || is_ignored(signal))
        return {};
    // [POSIX 2.4.1] A process-directed signal goes to one thread that does not block it: the
    // caller if it can take it, else any other; if all block it, it waits for the first to unblock.
    u64 bit = signal_bit(signal);
    {
        sched::SchedulerGuard guard;
        Thread* target = nullptr;
        if (!(current_thread().signal_mask & bit))
            target = &current_thread();
        else
            target = find_thread_where([&](const Thread& t) { return !(t.signal_mask & bit) && !t.kernel; });
        if (target && target != &current_thread()) {
            target->pending_signals |= bit;
        } else {
            g_process_pending |= bit;
            g_process_info[signal] = { code, 1, value };
        }
        if (!target)
            target = find_thread_where([&](const Thread& t) { return (t.signals_waited & bit) != 0; });
        if (target && target != &current_thread())
            interrupt_thread(*target);
    }
    announce_pending();
    return {};
}

int take_pending_signal(u64 set, int* code, u64* value)
{
    sched::SchedulerGuard guard;
    Thread& self = current_thread();
    u64 candidates = (self.pending_signals | g_process_pending) & set;
    if (!candidates)
        return 0;
    int signal = __builtin_ctzll(candidates) + 1;
    u64 bit = signal_bit(signal);
    PendingInfo info { k_si_tkill, 1, 0 };
    if (self.pending_signals & bit) {
        self.pending_signals &= ~bit;
    } else {
        g_process_pending &= ~bit;
        info = g_process_info[signal];
    }
    if (code)
        *code = info.code;
    if (value)
        *value = info.value;
    return signal;
}

Result<void> set_alternate_stack(const AlternateStack* stack, AlternateStack* old)
{
    Thread& self = current_thread();
    bool on_it = on_alternate_stack(self, arch::stack_pointer());
    if (old) {
        old->base = self.alternate_stack;
        old->size = self.alternate_stack_size;
        old->flags = self.alternate_stack_size == 0 ? k_ss_disable : on_it ? k_ss_onstack : 0;
    }
    if (!stack)
        return {};
    if (on_it)
        return error(EPERM); // Cannot be changed while a handler runs on it.
    if (stack->flags & ~(k_ss_disable | k_ss_autodisarm))
        return error(EINVAL);
    if (stack->flags & k_ss_disable) {
        self.alternate_stack = 0;
        self.alternate_stack_size = 0;
        return {};
    }
    if (stack->size < k_min_signal_stack)
        return error(ENOMEM);
    self.alternate_stack = stack->base;
    self.alternate_stack_size = stack->size;
    return {};
}

WaitResult block_for_signal_locked(u64 set, u64 deadline_ns)
{
    Thread& self = current_thread();
    if ((self.pending_signals | g_process_pending) & set)
        return WaitResult::Ready;
    self.signals_waited = set;
    self.wake_pending = false;
    // Deadlock detection treats this like any wait other threads must end.
    WaitResult r = block_current_locked(deadline_ns, WakeSource::ProgramThreads);
    self.signals_waited = 0;
    if ((self.pending_signals | g_process_pending) & set)
        return WaitResult::Ready;
    if (r == WaitResult::Deadlock) {
        crash_here(6, "deadlock: waiting for a signal that no other thread can send");
    }
    return r;
}

void set_pending_listener(void (*listener)()) { g_pending_listener = listener; }

void return_from_signal(u64 context_address)
{
    arch::TrapFrame frame;
    if (sigreturn(context_address, frame).is_error())
        crash_here(k_sigsegv, "rt_sigreturn: the signal frame is unreadable (a handler returned with a corrupt stack?)");
    arch::save_and_disable_interrupts();
    // Signals the restored mask lets through are delivered before the context resumes.
    if (has_deliverable_signals())
        deliver_at_interrupt_return(frame);
    arch::resume_trap(frame);
}

void signals_init()
{
    arch::set_fault_signal_hook(deliver_fault);
    arch::set_signal_return_handler(return_from_signal);
}

}
