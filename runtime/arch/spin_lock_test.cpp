// SPDX-License-Identifier: MIT
// The spinlocks and the debug build's lock-order check (arch/spin_lock.h), on the host's one CPU.
#include "arch/spin_lock.h"

#include <gtest/gtest.h>

namespace uk::arch {
namespace {

TEST(SpinLockTest, TracksItsHolder)
{
    SpinLock lock { LockRank::Heap };
    EXPECT_FALSE(lock.is_locked());
    EXPECT_FALSE(lock.is_held_here());
    lock.lock();
    EXPECT_TRUE(lock.is_locked());
    EXPECT_TRUE(lock.is_held_here());
    EXPECT_EQ(lock.owner(), this_cpu() + 1);
    EXPECT_FALSE(lock.try_lock()) << "a held lock cannot be taken again";
    lock.unlock();
    EXPECT_FALSE(lock.is_locked());
    EXPECT_TRUE(lock.try_lock());
    lock.unlock();
    EXPECT_EQ(this_cpu_held_locks(), 0u);
}

TEST(SpinLockTest, RecursiveLockCountsItsDepth)
{
    RecursiveSpinLock lock { LockRank::Scheduler };
    lock.lock();
    lock.lock();
    EXPECT_EQ(lock.depth(), 2u);
    lock.unlock();
    EXPECT_TRUE(lock.is_held_here());
    lock.unlock();
    EXPECT_FALSE(lock.is_held_here());
    EXPECT_EQ(this_cpu_held_locks(), 0u);
}

TEST(SpinLockTest, LocksNestInRankOrder)
{
    SpinLock runtime { LockRank::Runtime };
    SpinLock frames { LockRank::Frames };
    RecursiveSpinLock scheduler { LockRank::Scheduler };
    runtime.lock();
    scheduler.lock();
    frames.lock();
    frames.unlock();
    scheduler.unlock();
    runtime.unlock();
    EXPECT_EQ(this_cpu_held_locks(), 0u);
}

TEST(SpinLockDeathTest, TakingAnEarlierRankIsCaught)
{
    EXPECT_DEATH(
        {
            RecursiveSpinLock scheduler { LockRank::Scheduler };
            SpinLock runtime { LockRank::Runtime };
            scheduler.lock();
            runtime.lock();
        },
        "lock order: taking the RuntimeLock while holding the SchedulerLock");
}

TEST(SpinLockDeathTest, TwoLocksOfOneRankAreCaught)
{
    EXPECT_DEATH(
        {
            SpinLock a { LockRank::Heap };
            SpinLock b { LockRank::Heap };
            a.lock();
            b.lock();
        },
        "lock order: taking the kmalloc lock while holding the kmalloc lock");
}

TEST(SpinLockDeathTest, ReleasingALockNotHeldIsCaught)
{
    EXPECT_DEATH(
        {
            SpinLock lock { LockRank::Heap };
            lock.unlock();
        },
        "is_held_here");
}

}
}
