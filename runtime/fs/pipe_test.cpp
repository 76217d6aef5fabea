// SPDX-License-Identifier: MIT
// Pipes on the fake machine: blocking reads and writes between threads, PIPE_BUF atomicity, EOF,
// EPIPE and SIGPIPE, non-blocking ends, deadlock reports, and the readiness hints the ends give
// their observers (epoll): a write notifies POLLIN only, a read notifies POLLOUT only when the
// pipe stops being full. [pipe(7)]
#include "host/threads.h"

#include "fs/pipe.h"
#include "host/test_descriptions.h"
#include "lib/linux/ioctl.h"
#include "sched/signal.h"

#include <random>
#include <vector>

namespace {

using namespace uk;
using namespace uk::fs;
using namespace uk::host;

class PipeTest : public MachineTest {
protected:
    void SetUp() override
    {
        MachineTest::SetUp();
        FileDescription* ends[2];
        ASSERT_FALSE(create_pipe(ends, 0).is_error());
        reader = ends[0];
        writer = ends[1];
    }
    void TearDown() override
    {
        if (reader)
            reader->unref();
        if (writer)
            writer->unref();
        MachineTest::TearDown();
    }
    void close_reader() { std::exchange(reader, nullptr)->unref(); }
    void close_writer() { std::exchange(writer, nullptr)->unref(); }

    int available()
    {
        int count = -1;
        EXPECT_FALSE(reader->ioctl(k_fionread, reinterpret_cast<long>(&count)).is_error());
        return count;
    }
    long write(const void* data, size_t length, FileDescription* end = nullptr)
    {
        auto r = in_runtime([&] { return (end ? end : writer)->write(data, length); });
        return r.is_error() ? -r.error_code() : static_cast<long>(r.value());
    }
    long write(size_t length, u8 byte = 'x')
    {
        std::vector<u8> data(length, byte);
        return write(data.data(), length);
    }
    long read(void* buffer, size_t length)
    {
        auto r = in_runtime([&] { return reader->read(buffer, length); });
        return r.is_error() ? -r.error_code() : static_cast<long>(r.value());
    }
    long read(size_t length)
    {
        std::vector<u8> buffer(length);
        return read(buffer.data(), length);
    }

    FileDescription* reader = nullptr;
    FileDescription* writer = nullptr;
};

TEST_F(PipeTest, BlockingTransferBetweenThreadsLosesNothing)
{
    constexpr size_t k_total = 1 << 20;
    std::vector<u8> sent(k_total), received;
    std::mt19937 random(7);
    for (auto& b : sent)
        b = static_cast<u8>(random());
    ProgramThread producer([&] {
        std::mt19937 sizes(1);
        for (size_t done = 0; done < k_total;) {
            size_t n = 1 + sizes() % 20000;
            if (n > k_total - done)
                n = k_total - done;
            long w = write(sent.data() + done, n);
            ASSERT_EQ(w, static_cast<long>(n)) << "a blocking write completes";
            done += n;
        }
        close_writer();
    });
    ProgramThread consumer([&] {
        std::mt19937 sizes(2);
        std::vector<u8> buffer(30000);
        for (;;) {
            long r = read(buffer.data(), 1 + sizes() % buffer.size());
            ASSERT_GE(r, 0);
            if (r == 0)
                break; // EOF: the writer closed.
            received.insert(received.end(), buffer.begin(), buffer.begin() + r);
        }
    });
    producer.join();
    consumer.join();
    EXPECT_EQ(received.size(), k_total);
    EXPECT_TRUE(received == sent);
}

TEST_F(PipeTest, WritesUpToPipeBufGoInWholeOrWait)
{
    ASSERT_EQ(write(k_pipe_capacity - 100), static_cast<long>(k_pipe_capacity - 100));
    long result = 0;
    ProgramThread atomic([&] { result = write(k_pipe_buf, 'A'); });
    sched::yield();
    EXPECT_EQ(available(), static_cast<int>(k_pipe_capacity - 100)) << "no part of the write went in";
    EXPECT_EQ(read(1000), 1000);
    sched::yield(); // Woken, but 1,100 bytes of room are not enough.
    EXPECT_EQ(available(), static_cast<int>(k_pipe_capacity - 1100));
    EXPECT_EQ(read(3000), 3000);
    atomic.join();
    EXPECT_EQ(result, static_cast<long>(k_pipe_buf));
    EXPECT_EQ(available(), static_cast<int>(k_pipe_capacity - 4100 + k_pipe_buf));
}

TEST_F(PipeTest, WritesLargerThanPipeBufGoInPiecesAsRoomAppears)
{
    ASSERT_EQ(write(k_pipe_capacity - 100), static_cast<long>(k_pipe_capacity - 100));
    long result = 0;
    ProgramThread large([&] { result = write(10000, 'B'); });
    sched::yield();
    EXPECT_EQ(available(), static_cast<int>(k_pipe_capacity)) << "the first 100 bytes went in at once";
    EXPECT_EQ(read(k_pipe_capacity), static_cast<long>(k_pipe_capacity));
    large.join();
    EXPECT_EQ(result, 10000);
    EXPECT_EQ(available(), 10000 - 100);
}

TEST_F(PipeTest, ReadReturnsEofOnceTheLastWriterIsGone)
{
    long result = -1;
    ProgramThread blocked([&] { result = read(100); });
    sched::yield();
    EXPECT_EQ(result, -1);
    close_writer();
    blocked.join();
    EXPECT_EQ(result, 0);
    EXPECT_EQ(read(100), 0);
    EXPECT_TRUE(reader->readiness() & k_poll_hup);
}

TEST_F(PipeTest, WriteWithoutReaderIsEpipeAndRaisesSigpipe)
{
    ASSERT_FALSE(sched::change_signal_mask(sched::MaskChange::Block, sched::signal_bit(k_sigpipe)).is_error());
    // A writer blocked on a full pipe when the last reader goes: it returns what it wrote.
    long result = 0;
    ProgramThread blocked([&] {
        ASSERT_FALSE(sched::change_signal_mask(sched::MaskChange::Block, sched::signal_bit(k_sigpipe)).is_error());
        result = write(k_pipe_capacity + 5000);
    });
    sched::yield();
    EXPECT_EQ(available(), static_cast<int>(k_pipe_capacity));
    close_reader();
    blocked.join();
    EXPECT_EQ(result, static_cast<long>(k_pipe_capacity));

    EXPECT_EQ(write(10), -EPIPE);
    EXPECT_TRUE(sched::pending_signals() & sched::signal_bit(k_sigpipe));
    EXPECT_EQ(sched::take_pending_signal(sched::signal_bit(k_sigpipe)), k_sigpipe);
    EXPECT_TRUE(writer->readiness() & k_poll_err);
    ASSERT_FALSE(sched::change_signal_mask(sched::MaskChange::Set, 0).is_error());
}

TEST_F(PipeTest, NonBlockingEndsSayEagain)
{
    FileDescription* ends[2];
    ASSERT_FALSE(create_pipe(ends, k_o_nonblock).is_error());
    char buffer[8];
    EXPECT_EQ(ends[0]->read(buffer, 8).error_code(), EAGAIN);
    std::vector<u8> data(k_pipe_capacity + 1);
    EXPECT_EQ(ends[1]->write(data.data(), data.size()).value(), k_pipe_capacity) << "as much as fits";
    EXPECT_EQ(ends[1]->write(data.data(), 1).error_code(), EAGAIN);
    ends[0]->unref();
    ends[1]->unref();
}

TEST_F(PipeTest, ReadThatNoOtherThreadCanServeIsADeadlock)
{
    EXPECT_EQ(read(10), -EDEADLK);
    ASSERT_EQ(write(k_pipe_capacity), static_cast<long>(k_pipe_capacity));
    EXPECT_EQ(write(1), -EDEADLK);
}

// The hints each notification carried.
std::vector<u32> hints(const RecordingObserver& observer)
{
    std::vector<u32> events;
    for (auto& [description, hint] : observer.notifications)
        events.push_back(hint);
    return events;
}

TEST_F(PipeTest, ObserversHearOnlyTheEventsThatMayHaveBecomeReady)
{
    // EXPECT, not ASSERT, until the observers are removed: they live on this stack.
    RecordingObserver on_reader, on_writer;
    reader->add_observer(on_reader);
    writer->add_observer(on_writer);
    constexpr u32 k_in = k_poll_in | k_poll_rdnorm, k_out = k_poll_out | k_poll_wrnorm;
    using Hints = std::vector<u32>;

    EXPECT_EQ(write(10), 10);
    EXPECT_EQ(hints(on_reader), Hints { k_in }) << "a write notifies POLLIN only";
    EXPECT_EQ(hints(on_writer), Hints { k_in });

    EXPECT_EQ(read(5), 5);
    EXPECT_EQ(hints(on_reader), Hints { k_in }) << "a read from a pipe that was not full notifies nothing";
    EXPECT_EQ(hints(on_writer), Hints { k_in });

    EXPECT_EQ(write(k_pipe_capacity - 105), static_cast<long>(k_pipe_capacity - 105)); // Room: 100.
    EXPECT_FALSE(writer->readiness() & k_poll_out);
    on_reader.notifications.clear();
    on_writer.notifications.clear();
    EXPECT_EQ(read(1000), 1000); // Room 1,100: still full as far as POLLOUT goes.
    EXPECT_EQ(hints(on_writer), Hints {});
    EXPECT_EQ(read(3000), 3000); // Room 4,100: writable again.
    EXPECT_EQ(hints(on_writer), Hints { k_out }) << "POLLOUT, once the pipe stops being full";
    EXPECT_TRUE(writer->readiness() & k_poll_out);
    EXPECT_EQ(read(100), 100);
    EXPECT_EQ(hints(on_writer), Hints { k_out }) << "no news for a pipe that already had room";

    reader->remove_observer(on_reader);
    close_writer(); // The writer's observer is told that its description went away.
    EXPECT_EQ(on_writer.released.size(), 1u);
    EXPECT_EQ(hints(on_reader), Hints { k_out }) << "a removed observer hears nothing more";
}

TEST_F(PipeTest, ClosingAnEndTellsTheOtherEndsObserversEverything)
{
    RecordingObserver on_reader;
    reader->add_observer(on_reader);
    close_writer();
    ASSERT_EQ(on_reader.notifications.size(), 1u);
    EXPECT_EQ(on_reader.notifications[0].second, static_cast<u32>(k_poll_all));
    EXPECT_TRUE(reader->readiness() & k_poll_hup);
    reader->remove_observer(on_reader);
}

}
