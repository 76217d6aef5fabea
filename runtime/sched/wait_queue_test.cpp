// SPDX-License-Identifier: MIT
// WaitQueue and WaitSet on the fake machine: wake order, no lost wake-ups (a wake that lands
// between a thread's check and its sleep), waiting on many queues at once, and the interrupt-state
// contract of the `_locked` operations.
#include "host/threads.h"

#include "sched/locks.h"
#include "sched/scheduler.h"
#include "sched/wait_queue.h"

#include <vector>

namespace {

using namespace uk;
using namespace uk::host;
using sched::WaitQueue;
using sched::WaitResult;
using sched::WaitSet;
using sched::Waiter;

class WaitQueueTest : public MachineTest {};

// A device whose interrupt handler sets a flag and wakes a queue, as a driver's handler does.
struct Device {
    WaitQueue queue { sched::WakeSource::External };
    bool data = false;
    int interrupts = 0;
    u8 vector = 0;

    Device()
    {
        auto msi = arch::register_msi(on_interrupt, this);
        VERIFY(!msi.is_error());
        vector = msi.value().vector;
    }
    static void on_interrupt(void* raw)
    {
        auto& self = *static_cast<Device*>(raw);
        EXPECT_TRUE(arch::in_interrupt());
        EXPECT_FALSE(arch::interrupts_enabled());
        ++self.interrupts;
        self.data = true;
        self.queue.wake_one();
    }
};

TEST_F(WaitQueueTest, WakeOneReachesWaitersInArrivalOrderAndEachWakeADifferentOne)
{
    WaitQueue queue;
    int tokens = 0;
    std::vector<int> order;
    auto waiter = [&](int id) {
        return [&, id] {
            in_runtime([&] { return queue.wait_until([&] { return tokens > 0; }); });
            --tokens;
            order.push_back(id);
        };
    };
    ProgramThread a(waiter(0)), b(waiter(1)), c(waiter(2));
    sched::yield(); // Each runs until it sleeps.
    EXPECT_TRUE(order.empty());

    tokens = 1;
    queue.wake_one();
    sched::yield();
    EXPECT_EQ(order, (std::vector<int> { 0 }));

    // Two wakes before anyone runs reach two different waiters.
    tokens = 2;
    queue.wake_one();
    queue.wake_one();
    EXPECT_TRUE(queue.empty());
    sched::yield();
    EXPECT_EQ(order, (std::vector<int> { 0, 1, 2 }));
}

TEST_F(WaitQueueTest, WakeAllWakesEveryWaiterInArrivalOrder)
{
    WaitQueue queue;
    bool go = false;
    std::vector<int> order;
    auto waiter = [&](int id) {
        return [&, id] {
            in_runtime([&] { return queue.wait_until([&] { return go; }); });
            order.push_back(id);
        };
    };
    ProgramThread a(waiter(0)), b(waiter(1)), c(waiter(2)), d(waiter(3));
    sched::yield();
    // A wake whose condition is still false puts everyone back to sleep, in the same order.
    queue.wake_all();
    sched::yield();
    EXPECT_TRUE(order.empty());
    EXPECT_FALSE(queue.empty());
    go = true;
    queue.wake_all();
    sched::yield();
    EXPECT_EQ(order, (std::vector<int> { 0, 1, 2, 3 }));
}

// The device interrupts just as the thread has found its condition false and is about to
// sleep: the check runs with interrupts disabled, so the interrupt waits until the thread is
// queued and asleep, and its wake-up is not lost.
TEST_F(WaitQueueTest, InterruptBetweenCheckAndSleepDoesNotLoseTheWakeUp)
{
    Device device;
    bool raised = false;
    u64 start = machine::now_ns();
    auto result = in_runtime([&] {
        return device.queue.wait_until(
            [&] {
                bool seen = device.data;
                if (!raised) {
                    raised = true;
                    machine::raise(device.vector);
                }
                return seen;
            },
            start + 1'000'000'000);
    });
    EXPECT_EQ(result, WaitResult::Ready);
    EXPECT_EQ(device.interrupts, 1);
    EXPECT_EQ(machine::now_ns(), start) << "the wake-up was lost: the thread slept until its deadline";
}

// A WaitSet checks its conditions with interrupts enabled: a wake between the check and wait()
// leaves wake_pending set, and wait() returns at once.
TEST_F(WaitQueueTest, WaitSetWakeBetweenCheckAndWaitIsNotLost)
{
    Device device;
    Waiter storage[1];
    u64 start = machine::now_ns();
    WaitResult result;
    {
        WaitSet set(storage, 1);
        set.prepare();
        EXPECT_TRUE(set.add(device.queue));
        EXPECT_FALSE(device.data); // The check: nothing yet.
        machine::raise(device.vector); // Taken at once: interrupts are enabled.
        EXPECT_EQ(device.interrupts, 1);
        result = in_runtime([&] { return set.wait(start + 1'000'000'000); });
    }
    EXPECT_EQ(result, WaitResult::Ready);
    EXPECT_EQ(machine::now_ns(), start) << "the wake-up was lost: the thread slept until its deadline";
    EXPECT_TRUE(device.queue.empty());
}

TEST_F(WaitQueueTest, WaitSetAnyOfManyQueuesWakesItAndPrepareRequeues)
{
    constexpr size_t k_queues = 64;
    std::vector<WaitQueue> queues(k_queues);
    std::vector<bool> ready(k_queues, false);
    std::vector<size_t> seen;
    int rounds = 0;
    ProgramThread poller([&] {
        std::vector<Waiter> storage(k_queues);
        WaitSet set(storage.data(), k_queues);
        bool queued = false;
        while (seen.size() < 2) {
            set.prepare();
            ++rounds;
            for (size_t i = 0; i < k_queues; ++i) {
                if (!queued) {
                    EXPECT_TRUE(set.add(queues[i]));
                }
                if (ready[i]) {
                    ready[i] = false;
                    seen.push_back(i);
                }
            }
            queued = true;
            EXPECT_FALSE(set.add(queues[0])) << "the storage is full";
            if (seen.size() < 2) {
                EXPECT_EQ(in_runtime([&] { return set.wait(0); }), WaitResult::Ready);
            }
        }
    });
    sched::yield();
    for (auto& q : queues)
        EXPECT_FALSE(q.empty());
    ready[37] = true;
    queues[37].wake_all();
    EXPECT_TRUE(queues[37].empty()); // The wake took the waiter off.
    sched::yield();
    EXPECT_EQ(seen, (std::vector<size_t> { 37 }));
    // The next round re-queued it: every queue holds the poller again.
    for (auto& q : queues)
        EXPECT_FALSE(q.empty());
    ready[5] = true;
    queues[5].wake_one();
    poller.join();
    EXPECT_EQ(seen, (std::vector<size_t> { 37, 5 }));
    EXPECT_EQ(rounds, 3);
    // The WaitSet's destructor took every waiter off its queue.
    for (auto& q : queues)
        EXPECT_TRUE(q.empty());
}

TEST_F(WaitQueueTest, WaitUntilTimesOutAtItsDeadline)
{
    WaitQueue queue(sched::WakeSource::External);
    u64 deadline = machine::now_ns() + 5'000'000;
    auto result = in_runtime([&] { return queue.wait_until([] { return false; }, deadline); });
    EXPECT_EQ(result, WaitResult::TimedOut);
    EXPECT_EQ(machine::now_ns(), deadline);
    EXPECT_TRUE(queue.empty());
    // A deadline already past: no sleep at all.
    u64 idle = machine::idle_count();
    result = in_runtime([&] { return queue.wait_until([] { return false; }, machine::now_ns() - 1); });
    EXPECT_EQ(result, WaitResult::TimedOut);
    EXPECT_EQ(machine::idle_count(), idle);
}

TEST_F(WaitQueueTest, QueueOperationsWithoutTheSchedulerLockAreCaught)
{
    WaitQueue queue;
    Waiter waiter;
    waiter.thread = &sched::current_thread();
    EXPECT_DEATH(queue.add_locked(waiter), "VERIFY\\(::uk::sched::g_scheduler_lock.is_held_here\\(\\)\\) failed");
    EXPECT_DEATH(queue.wake_all_locked(), "is_held_here");
    // The lock taken without disabling interrupts: an interrupt handler on this CPU would spin.
    EXPECT_DEATH(
        {
            sched::g_scheduler_lock.lock();
            queue.wake_all_locked();
        },
        "interrupts_enabled");
    sched::SchedulerGuard guard;
    queue.add_locked(waiter);
    WaitQueue::remove_locked(waiter);
    EXPECT_TRUE(queue.empty());
}

}
