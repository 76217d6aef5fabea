// SPDX-License-Identifier: MIT
// Scheduler, threads and the timer queue, on every CPU.
//
// One run queue under the SchedulerLock serves all CPUs: each takes the first thread there that
// may run on it, so threads move freely between CPUs (a thread's saved state is complete once
// the switch away from it is, and the lock is held across the switch until the thread switched
// to releases it, so no other CPU can pick a thread up half-saved). Each CPU has an idle thread
// that expires timers and halts; a thread made runnable while a CPU it may run on idles sends
// that CPU a reschedule IPI. Each CPU's APIC timer ends its own time slices and is armed for the
// earliest timer of the shared queue too, so whichever CPU gets there first expires it.
#include "sched/scheduler.h"

#include "arch/arch.h"
#include "arch/crash.h"
#include "lib/format.h"
#include "lib/linux/signal.h"
#include "lib/placement_new.h"
#include "lib/string.h"
#include "lib/verify.h"
#include "mm/address_space.h"
#include "mm/frame_allocator.h"
#include "sched/clock.h"
#include "sched/futex.h"
#include "sched/signal.h"

namespace uk::sched {

constinit arch::RecursiveSpinLock g_scheduler_lock { arch::LockRank::Scheduler };
constinit arch::SpinLock g_runtime_lock { arch::LockRank::Runtime };

namespace {

// The thread that boots and runs main(). Constant-initialized: it is in use long before static
// constructors would run.
constinit Thread g_boot_thread;

constexpr u64 k_time_slice_ns = 10'000'000;
constexpr u64 k_refine_interval_ns = 20'000'000;
constexpr u64 k_kernel_stack_size = 64 * 1024;
constexpr u64 k_kernel_stack_guard = 16 * 1024;
constexpr u64 k_exit_stack_size = 16 * 1024;
static_assert(sizeof(Thread) <= k_page_size, "a thread's control block lives in one frame");

// What the scheduler keeps per CPU (arch::this_cpu_slot() points at it).
struct CpuState {
    u32 index = 0;
    bool running = false;   // This CPU runs threads.
    Thread* idle = nullptr; // Its idle thread.
    Thread* reap = nullptr; // A dead thread whose control block is freed once off its stack.
    u64 slice_end_ns = 0;
    u64 online_since_ns = 0;
    u64 idle_ns = 0;        // Time spent halted.
    u64 halted_since_ns = 0; // While halted: since when.
    u64 exit_stack_top = 0; // The stack a thread exits on when it unmaps its own.
    bool slice_armed = false; // Its timer counts the running thread's time slice.
    bool kicked = false;      // Polling idle, it was given work (find_cpu_for_locked).
};
CpuState g_cpu_states[arch::k_max_cpus];

IntrusiveList<Thread> g_run_queue;
size_t g_run_queue_length; // Changed under the lock; read without it by yield().

void enqueue_locked(Thread& thread)
{
    g_run_queue.push_back(thread);
    __atomic_store_n(&g_run_queue_length, g_run_queue_length + 1, __ATOMIC_RELAXED);
}

void dequeue_locked(Thread& thread)
{
    IntrusiveList<Thread>::remove(thread);
    __atomic_store_n(&g_run_queue_length, g_run_queue_length - 1, __ATOMIC_RELAXED);
}
IntrusiveList<Timer, TimerTag> g_timers; // Sorted by deadline.
IntrusiveList<Thread, AllThreadsTag> g_all_threads;
size_t g_threads = 1;  // Program threads alive.
size_t g_hopeless;     // Program threads blocked with Thread::hopeless set.
int g_next_tid = 2;
bool g_started;
u64 g_running_cpus = 1; // CPUs that run threads, one bit each.
size_t g_running_count = 1;
u64 g_halted_cpus;      // CPUs halted in their idle loop, waiting for an IPI or their timer.
u64 g_polling_cpus;     // Idle CPUs that poll for work a while before they halt.
// How long an idle CPU polls before it halts, when other CPUs could give it work: waking a
// halted vCPU costs the host a thread wake-up, which for a thread woken right after it slept
// (a lock handed over, a reply) is most of the cost. Linux's guest halt-polling does the same.
constexpr u64 k_idle_poll_ns = 100'000;

CpuState& this_cpu_state() { return *static_cast<CpuState*>(arch::this_cpu_slot()); }
u64 cpu_bit(u32 index) { return 1ull << index; }

void reap(CpuState& cpu)
{
    if (Thread* dead = cpu.reap) {
        cpu.reap = nullptr;
        if (dead != &g_boot_thread) {
            mm::free_frame(reinterpret_cast<u64>(dead));
            mm::uncommit(1);
        }
    }
}

void arm_timer_locked(u64 now);

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

// The first queued thread that may run on CPU `index`, or null.
Thread* first_runnable_for(u32 index)
{
    u64 bit = cpu_bit(index);
    for (Thread* t = g_run_queue.front(); t; t = g_run_queue.next(*t))
        if (t->affinity & bit)
            return t;
    return nullptr;
}

u32 lowest_cpu(u64 mask) { return static_cast<u32>(__builtin_ctzll(mask)); }

// `thread` was just queued: make sure a CPU it may run on looks at the queue soon. An idle one is
// woken. Otherwise this CPU, if the thread may run here, preempts a device's interrupted program
// (I/O completes promptly), and every busy CPU the thread may run on counts its time slice (the
// others are sent an IPI for that if their timers do not count one yet).
void find_cpu_for_locked(Thread& thread)
{
    u32 here = arch::this_cpu();
    u64 allowed = thread.affinity & g_running_cpus;
    if (u64 polling = g_polling_cpus & allowed) {
        // A polling CPU (this one, if an interrupt came while it polled) sees its flag at once.
        u32 target = polling & cpu_bit(here) ? here : lowest_cpu(polling);
        g_polling_cpus &= ~cpu_bit(target);
        __atomic_store_n(&g_cpu_states[target].kicked, true, __ATOMIC_RELEASE);
        return;
    }
    if (u64 halted = g_halted_cpus & allowed) {
        if (halted & cpu_bit(here))
            return; // This CPU is idle (a device interrupt woke it): its idle loop looks next.
        u32 target = lowest_cpu(halted);
        g_halted_cpus &= ~cpu_bit(target); // One IPI is enough to wake it.
        arch::send_reschedule(target);
        return;
    }
    if (!g_started)
        return;
    if (allowed & cpu_bit(here)) {
        if (arch::in_interrupt())
            current()->need_reschedule = true;
        if (!this_cpu_state().slice_armed)
            arm_timer_locked(clock::monotonic_ns());
    }
    for (u64 others = allowed & ~cpu_bit(here); others; others &= others - 1) {
        u32 index = lowest_cpu(others);
        if (!g_cpu_states[index].slice_armed) {
            g_cpu_states[index].slice_armed = true; // Asked once.
            arch::send_reschedule(index);
        }
    }
}

// Queues a thread to run.
void make_runnable(Thread& thread)
{
    VERIFY_SCHEDULER_LOCKED();
    cancel_timer_locked(thread.sleep_timer);
    if (thread.hopeless) {
        thread.hopeless = false;
        --g_hopeless;
    }
    thread.state = ThreadState::Runnable;
    enqueue_locked(thread);
    find_cpu_for_locked(thread);
}

void expire_timers_locked(u64 now)
{
    VERIFY_SCHEDULER_LOCKED();
    while (Timer* t = g_timers.front()) {
        if (t->deadline_ns > now)
            break;
        IntrusiveList<Timer, TimerTag>::remove(*t);
        t->expire(*t);
    }
}

// Arms this CPU's timer for the earliest of: the first timer of the queue, the end of the running
// thread's slice when something else waits to run, the next calibration sample (boot CPU only).
void arm_timer_locked(u64 now)
{
    VERIFY_SCHEDULER_LOCKED();
    CpuState& cpu = this_cpu_state();
    u64 deadline = 0;
    if (Timer* t = g_timers.front())
        deadline = t->deadline_ns;
    cpu.slice_armed = !current()->idle && !g_run_queue.empty();
    if (cpu.slice_armed && (deadline == 0 || cpu.slice_end_ns < deadline))
        deadline = cpu.slice_end_ns > now ? cpu.slice_end_ns : now + k_time_slice_ns;
    if (cpu.index == 0 && clock::refining() && (deadline == 0 || deadline > now + k_refine_interval_ns))
        deadline = now + k_refine_interval_ns;
    // On every switch: arch::timer_arm keeps an earlier armed deadline instead of reprogramming
    // (its interrupt then comes early, and on_timer_interrupt does only what is due and arms again).
    arch::timer_arm(deadline ? clock::tsc_at_monotonic_ns(deadline) : 0);
}

void list_threads_locked();

[[noreturn]] void report_deadlock()
{
    printk("uk: deadlock: all %zu threads are blocked and no timer or device can wake them\n", g_threads);
    list_threads_locked();
    crash_here(k_sigabrt, "deadlock");
}

// Runs `next` on this CPU in place of `previous` (the current thread). The SchedulerLock is held,
// and stays held across the switch: the thread switched to releases it.
void switch_to_locked(Thread* previous, Thread* next)
{
    CpuState& cpu = this_cpu_state();
    u64 now = clock::monotonic_ns();
    cpu.slice_end_ns = now + k_time_slice_ns;
    if (next == previous) {
        previous->state = ThreadState::Running;
        arm_timer_locked(now);
        return;
    }
    if (previous->state == ThreadState::Running)
        previous->state = ThreadState::Runnable; // An idle thread giving way (never queued).
    previous->cpu_time_ns += now - previous->running_since_ns;
    previous->need_reschedule = false;
    next->running_since_ns = now;
    next->state = ThreadState::Running;
    next->cpu = cpu.index;
    arch::set_this_cpu_current(next);
    arm_timer_locked(now);
    if (previous->state != ThreadState::Dead)
        previous->thread_pointer = arch::thread_pointer();
    arch::set_thread_pointer(next->thread_pointer);
    previous->scheduler_depth = g_scheduler_lock.depth();
    g_scheduler_lock.set_depth(next->scheduler_depth);
    if (previous->state == ThreadState::Dead) {
        // A thread that died earlier on this CPU may still wait to be freed: the thread it
        // switched to had never run, so nothing has freed it yet (only a switch that returns
        // does). Freed now, before its slot is taken, so that threads exiting one after the other
        // leak nothing.
        reap(cpu);
        cpu.reap = previous;
        u64 discard;
        arch::fpu_restore(next->fpu_state);
        arch::switch_context(&discard, next->saved_stack_pointer);
        VERIFY_NOT_REACHED();
    }
    arch::fpu_save(previous->fpu_state);
    arch::fpu_restore(next->fpu_state);
    arch::switch_context(&previous->saved_stack_pointer, next->saved_stack_pointer);
    // Back on `previous`'s stack, perhaps on another CPU.
    reap(this_cpu_state());
}

// Switches to the next thread that may run on this CPU, its idle thread if there is none (or
// keeps the current thread when it is still running and nothing else may run).
void schedule_locked()
{
    VERIFY_SCHEDULER_LOCKED();
    CpuState& cpu = this_cpu_state();
    Thread* previous = current();
    Thread* next = first_runnable_for(cpu.index);
    if (next)
        dequeue_locked(*next);
    else if (previous->state == ThreadState::Running)
        next = previous;
    else
        next = cpu.idle;
    switch_to_locked(previous, next);
}

// Gives the RuntimeLock up for a switch (a sleep, a yield) and takes it back afterwards. The
// SchedulerLock comes after it in the lock order, so it is dropped (whatever its depth) while the
// RuntimeLock is awaited, with interrupts enabled: the thread is runtime code, not preemptible.
class RuntimeLockRelease {
public:
    RuntimeLockRelease() : m_held(g_runtime_lock.is_held_here())
    {
        if (m_held)
            g_runtime_lock.unlock();
    }
    ~RuntimeLockRelease()
    {
        if (!m_held)
            return;
        u32 depth = g_scheduler_lock.depth();
        g_scheduler_lock.set_depth(1);
        g_scheduler_lock.unlock();
        arch::enable_interrupts();
        g_runtime_lock.lock();
        arch::save_and_disable_interrupts();
        g_scheduler_lock.lock();
        g_scheduler_lock.set_depth(depth);
    }
    RuntimeLockRelease(const RuntimeLockRelease&) = delete;
    RuntimeLockRelease& operator=(const RuntimeLockRelease&) = delete;

private:
    bool m_held;
};

// In a debug build: a thread that gives up its CPU holds no lock but these two (the RuntimeLock is
// about to be released, the SchedulerLock passes to the next thread).
void verify_only_scheduler_locks()
{
#ifdef UKSDK_RUNTIME_DEBUG
    u32 allowed = (1u << static_cast<u32>(arch::LockRank::Runtime)) | (1u << static_cast<u32>(arch::LockRank::Scheduler));
    VERIFY((arch::this_cpu_held_locks() & ~allowed) == 0);
#endif
}

void yield_locked()
{
    Thread& self = *current();
    bool allowed_here = self.affinity & cpu_bit(arch::this_cpu());
    if (!first_runnable_for(arch::this_cpu()) && allowed_here)
        return;
    verify_only_scheduler_locks();
    RuntimeLockRelease release;
    self.state = ThreadState::Runnable;
    enqueue_locked(self);
    if (!allowed_here)
        find_cpu_for_locked(self);
    schedule_locked();
}

// The reschedule IPI: an idle CPU wakes (its loop looks at the run queue); a busy one counts its
// time slice now that something waits, and lets go of a thread no longer allowed on it.
void on_reschedule(void*)
{
    SchedulerGuard guard;
    Thread* self = current();
    if (self->idle || !(self->affinity & cpu_bit(arch::this_cpu())))
        self->need_reschedule = true;
    arm_timer_locked(clock::monotonic_ns());
}

void on_timer_interrupt(void*)
{
    SchedulerGuard guard;
    CpuState& cpu = this_cpu_state();
    if (cpu.index == 0)
        clock::refine_calibration();
    u64 now = clock::monotonic_ns();
    expire_timers_locked(now);
    Thread* self = current();
    if (!self->idle && now >= cpu.slice_end_ns && self->state == ThreadState::Running
        && first_runnable_for(cpu.index))
        self->need_reschedule = true;
    arm_timer_locked(now);
}

// The end of every interrupt: program code gives way to a thread that is due (time slice over, or
// woken by the interrupt); runtime code does so when it leaves the runtime (~PreemptGuard). Program
// code then gets its deliverable signals, whether or not it ever enters the runtime.
void on_interrupt_return(arch::TrapFrame& frame)
{
    Thread* self = current();
    if (self->preempt_disabled != 0 || self->state != ThreadState::Running)
        return;
    if (self->need_reschedule) {
        SchedulerGuard guard;
        self->need_reschedule = false;
        yield_locked();
    }
    if (!self->kernel && has_deliverable_signals())
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

// A thread's first run starts here, on the stack of the switch to it: the SchedulerLock is held
// (at depth 1) and interrupts are disabled.
void finish_first_switch()
{
    reap(this_cpu_state());
    g_scheduler_lock.unlock();
    arch::enable_interrupts();
}

void thread_entry(void* raw)
{
    Thread& self = *static_cast<Thread*>(raw);
    finish_first_switch();
    int status = self.entry(self.entry_argument);
    exit_current_thread(status);
}

// Kernel threads run runtime code: they hold the RuntimeLock whenever they run.
void kernel_thread_entry(void* raw)
{
    Thread& self = *static_cast<Thread*>(raw);
    finish_first_switch();
    if (arch::cpus_online() > 1) // As RuntimeGuard decides.
        g_runtime_lock.lock();
    self.kernel_entry(self.entry_argument);
    VERIFY_NOT_REACHED(); // Kernel threads never end.
}

void account_idle(CpuState& cpu)
{
    cpu.idle_ns += clock::monotonic_ns() - cpu.halted_since_ns;
    cpu.halted_since_ns = 0;
}

// Polls (with the SchedulerLock released and interrupts enabled) until another CPU gives this one
// work or k_idle_poll_ns pass; true if it was given work. Entered and left with the lock held.
bool poll_for_work(CpuState& cpu, u64 now)
{
    g_polling_cpus |= cpu_bit(cpu.index);
    cpu.kicked = false;
    g_scheduler_lock.unlock();
    arch::enable_interrupts();
    u64 until = now + k_idle_poll_ns;
    while (!__atomic_load_n(&cpu.kicked, __ATOMIC_ACQUIRE) && clock::monotonic_ns() < until)
        arch::spin_wait();
    arch::save_and_disable_interrupts();
    g_scheduler_lock.lock();
    if (!(g_polling_cpus & cpu_bit(cpu.index)))
        return true; // Kicked: the flag was set and the bit cleared under the lock.
    g_polling_cpus &= ~cpu_bit(cpu.index);
    return false;
}

// A CPU's idle thread: runs what the queue has for this CPU, expires timers, reports a deadlock
// when every program thread waits for another, and otherwise halts until an interrupt (its timer,
// a device, a reschedule IPI). Entered with the SchedulerLock held and interrupts disabled.
[[noreturn]] void idle_loop()
{
    CpuState& cpu = this_cpu_state(); // An idle thread never leaves its CPU.
    Thread& self = *current();
    for (;;) {
        self.need_reschedule = false;
        if (first_runnable_for(cpu.index)) {
            arch::leave_idle_tlb_mode(); // The thread may run program code at once.
            schedule_locked();
            continue;
        }
        u64 now = clock::monotonic_ns();
        expire_timers_locked(now);
        if (first_runnable_for(cpu.index))
            continue;
        if (g_threads > 0 && g_hopeless == g_threads)
            report_deadlock();
        arm_timer_locked(now);
        cpu.halted_since_ns = now;
        arch::enter_idle_tlb_mode();
        if (g_running_count > 1 && poll_for_work(cpu, now)) {
            account_idle(cpu);
            continue;
        }
        g_halted_cpus |= cpu_bit(cpu.index);
        g_scheduler_lock.unlock();
        // With interrupts still disabled: a wake-up between the unlock and the halt leaves its
        // IPI pending, and "sti; hlt" takes it.
        arch::wait_for_interrupt();
        g_scheduler_lock.lock();
        g_halted_cpus &= ~cpu_bit(cpu.index);
        account_idle(cpu);
    }
}

void idle_entry(void*)
{
    reap(this_cpu_state());
    idle_loop();
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

// A stack for runtime code, present throughout: it is used with locks held and interrupts
// disabled, where no page may fault.
Result<u64> allocate_runtime_stack(u64 size, u64 guard)
{
    u64 top = TRY(mm::allocate_stack(size, guard));
    if (auto populated = mm::populate(top - size, top); populated.is_error()) {
        (void)mm::unmap(top - size - guard, size + guard);
        return error(ENOMEM);
    }
    return top;
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

int next_tid() { return __atomic_fetch_add(&g_next_tid, 1, __ATOMIC_RELAXED); }

// Makes `thread`, whose tid is set, known and queues it to run.
void start_locked(Thread& thread)
{
    g_all_threads.push_back(thread);
    thread.state = ThreadState::Blocked; // make_runnable() queues it and arms the time slice.
    make_runnable(thread);
}

} // namespace

// A CPU's record and idle thread. The boot CPU's idle thread gets a stack of its own (the boot
// thread becomes main); an application processor's runs on the stack it started on.
static Result<void> prepare_cpu(u32 index, bool own_stack)
{
    CpuState& cpu = g_cpu_states[index];
    cpu.index = index;
    Thread* idle = allocate_thread();
    if (!idle)
        return error(ENOMEM);
    idle->kernel = true;
    idle->idle = true;
    idle->preempt_disabled = 1;
    idle->affinity = cpu_bit(index);
    idle->cpu = index;
    idle->tid = 0;
    arch::fpu_init_state(idle->fpu_state);
    idle->stack_ready_low = 0; // Runtime stacks are present throughout.
    idle->stack_ready_high = ~0ull;
    if (own_stack) {
        u64 top = TRY(allocate_runtime_stack(k_kernel_stack_size, k_kernel_stack_guard));
        idle->saved_stack_pointer = arch::prepare_thread_stack(top, idle_entry, nullptr);
    }
    cpu.exit_stack_top = TRY(allocate_runtime_stack(k_exit_stack_size, k_page_size));
    cpu.idle = idle;
    return {};
}

Result<void> prepare_application_processor(u32 index) { return prepare_cpu(index, false); }

namespace {

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

void list_threads_locked()
{
    g_all_threads.for_each([&](Thread& t) {
        printk("uk: thread %d%s: %s%s\n", t.tid, t.kernel ? " (kernel)" : "", state_name(t),
            &t == current() ? " (this one)" : "");
        if (t.state == ThreadState::Running)
            return;
        auto* frame = reinterpret_cast<const u64*>(t.saved_stack_pointer);
        if (frame && arch::is_mapped(t.saved_stack_pointer) && arch::is_mapped(t.saved_stack_pointer + 48))
            print_backtrace(frame[6], frame[5]);
    });
}

// The threads at a hang report: where each one stopped (a thread running on another CPU: where
// the report's NMI found it; else its saved switch frame, which holds the frame pointer and the
// return address into the scheduler's caller).
void report_threads(const arch::TrapFrame&)
{
    printk("uk: threads: %zu program thread(s), %zu blocked with no way out\n", g_threads, g_hopeless);
    if (g_running_count > 1 || g_scheduler_lock.owner() || g_runtime_lock.owner()) {
        // owner(): the holding CPU's index + 1, 0 for none.
        char scheduler_owner[16] = "none", runtime_owner[16] = "none";
        if (u32 owner = g_scheduler_lock.owner())
            format(scheduler_owner, sizeof scheduler_owner, "CPU %u", owner - 1);
        if (u32 owner = g_runtime_lock.owner())
            format(runtime_owner, sizeof runtime_owner, "CPU %u", owner - 1);
        printk("uk: SchedulerLock held by %s, RuntimeLock by %s; halted CPUs 0x%lx\n", scheduler_owner, runtime_owner,
            g_halted_cpus);
    }
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
    u32 here = arch::this_cpu();
    if (g_running_count > 1) {
        for (u32 index = 0; index < arch::k_max_cpus; ++index) {
            if (!(g_running_cpus & cpu_bit(index)) || index == here)
                continue;
            const arch::TrapFrame* frame = arch::stopped_cpu_frame(index);
            printk("uk: CPU %u: %s\n", index, frame ? "stopped by the report; its interrupted code:" : "did not stop");
            if (frame) {
                arch::dump_stopped_cpu_registers(index);
                print_backtrace(arch::trap_pc(*frame), arch::trap_frame_pointer(*frame));
            }
        }
    }
    g_all_threads.for_each([&](Thread& t) {
        bool running_elsewhere = t.state == ThreadState::Running && t.cpu != here;
        // A program thread by its name (prctl's PR_SET_NAME, pthread_setname_np).
        char label[24];
        if (t.kernel)
            copy_string(label, sizeof(label), " (kernel)");
        else
            format(label, sizeof(label), " \"%s\"", t.name); // name[15] is always 0
        if (g_running_count > 1 && t.state == ThreadState::Running)
            printk("uk: thread %d%s: %s on CPU %u%s\n", t.tid, label, state_name(t), t.cpu,
                running_elsewhere ? " (see that CPU above)" : "");
        else
            printk("uk: thread %d%s: %s\n", t.tid, label, state_name(t));
        if (t.state == ThreadState::Running)
            return; // Its state is the interrupted code above.
        auto* frame = reinterpret_cast<const u64*>(t.saved_stack_pointer);
        if (frame && arch::is_mapped(t.saved_stack_pointer) && arch::is_mapped(t.saved_stack_pointer + 48))
            print_backtrace(frame[6], frame[5]);
    });
}

} // namespace

void report_deadlock_threads()
{
    SchedulerGuard guard;
    printk("uk: the threads, each waiting for another:\n");
    list_threads_locked();
}

void start_timer_locked(Timer& timer, u64 deadline_ns)
{
    VERIFY_SCHEDULER_LOCKED();
    if (timer.is_pending())
        IntrusiveList<Timer, TimerTag>::remove(timer);
    timer.deadline_ns = deadline_ns;
    bool earliest = !g_timers.front() || deadline_ns < g_timers.front()->deadline_ns;
    insert_timer(timer);
    if (earliest && g_started)
        arm_timer_locked(clock::monotonic_ns());
}

void cancel_timer_locked(Timer& timer)
{
    VERIFY_SCHEDULER_LOCKED();
    if (timer.is_pending())
        IntrusiveList<Timer, TimerTag>::remove(timer);
}

void start_timer(Timer& timer, u64 deadline_ns)
{
    SchedulerGuard guard;
    start_timer_locked(timer, deadline_ns);
}

void cancel_timer(Timer& timer)
{
    SchedulerGuard guard;
    cancel_timer_locked(timer);
}

void stack_range_released(u64 start, u64 end);

void early_init()
{
    arch::set_this_cpu_slot(&g_cpu_states[0]);
    arch::set_this_cpu_current(&g_boot_thread);
}

void init()
{
    CpuState& cpu = g_cpu_states[0];
    early_init();
    initialize(g_boot_thread);
    g_boot_thread.tid = 1;
    g_boot_thread.state = ThreadState::Running;
    g_all_threads.push_back(g_boot_thread);
    VERIFY(!prepare_cpu(0, true).is_error());
    cpu.running = true;
    arch::set_timer_handler(on_timer_interrupt, nullptr);
    arch::set_reschedule_handler(on_reschedule);
    arch::set_interrupt_return_hook(on_interrupt_return);
    arch::set_hang_report_hook(report_threads);
    mm::set_release_listener(stack_range_released);
    signals_init();
    arch::timer_init(clock::tsc_hz());
}

void start()
{
    CpuState& cpu = this_cpu_state();
    g_started = true;
    g_boot_thread.running_since_ns = clock::monotonic_ns();
    cpu.online_since_ns = g_boot_thread.running_since_ns;
    cpu.slice_end_ns = g_boot_thread.running_since_ns + k_time_slice_ns;
    {
        SchedulerGuard guard;
        arm_timer_locked(g_boot_thread.running_since_ns);
    }
    arch::enable_interrupts();
}

void run_application_processor(u32 index)
{
    CpuState& cpu = g_cpu_states[index];
    arch::set_this_cpu_slot(&cpu);
    Thread* idle = cpu.idle;
    VERIFY(idle);
    idle->state = ThreadState::Running;
    arch::set_this_cpu_current(idle);
    arch::save_and_disable_interrupts();
    g_scheduler_lock.lock();
    idle->running_since_ns = clock::monotonic_ns();
    cpu.online_since_ns = idle->running_since_ns;
    cpu.running = true;
    g_running_cpus |= cpu_bit(index);
    ++g_running_count;
    idle_loop();
}

size_t cpus_running() { return __atomic_load_n(&g_running_count, __ATOMIC_RELAXED); }
u64 running_cpus_mask() { return __atomic_load_n(&g_running_cpus, __ATOMIC_RELAXED); }
u32 current_cpu() { return arch::this_cpu(); }

Thread& current_thread() { return *current(); }
size_t thread_count() { return g_threads; }

Result<void> set_affinity(int tid, u64 mask)
{
    SchedulerGuard guard;
    Thread* thread = tid == 0 ? current() : find_thread(tid);
    if (!thread || thread->kernel)
        return error(ESRCH);
    if (!(mask & g_running_cpus))
        return error(EINVAL);
    thread->affinity = mask;
    if (thread == current()) {
        if (!(mask & cpu_bit(arch::this_cpu())))
            yield_locked(); // Moves to a CPU it may run on.
    } else if (thread->state == ThreadState::Running && !(mask & cpu_bit(thread->cpu))) {
        arch::send_reschedule(thread->cpu); // Its CPU lets it go at the next preemption point.
    }
    return {};
}

Result<u64> affinity(int tid)
{
    SchedulerGuard guard;
    Thread* thread = tid == 0 ? current() : find_thread(tid);
    if (!thread || thread->kernel)
        return error(ESRCH);
    return thread->affinity & g_running_cpus;
}

void yield()
{
    // Nothing else to run (the common sched_yield): no need for the lock. A thread queued just
    // now runs when this one's slice ends, as if the yield had come a moment earlier.
    if (__atomic_load_n(&g_run_queue_length, __ATOMIC_RELAXED) == 0 && (current()->affinity & cpu_bit(arch::this_cpu())))
        return;
    SchedulerGuard guard;
    yield_locked();
}

WaitResult block_current_locked(u64 deadline_ns, WakeSource source)
{
    VERIFY_SCHEDULER_LOCKED();
    Thread& self = *current();
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
    verify_only_scheduler_locks();
    {
        RuntimeLockRelease release;
        schedule_locked();
        self.wake_pending = false;
    }
    if (!self.kernel && has_deliverable_signals())
        return WaitResult::Interrupted;
    return self.timed_out ? WaitResult::TimedOut : WaitResult::Ready;
}

void wake_thread_locked(Thread& thread)
{
    VERIFY_SCHEDULER_LOCKED();
    if (thread.state == ThreadState::Blocked)
        make_runnable(thread);
    else
        thread.wake_pending = true;
}

Thread* find_thread(int tid)
{
    if (tid == current()->tid)
        return current();
    SchedulerGuard guard;
    return g_all_threads.find_first([&](const Thread& t) { return t.tid == tid && t.state != ThreadState::Dead; });
}

void interrupt_thread(Thread& thread)
{
    SchedulerGuard guard;
    if (thread.state == ThreadState::Blocked)
        make_runnable(thread);
    else if (thread.state == ThreadState::Running && &thread != current())
        arch::send_reschedule(thread.cpu); // Its interrupt return delivers the signal.
}

namespace detail {
Thread* first_thread() { return g_all_threads.front(); }
Thread* next_thread(Thread& thread) { return g_all_threads.next(thread); }
}

bool sleep_until(u64 deadline_ns)
{
    SchedulerGuard guard;
    while (clock::monotonic_ns() < deadline_ns) {
        current()->wake_pending = false; // Nothing else can wake a plain sleep.
        if (block_current_locked(deadline_ns, WakeSource::External) == WaitResult::Interrupted)
            return false;
    }
    return true;
}

u64 thread_cpu_time_ns()
{
    Thread& self = *current();
    return self.cpu_time_ns + (clock::monotonic_ns() - self.running_since_ns);
}

// Time every CPU spent not halted since it started running threads.
u64 process_cpu_time_ns()
{
    u64 now = clock::monotonic_ns();
    u64 total = 0;
    for (const CpuState& cpu : g_cpu_states) {
        if (!cpu.running)
            continue;
        u64 halted = __atomic_load_n(&cpu.halted_since_ns, __ATOMIC_RELAXED);
        u64 idle = cpu.idle_ns + (halted && halted < now ? now - halted : 0);
        u64 up = now - cpu.online_since_ns;
        total += up > idle ? up - idle : 0;
    }
    return total;
}

void prepare_stack(Thread& thread, u64 stack_pointer, u64 reserve)
{
    u64 low = stack_pointer - reserve;
    u64 high = stack_pointer;
    if (low <= thread.stack_ready_high && high >= thread.stack_ready_low) {
        // The same stack, deeper or shallower than before: probe what is new, keep both.
        if (low < thread.stack_ready_low)
            arch::probe_stack(low, thread.stack_ready_low);
        if (high > thread.stack_ready_high)
            arch::probe_stack(thread.stack_ready_high, high);
        thread.stack_ready_low = low < thread.stack_ready_low ? low : thread.stack_ready_low;
        thread.stack_ready_high = high > thread.stack_ready_high ? high : thread.stack_ready_high;
        return;
    }
    arch::probe_stack(low, high); // Another stack (or the first time).
    thread.stack_ready_low = low;
    thread.stack_ready_high = high;
}

void stack_range_released(u64 start, u64 end)
{
    // MADV_DONTNEED took pages away: a thread whose stack they were probes again.
    SchedulerGuard guard;
    g_all_threads.for_each([&](Thread& t) {
        if (!t.kernel && t.stack_ready_low < end && start < t.stack_ready_high)
            t.stack_ready_low = t.stack_ready_high = 0;
    });
}

void reschedule_now()
{
    SchedulerGuard guard;
    current()->need_reschedule = false;
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
    thread->signal_mask = current()->signal_mask; // Inherited, as clone() does.
    thread->affinity = current()->affinity;
    copy_bytes(thread->name, current()->name, sizeof(thread->name));
    arch::fpu_init_state(thread->fpu_state);
    // The thread's first steps run with the SchedulerLock held (finish_first_switch): its stack
    // must be present below the top first (musl wrote its start arguments there already).
    arch::probe_stack(stack_top - k_shallow_stack_reserve, stack_top);
    thread->stack_ready_low = stack_top - k_shallow_stack_reserve;
    thread->stack_ready_high = stack_top;
    thread->saved_stack_pointer = arch::prepare_thread_stack(stack_top, thread_entry, thread);
    // CLONE_PARENT_SETTID: the tid is in place before the thread can run (on another CPU, at
    // once): musl's thread reads it from its pthread struct (its thread-list lock holds it).
    int tid = next_tid();
    thread->tid = tid;
    if (parent_tid)
        *parent_tid = tid;
    SchedulerGuard guard;
    ++g_threads;
    start_locked(*thread);
    return tid;
}

void set_thread_name(Thread& thread, const char* name)
{
    size_t length = 0;
    while (length < sizeof(thread.name) - 1 && name[length])
        ++length;
    copy_bytes(thread.name, name, length);
    fill_bytes(thread.name + length, 0, sizeof(thread.name) - length);
}

Result<Thread*> create_kernel_thread(void (*entry)(void*), void* argument)
{
    u64 stack_top = TRY(allocate_runtime_stack(k_kernel_stack_size, k_kernel_stack_guard));
    Thread* thread = allocate_thread();
    if (!thread) {
        (void)mm::unmap(stack_top - k_kernel_stack_size - k_kernel_stack_guard,
            k_kernel_stack_size + k_kernel_stack_guard);
        return error(ENOMEM);
    }
    thread->kernel = true;
    thread->preempt_disabled = 1;
    thread->stack_ready_low = 0; // Runtime stacks are present throughout.
    thread->stack_ready_high = ~0ull;
    thread->thread_pointer = 0;
    thread->kernel_entry = entry;
    thread->entry_argument = argument;
    arch::fpu_init_state(thread->fpu_state);
    thread->saved_stack_pointer = arch::prepare_thread_stack(stack_top, kernel_thread_entry, thread);
    thread->tid = next_tid();
    SchedulerGuard guard;
    start_locked(*thread);
    return thread;
}

namespace {

// The end of a thread, on its CPU's exit stack with interrupts disabled (so it stays on this CPU,
// the only user of that stack meanwhile). Its own stack is not touched from the moment the
// clear-child-tid word is cleared: the thread that joins it may run on another CPU at once and
// free the stack (musl's pthread struct, robust list head included, lives there too).
[[noreturn]] void finish_exit(void* raw)
{
    int status = static_cast<int>(reinterpret_cast<intptr_t>(raw));
    Thread& self = *current();
    // Program memory is touched before the SchedulerLock is taken (a page fault must not happen
    // under it).
    if (self.robust_list)
        release_robust_futexes(self.robust_list, self.tid);
    if (self.clear_child_tid) {
        *self.clear_child_tid = 0;
        (void)futex_wake(reinterpret_cast<u64>(self.clear_child_tid), 1, 0xffffffff);
    }
    g_scheduler_lock.lock();
    release_pi_futexes_locked(self.tid);
    if (--g_threads == 0) {
        g_scheduler_lock.unlock();
        arch::machine_exit(status);
    }
    if (g_runtime_lock.is_held_here())
        g_runtime_lock.unlock();
    self.state = ThreadState::Dead;
    IntrusiveList<Thread, AllThreadsTag>::remove(self);
    verify_only_scheduler_locks();
    schedule_locked();
    VERIFY_NOT_REACHED();
}

bool on_exit_stack(const CpuState& cpu)
{
    u64 sp = arch::stack_pointer();
    return sp < cpu.exit_stack_top && sp >= cpu.exit_stack_top - k_exit_stack_size;
}

} // namespace

void exit_current_thread(int status)
{
    arch::save_and_disable_interrupts();
    VERIFY(!current()->kernel);
    CpuState& cpu = this_cpu_state();
    void* argument = reinterpret_cast<void*>(static_cast<intptr_t>(status));
    if (on_exit_stack(cpu))
        finish_exit(argument); // exit_current_thread_and_unmap() brought it here.
    arch::call_on_stack(cpu.exit_stack_top, finish_exit, argument);
}

void exit_current_thread_and_unmap(u64 base, u64 size)
{
    arch::save_and_disable_interrupts();
    // The stack being unmapped is the one we run on: finish on this CPU's exit stack.
    CpuState& cpu = this_cpu_state();
    u64 top = cpu.exit_stack_top;
    // The request is copied onto the exit stack: this stack is about to go.
    auto* request = reinterpret_cast<UnmapRequest*>(top - sizeof(UnmapRequest));
    *request = { base, size };
    arch::call_on_stack(top - 64, unmap_and_exit, request);
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
