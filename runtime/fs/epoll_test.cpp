// SPDX-License-Identifier: MIT
// epoll on the fake machine: level-triggered, edge-triggered and one-shot reporting, errors and
// hangups always reported, a ready list that costs O(ready) (10,000 registrations, one
// notification, one look), nested instances and ELOOP, registrations that disappear with their
// target's last reference, and epoll_wait sleeping until another thread makes a target ready.
// [epoll(7)] [epoll_ctl(2)]
#include "host/threads.h"

#include "fs/epoll.h"
#include "fs/pipe.h"
#include "host/test_descriptions.h"

#include <vector>

namespace {

using namespace uk;
using namespace uk::fs;
using namespace uk::host;

constexpr u32 k_in = k_poll_in;

class EpollTest : public MachineTest {
protected:
    void SetUp() override
    {
        MachineTest::SetUp();
        epoll = create_epoll().value();
        FileDescription* ends[2];
        ASSERT_FALSE(create_pipe(ends, k_o_nonblock).is_error());
        reader = ends[0];
        writer = ends[1];
    }
    void TearDown() override
    {
        for (auto* d : { epoll, reader, writer })
            if (d)
                d->unref();
        MachineTest::TearDown();
    }

    int add(FileDescription& target, int fd, u32 events, u64 data, FileDescription* instance = nullptr)
    {
        EpollEvent event { events, data };
        auto r = epoll_control(instance ? *instance : *epoll, EpollOperation::Add, fd, target, &event);
        return r.is_error() ? r.error_code() : 0;
    }
    int modify(FileDescription& target, int fd, u32 events, u64 data)
    {
        EpollEvent event { events, data };
        auto r = epoll_control(*epoll, EpollOperation::Modify, fd, target, &event);
        return r.is_error() ? r.error_code() : 0;
    }
    // Ready events now, without sleeping (a deadline already past).
    std::vector<std::pair<u32, u64>> poll(FileDescription* instance = nullptr, size_t capacity = 16)
    {
        return wait(instance, capacity, machine::now_ns());
    }
    std::vector<std::pair<u32, u64>> wait(FileDescription* instance, size_t capacity, u64 deadline)
    {
        std::vector<EpollEvent> out(capacity);
        auto n = in_runtime([&] { return epoll_wait(instance ? *instance : *epoll, out.data(), capacity, deadline); });
        EXPECT_FALSE(n.is_error());
        std::vector<std::pair<u32, u64>> events;
        for (size_t i = 0; !n.is_error() && i < n.value(); ++i) {
            u32 ready = out[i].events; // Packed fields: copied, not referenced.
            u64 data = out[i].data;
            events.emplace_back(ready, data);
        }
        return events;
    }
    void put(size_t n)
    {
        std::vector<u8> data(n, 'x');
        ASSERT_EQ(writer->write(data.data(), n).value(), n);
    }
    void take(size_t n)
    {
        std::vector<u8> data(n);
        ASSERT_EQ(reader->read(data.data(), n).value(), n);
    }

    using Events = std::vector<std::pair<u32, u64>>;
    FileDescription* epoll = nullptr;
    FileDescription* reader = nullptr;
    FileDescription* writer = nullptr;
};

TEST_F(EpollTest, LevelTriggeredReportsAsLongAsTheTargetIsReady)
{
    ASSERT_EQ(add(*reader, 3, k_in, 42), 0);
    EXPECT_EQ(poll(), Events {});
    put(10);
    EXPECT_EQ(poll(), (Events { { k_in, 42 } }));
    EXPECT_EQ(poll(), (Events { { k_in, 42 } })) << "still readable";
    take(10);
    EXPECT_EQ(poll(), Events {});
}

TEST_F(EpollTest, EdgeTriggeredReportsEachArrivalOnce)
{
    ASSERT_EQ(add(*reader, 3, k_in | k_epoll_et, 7), 0);
    put(10);
    EXPECT_EQ(poll(), (Events { { k_in, 7 } }));
    EXPECT_EQ(poll(), Events {}) << "no new edge";
    take(5);
    EXPECT_EQ(poll(), Events {}) << "a read is no edge for POLLIN";
    put(1);
    EXPECT_EQ(poll(), (Events { { k_in, 7 } })) << "every arrival of data is an edge";
    put(k_pipe_capacity - 6);
    EXPECT_EQ(poll(), (Events { { k_in, 7 } }));
    take(5000); // The pipe stops being full: an edge for POLLOUT, not for POLLIN.
    EXPECT_EQ(poll(), Events {});
}

TEST_F(EpollTest, EdgeTriggeredPollOutFiresWhenTheFullPipeDrains)
{
    ASSERT_EQ(add(*writer, 4, static_cast<u32>(k_poll_out) | k_epoll_et, 9), 0);
    EXPECT_EQ(poll(), (Events { { k_poll_out, 9 } })) << "writable when added";
    put(k_pipe_capacity);
    EXPECT_EQ(poll(), Events {});
    take(1000);
    EXPECT_EQ(poll(), Events {}) << "still full as far as POLLOUT goes";
    take(4000);
    EXPECT_EQ(poll(), (Events { { k_poll_out, 9 } }));
}

TEST_F(EpollTest, OneShotReportsOnceUntilModified)
{
    ASSERT_EQ(add(*reader, 3, k_in | k_epoll_oneshot, 1), 0);
    put(1);
    EXPECT_EQ(poll(), (Events { { k_in, 1 } }));
    EXPECT_EQ(poll(), Events {});
    put(1);
    EXPECT_EQ(poll(), Events {}) << "disabled until EPOLL_CTL_MOD";
    ASSERT_EQ(modify(*reader, 3, k_in | k_epoll_oneshot, 2), 0);
    EXPECT_EQ(poll(), (Events { { k_in, 2 } }));
    EXPECT_EQ(poll(), Events {});
}

TEST_F(EpollTest, ErrorsAndHangupsAreAlwaysReported)
{
    ASSERT_EQ(add(*reader, 3, 0, 5), 0);
    ASSERT_EQ(add(*writer, 4, 0, 6), 0);
    put(1);
    EXPECT_EQ(poll(), Events {}) << "no events asked for";
    std::exchange(writer, nullptr)->unref();
    EXPECT_EQ(poll(), (Events { { k_poll_hup, 5 } }));
    FileDescription* ends[2];
    ASSERT_FALSE(create_pipe(ends, k_o_nonblock).is_error());
    ASSERT_EQ(add(*ends[1], 8, k_in, 8), 0);
    ends[0]->unref();
    EXPECT_EQ(poll(), (Events { { k_poll_hup, 5 }, { k_poll_err, 8 } }));
    ends[1]->unref();
}

TEST_F(EpollTest, ControlErrorsAsLinuxGivesThem)
{
    EpollEvent event { k_in, 0 };
    EXPECT_EQ(add(*epoll, 5, k_in, 0), EINVAL) << "an instance cannot watch itself";
    ASSERT_EQ(add(*reader, 3, k_in, 0), 0);
    EXPECT_EQ(add(*reader, 3, k_in, 0), EEXIST);
    EXPECT_EQ(add(*reader, 4, k_in, 0), 0) << "the same description under another number is another registration";
    EXPECT_EQ(modify(*writer, 9, k_in, 0), ENOENT);
    EXPECT_EQ(epoll_control(*epoll, EpollOperation::Delete, 9, *writer, nullptr).error_code(), ENOENT);
    EXPECT_EQ(epoll_control(*epoll, EpollOperation::Delete, 4, *reader, nullptr).is_error(), false);
    EXPECT_EQ(epoll_control(*reader, EpollOperation::Add, 4, *writer, &event).error_code(), EINVAL)
        << "not an epoll instance";
    TestFile* file = make_test_file(DescriptionKind::RegularFile);
    EXPECT_EQ(add(*file, 6, k_in, 0), EPERM) << "regular files are always ready";
    file->unref();
    EXPECT_EQ(add(*writer, 7, static_cast<u32>(k_poll_out) | k_epoll_exclusive, 0), 0);
    EXPECT_EQ(modify(*writer, 7, k_poll_out, 0), EINVAL) << "EPOLLEXCLUSIVE registrations cannot be modified";
    EXPECT_EQ(add(*writer, 8, static_cast<u32>(k_poll_out) | k_epoll_exclusive | k_epoll_oneshot, 0), EINVAL);
}

// The ready list holds what was notified: with 10,000 registrations and one notification,
// epoll_wait looks at one target, not at all of them.
TEST_F(EpollTest, WaitCostsOrderOfReadyNotOfRegistered)
{
    constexpr int k_count = 10'000;
    std::vector<TestFile*> files;
    for (int i = 0; i < k_count; ++i) {
        files.push_back(make_test_file());
        ASSERT_EQ(add(*files.back(), i, k_in, static_cast<u64>(i)), 0);
    }
    for (TestFile* f : files)
        f->asked = 0;
    EXPECT_EQ(poll(), Events {});
    files[6789]->set_ready(k_in, k_in);
    EXPECT_EQ(poll(), (Events { { k_in, 6789 } }));
    u64 asked = 0;
    for (TestFile* f : files)
        asked += f->asked;
    EXPECT_EQ(asked, 1u) << "epoll_wait looked at targets that nothing had notified";
    // A notification whose events the registration did not ask for queues nothing.
    files[1]->set_ready(k_poll_out, k_poll_out);
    EXPECT_EQ(poll(), (Events { { k_in, 6789 } }));
    EXPECT_EQ(files[1]->asked, 0u) << "a notification of events nobody asked for was queued";
    for (TestFile* f : files)
        f->unref();
    EXPECT_EQ(poll(), Events {}) << "the registrations went with their targets";
}

TEST_F(EpollTest, RegistrationsGoWithTheTargetsLastReference)
{
    int released = 0;
    TestFile* file = make_test_file(DescriptionKind::Socket, &released);
    ASSERT_EQ(add(*file, 5, k_in, 55), 0);
    file->ref(); // A second descriptor (dup).
    file->set_ready(k_in, k_in);
    file->unref();
    EXPECT_EQ(poll(), (Events { { k_in, 55 } })) << "one descriptor closed: the registration stays";
    file->unref();
    EXPECT_EQ(released, 1);
    EXPECT_EQ(poll(), Events {}) << "the last reference is gone, and so is the registration";

    // The other way round: the instance goes first; the target must not notify a freed instance.
    TestFile* survivor = make_test_file();
    ASSERT_EQ(add(*survivor, 6, k_in, 66), 0);
    std::exchange(epoll, nullptr)->unref();
    survivor->set_ready(k_in, k_in); // AddressSanitizer would catch a use after free here.
    survivor->unref();
}

TEST_F(EpollTest, NestedInstancesPropagateReadinessAndLoopsAreRefused)
{
    FileDescription* inner = create_epoll().value();
    ASSERT_EQ(add(*reader, 3, k_in, 33, inner), 0);
    ASSERT_EQ(add(*inner, 10, k_in, 100), 0);
    EXPECT_EQ(add(*epoll, 11, k_in, 0, inner), ELOOP) << "a cycle of two";
    FileDescription* third = create_epoll().value();
    ASSERT_EQ(add(*epoll, 12, k_in, 0, third), 0);
    EXPECT_EQ(add(*third, 13, k_in, 0, inner), ELOOP) << "a cycle of three";

    EXPECT_EQ(poll(), Events {});
    put(1);
    EXPECT_EQ(poll(), (Events { { k_in, 100 } })) << "the inner instance is readable";
    EXPECT_EQ(poll(inner), (Events { { k_in, 33 } }));
    EXPECT_EQ(poll(third), (Events { { k_in, 0 } }));
    take(1);
    EXPECT_EQ(poll(), Events {});
    third->unref();
    inner->unref();
}

TEST_F(EpollTest, WaitSleepsUntilAnotherThreadMakesATargetReady)
{
    ASSERT_EQ(add(*reader, 3, k_in, 3), 0);
    Events got;
    u64 woke_at = 0;
    ProgramThread waiter([&] {
        got = wait(nullptr, 4, 0);
        woke_at = machine::now_ns();
    });
    sched::yield();
    EXPECT_TRUE(got.empty());
    machine::run_for(1'000'000);
    put(1);
    waiter.join();
    EXPECT_EQ(got, (Events { { k_in, 3 } }));
    EXPECT_EQ(woke_at, machine::now_ns());

    // With nothing ready and a deadline, it times out then; with nothing any thread could make
    // ready, the wait is a deadlock.
    take(1);
    u64 deadline = machine::now_ns() + 4'000'000;
    EXPECT_EQ(wait(nullptr, 4, deadline), Events {});
    EXPECT_EQ(machine::now_ns(), deadline);
    std::vector<EpollEvent> out(1);
    EXPECT_EQ(in_runtime([&] { return epoll_wait(*epoll, out.data(), 1, 0); }).error_code(), EDEADLK);
}

TEST_F(EpollTest, AFullOutputArrayDoesNotStarveTheOthers)
{
    std::vector<TestFile*> files;
    for (int i = 0; i < 4; ++i) {
        files.push_back(make_test_file());
        files.back()->ready = k_in;
        ASSERT_EQ(add(*files.back(), i, k_in, static_cast<u64>(i)), 0);
    }
    EXPECT_EQ(poll(nullptr, 3), (Events { { k_in, 0 }, { k_in, 1 }, { k_in, 2 } }));
    EXPECT_EQ(poll(nullptr, 3), (Events { { k_in, 3 }, { k_in, 0 }, { k_in, 1 } }));
    for (TestFile* f : files)
        f->unref();
}

}
