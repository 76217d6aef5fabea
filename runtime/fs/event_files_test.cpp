// SPDX-License-Identifier: MIT
// eventfd and timerfd on the fake machine: the counter, semaphore mode, overflow and its blocking
// writes, readiness; one-shot and periodic timers, the expiry count after the clock jumps (one
// interrupt, not one per period), disarming, and a timerfd waking epoll from the timer interrupt.
// [eventfd(2)] [timerfd_create(2)]
#include "host/threads.h"

#include "fs/epoll.h"
#include "fs/event_files.h"
#include "host/test_descriptions.h"

#include <vector>

namespace {

using namespace uk;
using namespace uk::fs;
using namespace uk::host;

constexpr u64 k_ms = 1'000'000;
constexpr u64 k_max_count = 0xfffffffffffffffeull;

class EventFilesTest : public MachineTest {};

long read_count(FileDescription& file, u64& value)
{
    auto r = in_runtime([&] { return file.read(&value, sizeof(value)); });
    return r.is_error() ? -r.error_code() : static_cast<long>(r.value());
}

u64 read_value(FileDescription& file)
{
    u64 value = 0;
    EXPECT_EQ(read_count(file, value), 8);
    return value;
}

long write_value(FileDescription& file, u64 value)
{
    auto r = in_runtime([&] { return file.write(&value, sizeof(value)); });
    return r.is_error() ? -r.error_code() : static_cast<long>(r.value());
}

TEST_F(EventFilesTest, EventfdReadTakesTheWholeCount)
{
    FileDescription* file = create_eventfd(5, k_o_nonblock).value();
    EXPECT_EQ(file->readiness(), static_cast<u32>(k_poll_in | k_poll_rdnorm | k_poll_out | k_poll_wrnorm));
    EXPECT_EQ(read_value(*file), 5u);
    u64 value;
    EXPECT_EQ(read_count(*file, value), -EAGAIN);
    EXPECT_EQ(file->readiness(), static_cast<u32>(k_poll_out | k_poll_wrnorm));
    EXPECT_EQ(write_value(*file, 3), 8);
    EXPECT_EQ(write_value(*file, 4), 8);
    EXPECT_EQ(read_value(*file), 7u);
    EXPECT_EQ(write_value(*file, ~0ull), -EINVAL);
    EXPECT_EQ(in_runtime([&] { return file->read(&value, 4); }).error_code(), EINVAL);
    EXPECT_EQ(in_runtime([&] { return file->write(&value, 7); }).error_code(), EINVAL);
    file->unref();
}

TEST_F(EventFilesTest, EventfdSemaphoreModeTakesOneAtATime)
{
    FileDescription* file = create_eventfd(3, k_efd_semaphore).value();
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(read_value(*file), 1u);
    u64 got = 0;
    ProgramThread reader([&] { got = read_value(*file); });
    sched::yield();
    EXPECT_EQ(got, 0u) << "blocked at zero";
    EXPECT_EQ(write_value(*file, 2), 8);
    reader.join();
    EXPECT_EQ(got, 1u);
    EXPECT_EQ(read_value(*file), 1u);
    file->unref();
}

TEST_F(EventFilesTest, EventfdWritesThatWouldOverflowWaitOrFail)
{
    FileDescription* file = create_eventfd(k_max_count - 1, 0).value();
    EXPECT_EQ(write_value(*file, 1), 8);
    EXPECT_EQ(file->readiness(), static_cast<u32>(k_poll_in | k_poll_rdnorm)) << "full: not writable";
    file->set_status_flags(k_o_nonblock);
    EXPECT_EQ(write_value(*file, 1), -EAGAIN);
    file->set_status_flags(0);
    long written = 0;
    ProgramThread writer([&] { written = write_value(*file, 10); });
    sched::yield();
    EXPECT_EQ(written, 0) << "blocked until a read makes room";
    EXPECT_EQ(read_value(*file), k_max_count);
    writer.join();
    EXPECT_EQ(written, 8);
    EXPECT_EQ(read_value(*file), 10u);
    EXPECT_EQ(write_value(*file, k_max_count), 8) << "the largest count fits";
    EXPECT_EQ(read_value(*file), k_max_count);
    file->unref();
}

TEST_F(EventFilesTest, EventfdReadNoThreadCanServeIsADeadlock)
{
    FileDescription* file = create_eventfd(0, 0).value();
    u64 value;
    EXPECT_EQ(read_count(*file, value), -EDEADLK);
    file->unref();
}

TEST_F(EventFilesTest, EventfdEveryWriteIsAnEdge)
{
    FileDescription* file = create_eventfd(0, k_o_nonblock).value();
    FileDescription* epoll = create_epoll().value();
    EpollEvent event { static_cast<u32>(k_poll_in) | k_epoll_et, 1 };
    ASSERT_FALSE(epoll_control(*epoll, EpollOperation::Add, 3, *file, &event).is_error());
    EpollEvent out[2];
    auto ready = [&] { return in_runtime([&] { return epoll_wait(*epoll, out, 2, machine::now_ns()); }).value(); };
    EXPECT_EQ(ready(), 0u);
    write_value(*file, 1);
    EXPECT_EQ(ready(), 1u);
    EXPECT_EQ(ready(), 0u);
    write_value(*file, 1); // The count was already non-zero: still an edge.
    EXPECT_EQ(ready(), 1u);
    epoll->unref();
    file->unref();
}

TEST_F(EventFilesTest, TimerfdOneShotExpiresOnceAtItsTime)
{
    FileDescription* timer = create_timerfd(TimerClock::Monotonic, 0).value();
    u64 start = machine::now_ns();
    auto old = set_timer(*timer, { 5 * k_ms, 0 }, false);
    ASSERT_FALSE(old.is_error());
    EXPECT_EQ(old.value().value_ns, 0u);
    EXPECT_EQ(get_timer(*timer).value().value_ns, 5 * k_ms);
    EXPECT_EQ(read_value(*timer), 1u) << "the read slept until the expiry (not a deadlock: a timer wakes it)";
    EXPECT_EQ(machine::now_ns(), start + 5 * k_ms);
    EXPECT_EQ(get_timer(*timer).value().value_ns, 0u) << "a one-shot timer is disarmed after it fires";
    timer->set_status_flags(k_o_nonblock);
    u64 value;
    EXPECT_EQ(read_count(*timer, value), -EAGAIN);
    timer->unref();
}

// The clock jumps a second ahead in one go: the timer fires once (one interrupt, one readiness
// edge), and the read counts every period that passed, as Linux's does.
TEST_F(EventFilesTest, TimerfdPeriodicCountsEveryPeriodAfterTheClockJumps)
{
    FileDescription* timer = create_timerfd(TimerClock::Monotonic, k_o_nonblock).value();
    RecordingObserver observer;
    timer->add_observer(observer);
    u64 start = machine::now_ns();
    ASSERT_FALSE(set_timer(*timer, { 10 * k_ms, 10 * k_ms }, false).is_error());
    u64 interrupts = machine::interrupts_taken();
    machine::run_for(1000 * k_ms);
    EXPECT_EQ(machine::interrupts_taken() - interrupts, 1u) << "an unread timer is not re-armed";
    EXPECT_EQ(observer.notifications.size(), 1u);
    EXPECT_EQ(read_value(*timer), 100u) << "expiries at 10, 20, ..., 1000 ms";
    auto setting = get_timer(*timer).value();
    EXPECT_EQ(setting.interval_ns, 10 * k_ms);
    EXPECT_EQ(setting.value_ns, 10 * k_ms) << "the next expiry is at 1010 ms";
    machine::run_for(25 * k_ms);
    EXPECT_EQ(read_value(*timer), 2u);
    EXPECT_EQ(machine::now_ns(), start + 1025 * k_ms);
    // Disarming forgets the count and the schedule.
    machine::run_for(10 * k_ms);
    ASSERT_FALSE(set_timer(*timer, { 0, 0 }, false).is_error());
    EXPECT_EQ(timer->readiness(), 0u);
    machine::run_for(100 * k_ms);
    u64 value;
    EXPECT_EQ(read_count(*timer, value), -EAGAIN);
    EXPECT_EQ(get_timer(*timer).value().value_ns, 0u);
    timer->remove_observer(observer);
    timer->unref();
}

TEST_F(EventFilesTest, TimerfdAbsoluteTimeInThePastExpiresAtOnce)
{
    FileDescription* timer = create_timerfd(TimerClock::Monotonic, k_o_nonblock).value();
    ASSERT_FALSE(set_timer(*timer, { machine::now_ns() - 1, 0 }, true).is_error());
    EXPECT_EQ(timer->readiness(), static_cast<u32>(k_poll_in | k_poll_rdnorm)) << "fired before set_timer returned";
    EXPECT_EQ(read_value(*timer), 1u);
    FileDescription* not_a_timer = create_eventfd(0, 0).value();
    EXPECT_EQ(set_timer(*not_a_timer, { 1, 0 }, false).error_code(), EINVAL);
    EXPECT_EQ(get_timer(*not_a_timer).error_code(), EINVAL);
    not_a_timer->unref();
    timer->unref();
}

// Closing an armed timerfd takes its timer off the queue: nothing fires into freed memory.
TEST_F(EventFilesTest, ClosingAnArmedTimerfdCancelsItsTimer)
{
    FileDescription* timer = create_timerfd(TimerClock::Monotonic, 0).value();
    ASSERT_FALSE(set_timer(*timer, { 2 * k_ms, 2 * k_ms }, false).is_error());
    EXPECT_NE(machine::armed_deadline_ns(), 0u);
    timer->unref();
    u64 interrupts = machine::interrupts_taken();
    machine::run_for(10 * k_ms);
    EXPECT_LE(machine::interrupts_taken() - interrupts, 1u) << "at most the one already armed";
    EXPECT_EQ(machine::armed_deadline_ns(), 0u);
}

// A thread in epoll_wait with no deadline on a timerfd is not deadlocked: the timer interrupt
// makes the timerfd ready, which wakes the instance.
TEST_F(EventFilesTest, TimerfdWakesEpollFromTheTimerInterrupt)
{
    FileDescription* timer = create_timerfd(TimerClock::Monotonic, 0).value();
    FileDescription* epoll = create_epoll().value();
    EpollEvent event { k_poll_in, 77 };
    ASSERT_FALSE(epoll_control(*epoll, EpollOperation::Add, 5, *timer, &event).is_error());
    u64 start = machine::now_ns();
    ASSERT_FALSE(set_timer(*timer, { 3 * k_ms, 0 }, false).is_error());
    EpollEvent out[1];
    auto n = in_runtime([&] { return epoll_wait(*epoll, out, 1, 0); });
    ASSERT_FALSE(n.is_error());
    EXPECT_EQ(n.value(), 1u);
    u64 data = out[0].data; // Packed: copied before comparing.
    EXPECT_EQ(data, 77u);
    EXPECT_EQ(machine::now_ns(), start + 3 * k_ms);
    epoll->unref();
    timer->unref();
}

}
