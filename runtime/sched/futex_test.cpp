// SPDX-License-Identifier: MIT
// Futexes on the fake machine: wait and wake, bitsets, requeue, words sharing a hash bucket,
// timeouts, priority-inheritance locks (hand-off order, EPERM, EDEADLK) and the robust-list walk
// of an exiting thread. [futex(2)] [set_robust_list(2)]
#include "host/threads.h"

#include "sched/futex.h"
#include "sched/scheduler.h"

#include <climits>
#include <vector>

namespace {

using namespace uk;
using namespace uk::host;
using namespace uk::sched;

class FutexTest : public MachineTest {};

constexpr u64 k_ms = 1'000'000;

u64 address_of(int& word) { return reinterpret_cast<u64>(&word); }
int error_of(Result<void> r) { return r.is_error() ? r.error_code() : 0; }

Result<void> wait(int& word, int expected, u64 deadline = 0, u32 bitset = ~0u)
{
    return in_runtime([&] { return futex_wait(address_of(word), static_cast<u32>(expected), deadline, bitset); });
}

long wake(int& word, int count = INT_MAX, u32 bitset = ~0u)
{
    auto woken = in_runtime([&] { return futex_wake(address_of(word), count, bitset); });
    EXPECT_FALSE(woken.is_error());
    return woken.is_error() ? -1 : woken.value();
}

TEST_F(FutexTest, WaitSleepsUntilWokenAndChecksTheWordFirst)
{
    int word = 0;
    int result = -1;
    ProgramThread waiter([&] { result = error_of(wait(word, 0)); });
    sched::yield();
    EXPECT_EQ(result, -1);
    word = 1;
    EXPECT_EQ(wake(word, 1), 1);
    waiter.join();
    EXPECT_EQ(result, 0);
    EXPECT_EQ(error_of(wait(word, 0)), EAGAIN) << "the word no longer holds the expected value";
    EXPECT_EQ(error_of(wait(word, 1, 0, 0)), EINVAL) << "an empty bitset";
    EXPECT_EQ(wake(word), 0);
}

TEST_F(FutexTest, WaitTimesOutAtItsDeadline)
{
    int word = 0;
    u64 deadline = machine::now_ns() + 3 * k_ms;
    EXPECT_EQ(error_of(wait(word, 0, deadline)), ETIMEDOUT);
    EXPECT_EQ(machine::now_ns(), deadline);
}

TEST_F(FutexTest, WaitThatNoThreadCanEndIsADeadlock)
{
    int word = 0;
    EXPECT_EQ(error_of(wait(word, 0)), EDEADLK);
}

TEST_F(FutexTest, WakeWakesAtMostCountInArrivalOrder)
{
    int word = 0;
    std::vector<int> order;
    auto waiter = [&](int id) {
        return [&, id] {
            EXPECT_EQ(error_of(wait(word, 0)), 0);
            order.push_back(id);
        };
    };
    ProgramThread a(waiter(1)), b(waiter(2)), c(waiter(3)), d(waiter(4));
    sched::yield();
    EXPECT_EQ(wake(word, 2), 2);
    sched::yield();
    EXPECT_EQ(order, (std::vector<int> { 1, 2 }));
    EXPECT_EQ(wake(word), 2);
    a.join();
    b.join();
    c.join();
    d.join();
    EXPECT_EQ(order, (std::vector<int> { 1, 2, 3, 4 }));
}

// Words 256 bytes apart share a hash bucket (64 buckets of 4-byte words): a wake on one must not
// reach the other's waiters, nor count them.
TEST_F(FutexTest, WordsSharingABucketAreWokenSeparately)
{
    alignas(256) int words[65] {};
    int& first = words[0];
    int& second = words[64];
    int woken_first = 0, woken_second = 0;
    ProgramThread a([&] {
        EXPECT_EQ(error_of(wait(first, 0)), 0);
        ++woken_first;
    });
    ProgramThread b([&] {
        EXPECT_EQ(error_of(wait(second, 0)), 0);
        ++woken_second;
    });
    sched::yield();
    EXPECT_EQ(wake(second), 1);
    sched::yield();
    EXPECT_EQ(woken_second, 1);
    EXPECT_EQ(woken_first, 0);
    EXPECT_EQ(wake(first), 1);
    a.join();
    b.join();
}

TEST_F(FutexTest, BitsetWakesOnlyWaitersWhoseBitsIntersect)
{
    int word = 0;
    std::vector<int> woken;
    ProgramThread one([&] {
        EXPECT_EQ(error_of(wait(word, 0, 0, 0x1)), 0);
        woken.push_back(1);
    });
    ProgramThread two([&] {
        EXPECT_EQ(error_of(wait(word, 0, 0, 0x2)), 0);
        woken.push_back(2);
    });
    sched::yield();
    EXPECT_EQ(wake(word, INT_MAX, 0x2), 1);
    EXPECT_EQ(wake(word, INT_MAX, 0x4), 0);
    sched::yield();
    EXPECT_EQ(woken, (std::vector<int> { 2 }));
    EXPECT_EQ(wake(word, INT_MAX, 0x3), 1);
    one.join();
    two.join();
}

void check_requeue(int& from, int& to)
{
    std::vector<int> woken;
    auto waiter = [&](int id) {
        return [&, id] {
            EXPECT_EQ(error_of(wait(from, 0)), 0);
            woken.push_back(id);
        };
    };
    ProgramThread a(waiter(1)), b(waiter(2)), c(waiter(3));
    sched::yield();
    auto moved = in_runtime([&] { return futex_requeue(address_of(from), 1, 1, address_of(to)); });
    ASSERT_FALSE(moved.is_error());
    EXPECT_EQ(moved.value(), 2) << "one woken plus one requeued";
    sched::yield();
    EXPECT_EQ(woken, (std::vector<int> { 1 }));
    EXPECT_EQ(wake(to), 1) << "the second waiter now waits on the target";
    sched::yield();
    EXPECT_EQ(woken, (std::vector<int> { 1, 2 }));
    EXPECT_EQ(wake(to), 0);
    EXPECT_EQ(wake(from), 1) << "the third waiter stayed";
    a.join();
    b.join();
    c.join();
}

TEST_F(FutexTest, RequeueWakesSomeAndMovesOthersAcrossBuckets)
{
    alignas(64) int words[2] {};
    check_requeue(words[0], words[1]);
}

TEST_F(FutexTest, RequeueWakesSomeAndMovesOthersWithinABucket)
{
    alignas(256) int words[65] {};
    check_requeue(words[0], words[64]);
}

int error_of_pi(Result<void> r) { return error_of(r); }

TEST_F(FutexTest, PiLockOwnershipErrors)
{
    int word = 0;
    int me = sched::current_thread().tid;
    EXPECT_EQ(error_of_pi(in_runtime([&] { return futex_lock_pi(address_of(word), 0); })), 0);
    EXPECT_EQ(static_cast<u32>(word), static_cast<u32>(me));
    EXPECT_EQ(error_of_pi(in_runtime([&] { return futex_lock_pi(address_of(word), 0); })), EDEADLK);
    EXPECT_EQ(error_of_pi(in_runtime([&] { return futex_trylock_pi(address_of(word)); })), EDEADLK);
    int other_unlock = 0, other_trylock = 0, other_timed = 0;
    u64 deadline = machine::now_ns() + 2 * k_ms;
    ProgramThread other([&] {
        other_unlock = error_of_pi(in_runtime([&] { return futex_unlock_pi(address_of(word)); }));
        other_trylock = error_of_pi(in_runtime([&] { return futex_trylock_pi(address_of(word)); }));
        other_timed = error_of_pi(in_runtime([&] { return futex_lock_pi(address_of(word), deadline); }));
    });
    other.join();
    EXPECT_EQ(other_unlock, EPERM);
    EXPECT_EQ(other_trylock, EAGAIN);
    EXPECT_EQ(other_timed, ETIMEDOUT);
    EXPECT_EQ(machine::now_ns(), deadline);
    // The timed-out waiter left FUTEX_WAITERS behind: the unlock comes to the runtime, which finds
    // nobody waiting and frees the word.
    EXPECT_EQ(static_cast<u32>(word), static_cast<u32>(me) | k_futex_waiters);
    EXPECT_EQ(error_of_pi(in_runtime([&] { return futex_unlock_pi(address_of(word)); })), 0);
    EXPECT_EQ(word, 0);
}

TEST_F(FutexTest, PiUnlockHandsTheLockToWaitersInArrivalOrder)
{
    int word = 0;
    std::vector<int> order;
    auto locker = [&](int id) {
        return [&, id] {
            EXPECT_EQ(error_of_pi(in_runtime([&] { return futex_lock_pi(address_of(word), 0); })), 0);
            EXPECT_EQ(static_cast<u32>(word) & k_futex_tid_mask, static_cast<u32>(sched::current_thread().tid));
            order.push_back(id);
            EXPECT_EQ(error_of_pi(in_runtime([&] { return futex_unlock_pi(address_of(word)); })), 0);
        };
    };
    ASSERT_EQ(error_of_pi(in_runtime([&] { return futex_lock_pi(address_of(word), 0); })), 0);
    ProgramThread b(locker(2)), c(locker(3)), d(locker(4));
    sched::yield();
    EXPECT_TRUE(order.empty());
    EXPECT_EQ(static_cast<u32>(word), static_cast<u32>(sched::current_thread().tid) | k_futex_waiters);
    ASSERT_EQ(error_of_pi(in_runtime([&] { return futex_unlock_pi(address_of(word)); })), 0);
    // Handed straight to the first waiter, before it even runs; the others still wait.
    EXPECT_EQ(static_cast<u32>(word), static_cast<u32>(b.tid()) | k_futex_waiters);
    b.join();
    c.join();
    d.join();
    EXPECT_EQ(order, (std::vector<int> { 2, 3, 4 }));
    EXPECT_EQ(word, 0);
}

// struct robust_list_head and a mutex on the list, as musl lays them out: the list links the
// mutexes' `next` fields, and futex_offset says where the lock word is from there.
struct RobustMutex {
    u64 next;
    int lock;
};
struct RobustListHead {
    u64 next;
    i64 futex_offset;
    u64 list_op_pending;
};
constexpr i64 k_offset = offsetof(RobustMutex, lock) - offsetof(RobustMutex, next);

TEST_F(FutexTest, ExitingOwnerReleasesItsRobustFutexesAndWakesAWaiter)
{
    RobustListHead head {};
    RobustMutex contended {}, free_of_waiters {}, others {}, pending {};
    int waiter_result = -1;
    u32 seen_by_waiter = 0;
    ProgramThread owner([&] {
        u32 tid = static_cast<u32>(sched::current_thread().tid);
        head.futex_offset = k_offset;
        head.next = reinterpret_cast<u64>(&contended);
        contended.next = reinterpret_cast<u64>(&free_of_waiters);
        free_of_waiters.next = reinterpret_cast<u64>(&others);
        others.next = reinterpret_cast<u64>(&head);
        contended.lock = static_cast<int>(tid | k_futex_waiters);
        free_of_waiters.lock = static_cast<int>(tid);
        others.lock = 12345; // Someone else's: left alone.
        pending.lock = static_cast<int>(tid); // Being locked when the thread died.
        head.list_op_pending = reinterpret_cast<u64>(&pending);
        sched::current_thread().robust_list = reinterpret_cast<u64>(&head);
        sched::yield(); // Let the waiter block on `contended`, then exit holding everything.
    });
    ProgramThread waiter([&] {
        int value = contended.lock;
        waiter_result = error_of(wait(contended.lock, value));
        seen_by_waiter = static_cast<u32>(contended.lock);
    });
    owner.join();
    waiter.join();
    EXPECT_EQ(waiter_result, 0) << "the waiter was woken";
    EXPECT_EQ(seen_by_waiter, k_futex_waiters | k_futex_owner_died);
    EXPECT_EQ(static_cast<u32>(free_of_waiters.lock), k_futex_owner_died);
    EXPECT_EQ(others.lock, 12345);
    EXPECT_EQ(static_cast<u32>(pending.lock), k_futex_owner_died);
}

TEST_F(FutexTest, PiWaiterTakesOverFromAnOwnerThatDiedWithTheLock)
{
    RobustListHead head {};
    RobustMutex mutex {};
    int result = -1;
    u32 seen = 0;
    int waiter_tid = 0;
    ProgramThread owner([&] {
        head.futex_offset = k_offset;
        head.next = reinterpret_cast<u64>(&mutex);
        mutex.next = reinterpret_cast<u64>(&head);
        EXPECT_EQ(error_of_pi(in_runtime([&] { return futex_lock_pi(address_of(mutex.lock), 0); })), 0);
        sched::current_thread().robust_list = reinterpret_cast<u64>(&head);
        sched::yield();
    });
    ProgramThread waiter([&] {
        waiter_tid = sched::current_thread().tid;
        result = error_of_pi(in_runtime([&] { return futex_lock_pi(address_of(mutex.lock), 0); }));
        seen = static_cast<u32>(mutex.lock);
    });
    owner.join();
    waiter.join();
    EXPECT_EQ(result, 0);
    // FUTEX_WAITERS may stay set (harmless: the unlock then asks the runtime, which finds no one).
    EXPECT_EQ(seen & ~k_futex_waiters, static_cast<u32>(waiter_tid) | k_futex_owner_died);
}

TEST_F(FutexTest, RobustListWalkSurvivesCyclesAndBadPointers)
{
    RobustListHead head {};
    RobustMutex looped {};
    RobustListHead bogus { 8, 0, 0 }; // Points into the null page.
    ProgramThread cyclic([&] {
        head.futex_offset = k_offset;
        head.next = reinterpret_cast<u64>(&looped);
        looped.next = reinterpret_cast<u64>(&looped); // Never gets back to the head.
        looped.lock = sched::current_thread().tid;
        sched::current_thread().robust_list = reinterpret_cast<u64>(&head);
    });
    cyclic.join();
    EXPECT_EQ(static_cast<u32>(looped.lock), k_futex_owner_died);
    ProgramThread broken([&] { sched::current_thread().robust_list = reinterpret_cast<u64>(&bogus); });
    broken.join();
    ProgramThread misaligned([&] { sched::current_thread().robust_list = reinterpret_cast<u64>(&bogus) + 1; });
    misaligned.join();
}

}
