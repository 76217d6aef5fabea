// SPDX-License-Identifier: MIT
// Scheduler, threads and the timer queue (one CPU).
#include "sched/scheduler.h"

#include "arch/arch.h"
#include "arch/crash.h"
#include "lib/format.h"
#include "lib/linux/signal.h"
#include "lib/placement_new.h"
#include "lib/verify.h"
#include "mm/address_space.h"
#include "mm/frame_allocator.h"
#include "sched/clock.h"
#include "sched/futex.h"
#include "sched/signal.h"

namespace uk::sched {

namespace {
// The thread that boots and runs main(). Constant-initialized: it is in use long before static
// constructors would run.
constinit Thread g_boot_thread;
}
Thread* g_current_thread = &g_boot_thread;
bool g_reschedule_pending;

namespace {

// Short names for the two globals the inline PreemptGuard also uses.
Thread*& g_current = g_current_thread;
bool& g_need_reschedule = g_reschedule_pending;

constexpr u64 k_time_slice_ns = 10'000'000;
constexpr u64 k_refine_interval_ns = 20'000'000;
constexpr u64 k_kernel_stack_size = 64 * 1024;
constexpr u64 k_kernel_stack_guard = 16 * 1024;
static_assert(sizeof(Thread) <= k_page_size, "a thread's control block lives in one frame");

IntrusiveList<Thread> g_run_queue;
IntrusiveList<Timer, TimerTag> g_timers; // Sorted by deadline.
IntrusiveList<Thread, AllThreadsTag> g_all_threads;
size_t g_threads = 1;  // Program threads alive.
size_t g_hopeless;     // Program threads blocked with Thread::hopeless set.
int g_next_tid = 2;
bool g_started;
u64 g_slice_end_ns;
u64 g_idle_ns;
Thread* g_reap; // A dead thread whose control block is freed once we are off its stack.
alignas(16) u8 g_exit_stack[16384];

void reap()
{
    if (g_reap && g_reap != &g_boot_thread) {
        Thread* dead = g_reap;
        g_reap = nullptr;
        u64 frame = reinterpret_cast<u64>(dead);
        mm::free_frame(frame);
        mm::uncommit(1);
    }
    g_reap = nullptr;
}

void arm_timer(u64 now);

void insert_timer(Timer& timer)
{
    // Scanned from the back: new deadlines are usually the latest.
    Timer* earlier = g_timers.back();
    while (earlier && earlier->deadline_ns > timer.deadline_ns)
        earlier = g_timers.previous(*earlier);
    if (!earlier)
        g_timers.push_front(timer);
    else
        g_timers.insert_after(*earlier, timer);
}

// Queues a thread to run. The timer is re-armed: if the run queue was empty, no time-slice end
// was pending, and a running thread that never blocks would otherwise keep the CPU forever.
void make_runnable(Thread& thread)
{
    VERIFY_INTERRUPTS_DISABLED();
    cancel_timer_locked(thread.sleep_timer);
    if (thread.hopeless) {
        thread.hopeless = false;
        --g_hopeless;
    }
    thread.state = ThreadState::Runnable;
    bool was_empty = g_run_queue.empty();
    g_run_queue.push_back(thread);
    // A thread woken by a device or a timer preempts the interrupted program code (at the end of
    // the interrupt), so that I/O completes promptly.
    if (arch::in_interrupt())
        g_need_reschedule = true;
    if (was_empty && g_started)
        arm_timer(clock::monotonic_ns());
}

void expire_timers(u64 now)
{
    VERIFY_INTERRUPTS_DISABLED();
    while (Timer* t = g_timers.front()) {
        if (t->deadline_ns > now)
            break;
        IntrusiveList<Timer, TimerTag>::remove(*t);
        t->expire(*t);
    }
}

void arm_timer(u64 now)
{
    VERIFY_INTERRUPTS_DISABLED();
    u64 deadline = 0;
    if (Timer* t = g_timers.front())
        deadline = t->deadline_ns;
    if (!g_run_queue.empty() && (deadline == 0 || g_slice_end_ns < deadline))
        deadline = g_slice_end_ns > now ? g_slice_end_ns : now + k_time_slice_ns;
    if (clock::refining() && (deadline == 0 || deadline > now + k_refine_interval_ns))
        deadline = now + k_refine_interval_ns;
    arch::timer_arm(deadline ? clock::tsc_at_monotonic_ns(deadline) : 0);
}

[[noreturn]] void report_deadlock()
{
    printk("uk: deadlock: all %zu threads are blocked and no timer or device can wake them\n", g_threads);
    crash_here(k_sigabrt, "deadlock");
}

// Switches to the next runnable thread (or idles until there is one). Interrupts are disabled.
void schedule_locked()
{
    VERIFY_INTERRUPTS_DISABLED();
    Thread* previous = g_current;
    Thread* next = g_run_queue.pop_front();
    while (!next) {
        if (previous->state == ThreadState::Running) {
            next = previous; // Nothing else to run: keep going.
            break;
        }
        u64 now = clock::monotonic_ns();
        expire_timers(now);
        next = g_run_queue.pop_front();
        if (next)
            break;
        if (g_threads > 0 && g_hopeless == g_threads)
            report_deadlock();
        arm_timer(now);
        u64 idle_start = clock::monotonic_ns();
        arch::wait_for_interrupt();
        g_idle_ns += clock::monotonic_ns() - idle_start;
        expire_timers(clock::monotonic_ns());
        next = g_run_queue.pop_front();
    }
    u64 now = clock::monotonic_ns();
    g_slice_end_ns = now + k_time_slice_ns;
    if (next == previous) {
        previous->state = ThreadState::Running;
        arm_timer(now);
        return;
    }
    if (previous->state == ThreadState::Running)
        previous->state = ThreadState::Runnable;
    previous->cpu_time_ns += now - previous->running_since_ns;
    next->running_since_ns = now;
    next->state = ThreadState::Running;
    g_current = next;
    arm_timer(now);
    if (previous->state != ThreadState::Dead)
        previous->thread_pointer = arch::thread_pointer();
    arch::set_thread_pointer(next->thread_pointer);
    if (previous->state == ThreadState::Dead) {
        // A thread that died earlier may still wait to be freed: the thread it switched to had
        // never run, so nothing has freed it yet (only a switch that returns does). Freed now,
        // before its slot is taken, so that threads exiting one after the other leak nothing.
        reap();
        g_reap = previous;
        u64 discard;
        arch::fpu_restore(next->fpu_state);
        arch::switch_context(&discard, next->saved_stack_pointer);
        VERIFY_NOT_REACHED();
    }
    arch::fpu_save(previous->fpu_state);
    arch::fpu_restore(next->fpu_state);
    arch::switch_context(&previous->saved_stack_pointer, next->saved_stack_pointer);
    // Back on `previous`'s stack.
    reap();
}

void yield_locked()
{
    if (g_run_queue.empty())
        return;
    Thread& self = *g_current;
    self.state = ThreadState::Runnable;
    g_run_queue.push_back(self);
    schedule_locked();
}

void on_timer_interrupt(void*)
{
    clock::refine_calibration();
    u64 now = clock::monotonic_ns();
    expire_timers(now);
    if (!g_run_queue.empty() && now >= g_slice_end_ns && g_current->state == ThreadState::Running)
        g_need_reschedule = true;
    arm_timer(now);
}

// The end of every interrupt: program code gives way to a thread that is due (time slice over, or
// woken by the interrupt); runtime code does so when it leaves the runtime (~PreemptGuard). Program
// code then gets its deliverable signals, whether or not it ever enters the runtime.
void on_interrupt_return(arch::TrapFrame& frame)
{
    if (g_current->preempt_disabled != 0 || g_current->state != ThreadState::Running)
        return;
    if (g_need_reschedule) {
        g_need_reschedule = false;
        yield_locked();
    }
    if (!g_current->kernel && has_deliverable_signals())
        deliver_at_interrupt_return(frame);
}

void expire_sleep(Timer& timer)
{
    Thread& thread = *static_cast<Thread*>(timer.context);
    thread.timed_out = true;
    if (thread.state == ThreadState::Blocked)
        make_runnable(thread);
}

void initialize(Thread& thread)
{
    thread.sleep_timer.expire = expire_sleep;
    thread.sleep_timer.context = &thread;
}

int thread_main(void* raw)
{
    Thread& self = *static_cast<Thread*>(raw);
    arch::enable_interrupts();
    int status = self.entry(self.entry_argument);
    exit_current_thread(status);
}

void thread_entry(void* raw) { thread_main(raw); }

// A kernel thread starts on the stack of a switch, which runs with interrupts disabled: it
// enables them, as runtime code runs with them enabled outside short critical sections.
void kernel_thread_entry(void* raw)
{
    Thread& self = *static_cast<Thread*>(raw);
    arch::enable_interrupts();
    self.kernel_entry(self.entry_argument);
    VERIFY_NOT_REACHED(); // Kernel threads never end.
}

struct UnmapRequest {
    u64 base, size;
};

void unmap_and_exit(void* raw)
{
    auto* request = static_cast<UnmapRequest*>(raw);
    (void)mm::unmap(request->base, request->size);
    exit_current_thread(0);
}

Thread* allocate_thread()
{
    u64 frame = mm::allocate_kernel_frame();
    if (!frame)
        return nullptr;
    auto* thread = new (reinterpret_cast<void*>(frame)) Thread;
    initialize(*thread);
    return thread;
}

// Gives `thread` its tid and queues it to run; interrupts disabled.
void start_locked(Thread& thread)
{
    thread.tid = g_next_tid++;
    g_all_threads.push_back(thread);
    thread.state = ThreadState::Blocked; // make_runnable() queues it and arms the time slice.
    make_runnable(thread);
}

const char* state_name(const Thread& t)
{
    switch (t.state) {
    case ThreadState::Runnable: return "runnable";
    case ThreadState::Running: return "running";
    case ThreadState::Blocked: return t.hopeless ? "blocked (no timeout; only other threads can wake it)" : "blocked";
    case ThreadState::Dead: return "dead";
    }
    return "?";
}

// The other threads at a hang report: where each one stopped (its saved switch frame holds the
// frame pointer and the return address into the scheduler's caller).
void report_threads(const arch::TrapFrame&)
{
    printk("uk: threads: %zu program thread(s), %zu blocked with no way out\n", g_threads, g_hopeless);
    size_t timers = 0;
    g_timers.for_each([&](Timer&) { ++timers; });
    if (Timer* first = g_timers.front()) {
        u64 now = clock::monotonic_ns();
        i64 due = static_cast<i64>(first->deadline_ns - now);
        printk("uk: timers: %zu pending, the first due in %ld us (monotonic clock %lu us)\n", timers, due / 1000,
            now / 1000);
    } else {
        printk("uk: timers: none pending\n");
    }
    g_all_threads.for_each([](Thread& t) {
        printk("uk: thread %d%s: %s\n", t.tid, t.kernel ? " (kernel)" : "", state_name(t));
        if (&t == g_current)
            return; // Its state is the interrupted code above.
        auto* frame = reinterpret_cast<const u64*>(t.saved_stack_pointer);
        if (frame && arch::is_mapped(t.saved_stack_pointer) && arch::is_mapped(t.saved_stack_pointer + 48))
            print_backtrace(frame[6], frame[5]);
    });
}

} // namespace

void start_timer_locked(Timer& timer, u64 deadline_ns)
{
    VERIFY_INTERRUPTS_DISABLED();
    if (timer.is_pending())
        IntrusiveList<Timer, TimerTag>::remove(timer);
    timer.deadline_ns = deadline_ns;
    bool earliest = !g_timers.front() || deadline_ns < g_timers.front()->deadline_ns;
    insert_timer(timer);
    if (earliest && g_started)
        arm_timer(clock::monotonic_ns());
}

void cancel_timer_locked(Timer& timer)
{
    VERIFY_INTERRUPTS_DISABLED();
    if (timer.is_pending())
        IntrusiveList<Timer, TimerTag>::remove(timer);
}

void start_timer(Timer& timer, u64 deadline_ns)
{
    arch::InterruptGuard guard;
    start_timer_locked(timer, deadline_ns);
}

void cancel_timer(Timer& timer)
{
    arch::InterruptGuard guard;
    cancel_timer_locked(timer);
}

void init()
{
    initialize(g_boot_thread);
    g_boot_thread.tid = 1;
    g_boot_thread.state = ThreadState::Running;
    g_all_threads.push_back(g_boot_thread);
    arch::set_timer_handler(on_timer_interrupt, nullptr);
    arch::set_interrupt_return_hook(on_interrupt_return);
    arch::set_hang_report_hook(report_threads);
    signals_init();
    arch::timer_init(clock::tsc_hz());
}

void start()
{
    g_started = true;
    g_boot_thread.running_since_ns = clock::monotonic_ns();
    g_slice_end_ns = g_boot_thread.running_since_ns + k_time_slice_ns;
    arm_timer(g_boot_thread.running_since_ns);
    arch::enable_interrupts();
}

Thread& current_thread() { return *g_current; }
size_t thread_count() { return g_threads; }

void yield()
{
    arch::InterruptGuard guard;
    yield_locked();
}

WaitResult block_current_locked(u64 deadline_ns, WakeSource source)
{
    VERIFY_INTERRUPTS_DISABLED();
    Thread& self = *g_current;
    if (!self.kernel && has_deliverable_signals())
        return WaitResult::Interrupted;
    if (self.wake_pending) {
        self.wake_pending = false;
        return WaitResult::Ready;
    }
    if (deadline_ns && deadline_ns <= clock::monotonic_ns())
        return WaitResult::TimedOut;
    bool hopeless = !self.kernel && deadline_ns == 0 && source == WakeSource::ProgramThreads;
    if (hopeless && g_hopeless + 1 == g_threads)
        return WaitResult::Deadlock;
    self.state = ThreadState::Blocked;
    self.timed_out = false;
    if (hopeless) {
        self.hopeless = true;
        ++g_hopeless;
    }
    if (deadline_ns)
        start_timer_locked(self.sleep_timer, deadline_ns);
    schedule_locked();
    self.wake_pending = false;
    if (!self.kernel && has_deliverable_signals())
        return WaitResult::Interrupted;
    return self.timed_out ? WaitResult::TimedOut : WaitResult::Ready;
}

void wake_thread_locked(Thread& thread)
{
    VERIFY_INTERRUPTS_DISABLED();
    if (thread.state == ThreadState::Blocked)
        make_runnable(thread);
    else
        thread.wake_pending = true;
}

Thread* find_thread(int tid)
{
    if (tid == g_current->tid)
        return g_current;
    return g_all_threads.find_first([&](const Thread& t) { return t.tid == tid && t.state != ThreadState::Dead; });
}

void interrupt_thread(Thread& thread)
{
    arch::InterruptGuard guard;
    if (thread.state == ThreadState::Blocked)
        make_runnable(thread);
}

namespace detail {
Thread* first_thread() { return g_all_threads.front(); }
Thread* next_thread(Thread& thread) { return g_all_threads.next(thread); }
}

bool sleep_until(u64 deadline_ns)
{
    arch::InterruptGuard guard;
    while (clock::monotonic_ns() < deadline_ns) {
        g_current->wake_pending = false; // Nothing else can wake a plain sleep.
        if (block_current_locked(deadline_ns, WakeSource::External) == WaitResult::Interrupted)
            return false;
    }
    return true;
}

u64 thread_cpu_time_ns() { return g_current->cpu_time_ns + (clock::monotonic_ns() - g_current->running_since_ns); }
u64 process_cpu_time_ns() { return clock::monotonic_ns() - g_idle_ns; }

void reschedule_now()
{
    arch::InterruptGuard guard;
    g_need_reschedule = false;
    yield_locked();
}

Result<int> create_thread(int (*entry)(void*), void* argument, u64 stack_top, u64 tls, int* clear_child_tid,
    int* parent_tid)
{
    Thread* thread = allocate_thread();
    if (!thread)
        return error(EAGAIN);
    thread->entry = entry;
    thread->entry_argument = argument;
    thread->thread_pointer = tls;
    thread->clear_child_tid = clear_child_tid;
    thread->signal_mask = g_current->signal_mask; // Inherited, as clone() does.
    arch::fpu_init_state(thread->fpu_state);
    thread->saved_stack_pointer = arch::prepare_thread_stack(stack_top, thread_entry, thread);
    arch::InterruptGuard guard;
    ++g_threads;
    start_locked(*thread);
    if (parent_tid)
        *parent_tid = thread->tid;
    return thread->tid;
}

Result<Thread*> create_kernel_thread(void (*entry)(void*), void* argument)
{
    u64 stack_top = TRY(mm::allocate_stack(k_kernel_stack_size, k_kernel_stack_guard));
    Thread* thread = allocate_thread();
    if (!thread) {
        (void)mm::unmap(stack_top - k_kernel_stack_size - k_kernel_stack_guard,
            k_kernel_stack_size + k_kernel_stack_guard);
        return error(ENOMEM);
    }
    thread->kernel = true;
    thread->preempt_disabled = 1;
    thread->thread_pointer = 0;
    thread->kernel_entry = entry;
    thread->entry_argument = argument;
    arch::fpu_init_state(thread->fpu_state);
    thread->saved_stack_pointer = arch::prepare_thread_stack(stack_top, kernel_thread_entry, thread);
    arch::InterruptGuard guard;
    start_locked(*thread);
    return thread;
}

void exit_current_thread(int status)
{
    arch::save_and_disable_interrupts();
    Thread& self = *g_current;
    VERIFY(!self.kernel);
    if (self.robust_list)
        release_robust_futexes(self.robust_list, self.tid);
    release_pi_futexes_locked(self.tid);
    if (self.clear_child_tid) {
        *self.clear_child_tid = 0;
        (void)futex_wake(reinterpret_cast<u64>(self.clear_child_tid), 1, 0xffffffff);
    }
    if (--g_threads == 0)
        arch::machine_exit(status);
    self.state = ThreadState::Dead;
    IntrusiveList<Thread, AllThreadsTag>::remove(self);
    schedule_locked();
    VERIFY_NOT_REACHED();
}

void exit_current_thread_and_unmap(u64 base, u64 size)
{
    arch::save_and_disable_interrupts();
    // The stack being unmapped is the one we run on: finish on the (shared) exit stack, which
    // is safe because interrupts stay off until this thread is gone.
    static UnmapRequest s_request;
    s_request = { base, size };
    arch::call_on_stack(reinterpret_cast<u64>(g_exit_stack + sizeof(g_exit_stack)), unmap_and_exit, &s_request);
}

namespace {
void (*g_exit_hooks[k_max_exit_hooks])();
size_t g_exit_hook_count;
}

void add_exit_hook(void (*hook)())
{
    VERIFY(g_exit_hook_count < k_max_exit_hooks);
    g_exit_hooks[g_exit_hook_count++] = hook;
}

void run_exit_hooks()
{
    for (size_t i = 0; i < g_exit_hook_count; ++i)
        g_exit_hooks[i]();
}

}
