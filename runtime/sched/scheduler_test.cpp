// SPDX-License-Identifier: MIT
// The scheduler on the fake machine: the timer queue's order, cancelling and restarting timers,
// time slices, a device interrupt's wake-up preempting program code, deadlock detection, kernel
// threads, per-thread FPU state and thread pointer, and freeing dead threads.
#include "host/threads.h"

#include "sched/clock.h"
#include "sched/scheduler.h"
#include "sched/timer.h"
#include "sched/wait_queue.h"

#include <random>
#include <vector>

namespace uk::host::frames {
u64 in_use();
}
namespace uk::host::memory {
u64 last_unmap_base();
u64 last_unmap_length();
}

namespace {

using namespace uk;
using namespace uk::host;
using sched::Timer;
using sched::WaitQueue;
using sched::WaitResult;

class SchedulerTest : public MachineTest {};

constexpr u64 k_ms = 1'000'000;

struct RecordingTimer : Timer {
    explicit RecordingTimer(int id_, std::vector<int>* log_) : Timer(fire), id(id_), log(log_) { context = this; }
    static void fire(Timer& timer)
    {
        auto& self = static_cast<RecordingTimer&>(timer);
        EXPECT_FALSE(arch::interrupts_enabled());
        EXPECT_GE(machine::now_ns(), self.deadline_ns);
        self.log->push_back(self.id);
    }
    int id;
    std::vector<int>* log;
};

TEST_F(SchedulerTest, TimersExpireInDeadlineOrderAndEqualDeadlinesInStartOrder)
{
    std::vector<int> log;
    std::vector<RecordingTimer> timers;
    timers.reserve(200);
    std::mt19937 random(42);
    u64 start = machine::now_ns();
    std::vector<std::pair<u64, int>> expected;
    for (int i = 0; i < 200; ++i) {
        timers.emplace_back(i, &log);
        u64 deadline = start + (1 + random() % 50) * k_ms; // Many equal deadlines.
        expected.emplace_back(deadline, i);
    }
    for (int i = 0; i < 200; ++i)
        sched::start_timer(timers[i], expected[i].first);
    // The timer is armed for the earliest.
    u64 earliest = start + 51 * k_ms;
    for (auto& [deadline, id] : expected)
        earliest = deadline < earliest ? deadline : earliest;
    EXPECT_EQ(machine::armed_deadline_ns(), clock::tsc_at_monotonic_ns(earliest));
    EXPECT_TRUE(in_runtime([&] { return sched::sleep_until(start + 60 * k_ms); }));
    std::stable_sort(expected.begin(), expected.end(), [](auto& a, auto& b) { return a.first < b.first; });
    std::vector<int> order;
    for (auto& [deadline, id] : expected)
        order.push_back(id);
    EXPECT_EQ(log, order);
}

TEST_F(SchedulerTest, CancelledTimersNeverFireAndRestartedOnesFireOnceAtTheNewDeadline)
{
    std::vector<int> log;
    RecordingTimer a(1, &log), b(2, &log), c(3, &log);
    u64 start = machine::now_ns();
    sched::start_timer(a, start + 10 * k_ms);
    sched::start_timer(b, start + 20 * k_ms);
    sched::start_timer(c, start + 30 * k_ms);
    sched::cancel_timer(b);
    sched::cancel_timer(b); // Cancelling a timer that is not pending is harmless.
    EXPECT_FALSE(b.is_pending());
    sched::start_timer(a, start + 40 * k_ms); // Moved behind c.
    machine::run_for(35 * k_ms);
    EXPECT_EQ(log, (std::vector<int> { 3 }));
    machine::run_for(10 * k_ms);
    EXPECT_EQ(log, (std::vector<int> { 3, 1 }));
    EXPECT_FALSE(a.is_pending());
    EXPECT_EQ(machine::armed_deadline_ns(), 0u) << "nothing left to wait for: the timer is disarmed";
}

// A timer whose callback starts it again (a periodic timer) fires at each period.
TEST_F(SchedulerTest, TimerCallbackMayRestartItsTimer)
{
    struct Periodic : Timer {
        Periodic() : Timer(fire) { context = this; }
        static void fire(Timer& timer)
        {
            auto& self = static_cast<Periodic&>(timer);
            self.times.push_back(machine::now_ns());
            if (self.times.size() < 5)
                sched::start_timer_locked(self, self.deadline_ns + 3 * k_ms);
        }
        std::vector<u64> times;
    } periodic;
    u64 start = machine::now_ns();
    sched::start_timer(periodic, start + 3 * k_ms);
    machine::run_for(100 * k_ms);
    ASSERT_EQ(periodic.times.size(), 5u);
    for (size_t i = 0; i < 5; ++i)
        EXPECT_EQ(periodic.times[i], start + 3 * k_ms * (i + 1));
}

TEST_F(SchedulerTest, TimeSlicesShareTheCpuBetweenBusyThreads)
{
    std::vector<int> trace;
    auto busy = [&](int id) {
        return [&, id] {
            for (int i = 0; i < 6; ++i) {
                trace.push_back(id);
                machine::run_for(5 * k_ms); // Program code, never entering the runtime.
            }
        };
    };
    ProgramThread a(busy(1)), b(busy(2));
    a.join();
    b.join();
    // Slices are 10 ms: each thread runs about two 5 ms steps, then the other gets the CPU.
    EXPECT_EQ(trace, (std::vector<int> { 1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2 }));
}

// A device's handler wakes a thread while another runs program code: the woken thread runs at
// the end of the interrupt. Inside the runtime the switch waits until the system call ends.
TEST_F(SchedulerTest, InterruptWakeUpPreemptsProgramCodeButNotTheRuntime)
{
    struct Device {
        WaitQueue queue { sched::WakeSource::External };
        bool data = false;
        static void on_interrupt(void* raw)
        {
            auto& self = *static_cast<Device*>(raw);
            self.data = true;
            self.queue.wake_all();
        }
    } device;
    u8 vector = arch::register_msi(Device::on_interrupt, &device).value().vector;
    bool handled = false;
    u64 give_up = machine::now_ns() + 1000 * k_ms; // So that a lost wake-up fails instead of hanging.
    ProgramThread reader([&] {
        for (int i = 0; i < 2; ++i) {
            in_runtime([&] { return device.queue.wait_until([&] { return device.data; }, give_up); });
            device.data = false;
            handled = true;
        }
    });
    sched::yield();
    EXPECT_FALSE(handled);
    machine::raise(vector); // Main runs program code: the reader runs before raise() returns.
    EXPECT_TRUE(handled);

    handled = false;
    in_runtime([&] {
        machine::raise(vector);
        EXPECT_FALSE(handled) << "runtime code was preempted";
        return 0;
    });
    EXPECT_TRUE(handled) << "the wake-up waited past the end of the system call";
    reader.join();
}

TEST_F(SchedulerTest, LastProgramThreadToBlockHopelesslyGetsDeadlock)
{
    WaitQueue queue; // Only program threads can wake it.
    WaitResult child_result = WaitResult::Ready;
    bool release = false;
    ProgramThread child([&] { child_result = in_runtime([&] { return queue.wait_until([&] { return release; }); }); });
    sched::yield(); // The child sleeps, hopeless, but main could still wake it.
    auto result = in_runtime([&] { return queue.wait_until([] { return false; }); });
    EXPECT_EQ(result, WaitResult::Deadlock);
    release = true;
    queue.wake_all();
    child.join();
    EXPECT_EQ(child_result, WaitResult::Ready);
}

TEST_F(SchedulerTest, ExternalSourcesAndDeadlinesAreNoDeadlock)
{
    WaitQueue program;
    WaitQueue device(sched::WakeSource::External);
    bool release = false;
    ProgramThread child([&] { in_runtime([&] { return program.wait_until([&] { return release; }); }); });
    sched::yield();

    // A deadline: the sleep ends by itself.
    u64 deadline = machine::now_ns() + 2 * k_ms;
    EXPECT_EQ(in_runtime([&] { return program.wait_until([] { return false; }, deadline); }), WaitResult::TimedOut);

    // A queue a device can wake: no deadlock; the device's interrupt comes 5 ms later.
    bool data = false;
    struct Context {
        WaitQueue* queue;
        bool* data;
    } context { &device, &data };
    u8 vector = arch::register_msi(
        [](void* raw) {
            auto& c = *static_cast<Context*>(raw);
            *c.data = true;
            c.queue->wake_all();
        },
        &context).value().vector;
    u64 start = machine::now_ns();
    machine::raise_at(vector, start + 5 * k_ms);
    EXPECT_EQ(in_runtime([&] { return device.wait_until([&] { return data; }); }), WaitResult::Ready);
    EXPECT_EQ(machine::now_ns(), start + 5 * k_ms);

    release = true;
    program.wake_all();
    child.join();
}

TEST_F(SchedulerTest, IdleCpuWithEveryThreadHopelessReportsTheDeadlock)
{
    EXPECT_DEATH(
        {
            WaitQueue queue;
            // The child, the only one who could wake main, exits without doing so.
            ProgramThread child([] {});
            in_runtime([&] { return queue.wait_until([] { return false; }, 0); });
        },
        "deadlock");
}

TEST_F(SchedulerTest, SleepUntilWakesAtTheDeadlineAndMeasuresCpuTime)
{
    u64 start = machine::now_ns();
    u64 busy_before = sched::process_cpu_time_ns();
    EXPECT_TRUE(in_runtime([&] { return sched::sleep_until(start + 7 * k_ms); }));
    EXPECT_EQ(machine::now_ns(), start + 7 * k_ms);
    EXPECT_EQ(sched::process_cpu_time_ns(), busy_before) << "idle time counted as CPU time";
    machine::run_for(3 * k_ms);
    EXPECT_EQ(sched::process_cpu_time_ns(), busy_before + 3 * k_ms);
}

TEST_F(SchedulerTest, EveryThreadGetsItsOwnFpuStateAndThreadPointer)
{
    std::vector<bool> ok;
    auto worker = [&](u64 value) {
        return [&, value] {
            EXPECT_EQ(machine::fpu_register(), 0u) << "a new thread starts with the initial FPU state";
            machine::set_fpu_register(value);
            u64 tp = arch::thread_pointer();
            for (int i = 0; i < 3; ++i) {
                sched::yield();
                ok.push_back(machine::fpu_register() == value && arch::thread_pointer() == tp);
            }
        };
    };
    machine::set_fpu_register(0x1111);
    u64 main_tp = arch::thread_pointer();
    {
        ProgramThread a(worker(0xaaaa)), b(worker(0xbbbb));
        EXPECT_EQ(arch::thread_pointer(), main_tp);
        sched::yield();
        EXPECT_EQ(machine::fpu_register(), 0x1111u);
        a.join();
        b.join();
    }
    EXPECT_EQ(ok, std::vector<bool>(6, true));
    EXPECT_EQ(machine::fpu_register(), 0x1111u);
    EXPECT_EQ(arch::thread_pointer(), main_tp);
}

// A thread that exits switches to the next one; its control block is freed once that one runs.
// Threads that exit one after the other, each switching to a thread that never ran, must not
// leak theirs.
TEST_F(SchedulerTest, DeadThreadsAreFreedWhenOneExitsIntoAFreshThread)
{
    u64 frames = frames::in_use();
    {
        ProgramThread a([] {}), b([] {}), c([] {});
        a.join();
        b.join();
        c.join();
    }
    sched::yield();
    EXPECT_EQ(frames::in_use(), frames) << "thread control blocks leaked";
}

// musl's pthread_exit of a detached thread: the thread unmaps its own stack as it exits, so the
// runtime finishes the exit on a stack of its own.
TEST_F(SchedulerTest, ThreadExitsWhileUnmappingItsOwnStack)
{
    ProgramThread* self = nullptr;
    bool reached_end = false;
    ProgramThread thread([&] {
        sched::exit_current_thread_and_unmap(self->stack_base(), self->stack_size());
        reached_end = true;
    });
    self = &thread;
    thread.join();
    EXPECT_FALSE(reached_end);
    EXPECT_EQ(memory::last_unmap_base(), thread.stack_base());
    EXPECT_EQ(memory::last_unmap_length(), thread.stack_size());
}

WaitQueue g_kernel_queue(sched::WakeSource::External);
int g_kernel_requests;
int g_kernel_done;
bool g_kernel_interrupts_enabled;
bool g_kernel_preempt_disabled;
bool g_kernel_is_kernel;

void kernel_main(void*)
{
    g_kernel_interrupts_enabled = arch::interrupts_enabled();
    g_kernel_preempt_disabled = sched::current_thread().preempt_disabled > 0;
    g_kernel_is_kernel = sched::current_thread().kernel;
    for (;;) {
        g_kernel_queue.wait_until([] { return g_kernel_requests > g_kernel_done; });
        ++g_kernel_done;
        machine::run_for(20 * k_ms); // Longer than a slice: a kernel thread is not preempted.
    }
}

TEST_F(SchedulerTest, KernelThreadsServeRequestsWithoutCountingAsProgramThreads)
{
    auto created = in_runtime([] { return sched::create_kernel_thread(kernel_main, nullptr); });
    ASSERT_FALSE(created.is_error());
    EXPECT_EQ(sched::thread_count(), 1u);
    sched::yield();
    EXPECT_TRUE(g_kernel_is_kernel);
    EXPECT_TRUE(g_kernel_preempt_disabled);
    EXPECT_TRUE(g_kernel_interrupts_enabled) << "kernel threads start with interrupts disabled";
    u64 start = machine::now_ns();
    g_kernel_requests = 3;
    g_kernel_queue.wake_all();
    // Main sleeps; the kernel thread serves all three requests in one go, unpreempted.
    in_runtime([] { return sched::sleep_until(machine::now_ns() + 1 * k_ms); });
    EXPECT_EQ(g_kernel_done, 3);
    EXPECT_EQ(machine::now_ns(), start + 60 * k_ms);
    // Blocked for good, it is no reason to call main's wait a deadlock, nor to keep main alive.
    WaitQueue nobody;
    EXPECT_EQ(in_runtime([&] { return nobody.wait_until([] { return false; }); }), WaitResult::Deadlock);
}

}
