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

namespace uk::sched {

namespace {
Thread g_boot_thread; // The thread that boots and runs main().
}
Thread* g_current_thread = &g_boot_thread;
bool g_reschedule_pending;

namespace {

// Short names for the two globals the inline PreemptGuard also uses.
Thread*& g_current = g_current_thread;
bool& g_need_reschedule = g_reschedule_pending;

constexpr u64 k_time_slice_ns = 10'000'000;
constexpr u64 k_refine_interval_ns = 20'000'000;
static_assert(sizeof(Thread) <= k_page_size, "a thread's control block lives in one frame");

IntrusiveList<Thread> g_run_queue;
IntrusiveList<Thread, TimerTag> g_timers; // Sorted by deadline.
IntrusiveList<Thread, AllThreadsTag> g_all_threads;
size_t g_threads = 1;
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

void add_timer(Thread& thread)
{
    Thread* later = g_timers.find_first([&](const Thread& t) { return t.deadline_ns > thread.deadline_ns; });
    if (later)
        g_timers.insert_before(*later, thread);
    else
        g_timers.push_back(thread);
}

void remove_timer(Thread& thread)
{
    if (static_cast<ListLink<TimerTag>&>(thread).is_linked())
        IntrusiveList<Thread, TimerTag>::remove(thread);
}

void arm_timer(u64 now);

// Queues a thread to run. The timer is re-armed: if the run queue was empty, no time-slice end
// was pending, and a running thread that never blocks would otherwise keep the CPU forever.
void make_runnable(Thread& thread)
{
    remove_timer(thread);
    if (thread.sleeping_on) {
        IntrusiveList<Thread>::remove(thread);
        thread.sleeping_on = nullptr;
    }
    thread.state = ThreadState::Runnable;
    bool was_empty = g_run_queue.empty();
    g_run_queue.push_back(thread);
    if (was_empty && g_started)
        arm_timer(clock::monotonic_ns());
}

void expire_timers(u64 now)
{
    while (Thread* t = g_timers.front()) {
        if (t->deadline_ns > now)
            break;
        t->timed_out = true;
        make_runnable(*t);
    }
}

void arm_timer(u64 now)
{
    u64 deadline = 0;
    if (Thread* t = g_timers.front())
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
        if (g_timers.empty())
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

void on_timer_interrupt(u8)
{
    arch::end_of_interrupt();
    clock::refine_calibration();
    u64 now = clock::monotonic_ns();
    expire_timers(now);
    bool slice_over = now >= g_slice_end_ns;
    if (!g_run_queue.empty() && slice_over && g_current->state == ThreadState::Running) {
        if (g_current->preempt_disabled) {
            g_need_reschedule = true;
        } else {
            yield_locked();
            return;
        }
    }
    arm_timer(now);
}

int thread_main(void* raw)
{
    Thread& self = *static_cast<Thread*>(raw);
    arch::enable_interrupts();
    int status = self.entry(self.entry_argument);
    exit_current_thread(status);
}

void thread_entry(void* raw) { thread_main(raw); }

struct UnmapRequest {
    u64 base, size;
};

void unmap_and_exit(void* raw)
{
    auto* request = static_cast<UnmapRequest*>(raw);
    (void)mm::unmap(request->base, request->size);
    exit_current_thread(0);
}

} // namespace

void init()
{
    g_boot_thread.tid = 1;
    g_boot_thread.state = ThreadState::Running;
    g_all_threads.push_back(g_boot_thread);
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

void handle_timer_interrupt(u8 vector) { on_timer_interrupt(vector); }

Thread& current_thread() { return *g_current; }
size_t thread_count() { return g_threads; }

void yield()
{
    arch::InterruptGuard guard;
    yield_locked();
}

WaitResult block_current_locked(IntrusiveList<Thread>& list, u64 deadline_ns)
{
    Thread& self = *g_current;
    if (self.interrupted) {
        self.interrupted = false;
        return WaitResult::Interrupted;
    }
    if (deadline_ns == 0 && g_threads == 1)
        return WaitResult::Deadlock;
    if (deadline_ns && deadline_ns <= clock::monotonic_ns())
        return WaitResult::TimedOut;
    self.state = ThreadState::Blocked;
    self.timed_out = false;
    self.sleeping_on = &list;
    list.push_back(self);
    self.deadline_ns = deadline_ns;
    if (deadline_ns)
        add_timer(self);
    schedule_locked();
    if (self.interrupted) {
        self.interrupted = false;
        return WaitResult::Interrupted;
    }
    return self.timed_out ? WaitResult::TimedOut : WaitResult::Ready;
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
    thread.interrupted = true;
    if (thread.state == ThreadState::Blocked)
        make_runnable(thread);
}

void wake_locked(Thread& thread)
{
    if (thread.state == ThreadState::Blocked)
        make_runnable(thread);
}

bool sleep_until(u64 deadline_ns)
{
    IntrusiveList<Thread> nobody;
    arch::InterruptGuard guard;
    while (clock::monotonic_ns() < deadline_ns)
        if (block_current_locked(nobody, deadline_ns) == WaitResult::Interrupted)
            return false;
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
    u64 frame = mm::allocate_kernel_frame();
    if (!frame)
        return error(EAGAIN);
    auto* thread = new (reinterpret_cast<void*>(frame)) Thread;
    arch::InterruptGuard guard;
    thread->tid = g_next_tid++;
    thread->entry = entry;
    thread->entry_argument = argument;
    thread->thread_pointer = tls;
    thread->clear_child_tid = clear_child_tid;
    thread->signal_mask = g_current->signal_mask; // Inherited, as clone() does.
    arch::fpu_init_state(thread->fpu_state);
    thread->saved_stack_pointer = arch::prepare_thread_stack(stack_top, thread_entry, thread);
    if (parent_tid)
        *parent_tid = thread->tid;
    ++g_threads;
    g_all_threads.push_back(*thread);
    thread->state = ThreadState::Blocked; // make_runnable() queues it and arms the time slice.
    make_runnable(*thread);
    return thread->tid;
}

void exit_current_thread(int status)
{
    arch::save_and_disable_interrupts();
    Thread& self = *g_current;
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

}
