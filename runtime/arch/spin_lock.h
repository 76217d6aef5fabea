// SPDX-License-Identifier: MIT
// Spinlocks for the runtime on many CPUs: SpinLock (test-and-test-and-set), RecursiveSpinLock (the
// SchedulerLock, which code that already holds it may take again, as it could disable interrupts
// again), the ranks that fix the order in which locks nest, and the guards that take them with
// interrupts left alone or saved and disabled. docs/architecture.md ("Locking on many CPUs")
// says what each lock protects.
//
// Test-and-test-and-set rather than tickets: the vCPUs of a VM are threads the host may
// deschedule at any time, and a ticket lock hands the lock in a fixed order, so one descheduled
// waiter would stall every CPU behind it; here whichever CPU runs takes the lock.
//
// In a debug build (UKSDK_RUNTIME_DEBUG) every acquisition checks the order (no lock of the same
// or a later rank may be held on this CPU), every release that this CPU holds the lock, and
// VERIFY_HELD(lock) checks the `_locked` functions' contract; an image built normally pays for
// none of it. The owner is recorded in every build: is_held_here() is how the runtime tells
// whether it already holds the RuntimeLock, and crash reports name the locks held.
#pragma once

#include "arch/arch.h"

// Lock and unlock are a few instructions: always inline, whatever -Os thinks (a call and its
// return cost more under TCG, and the guard's address would earn the caller a stack protector).
#define UK_LOCK_INLINE [[gnu::always_inline]]
#include "lib/types.h"
#include "lib/verify.h"

namespace uk::arch {

// The ranks, outermost first: a lock may be taken only while every lock this CPU holds has an
// earlier rank. One bit each in the per-CPU mask of held ranks (debug builds).
enum class LockRank : u8 {
    Runtime = 1,      // The RuntimeLock: the runtime's state not listed below.
    Network = 2,      // net::CoreLock: lwIP and the inet sockets' state.
    Descriptors = 3,  // The descriptor table's slots (fs/fd_table).
    AddressSpace = 4, // The program's regions (mm/address_space).
    PageTables = 5,   // The page tables and TLB shootdowns (arch/x86_64/paging).
    Scheduler = 6,    // The SchedulerLock: threads, queues, timers, and what interrupt handlers share.
    Heap = 7,         // kmalloc's slabs.
    Frames = 8,       // The frame allocator and the commit charge.
    Devices = 9,      // Registers shared by drivers (PCI configuration space, interrupt routing).
    Console = 10,     // Whole lines on the UART.
};

#ifdef UKSDK_RUNTIME_DEBUG
void note_lock_acquired(LockRank rank);
void note_lock_released(LockRank rank);
#define VERIFY_HELD(lock) VERIFY((lock).is_held_here())
#else
inline void note_lock_acquired(LockRank) {}
inline void note_lock_released(LockRank) {}
#define VERIFY_HELD(lock) ((void)0)
#endif

class SpinLock {
public:
    constexpr explicit SpinLock(LockRank rank) : m_rank(rank) {}
    SpinLock(const SpinLock&) = delete;
    SpinLock& operator=(const SpinLock&) = delete;

    UK_LOCK_INLINE void lock()
    {
        note_lock_acquired(m_rank);
        if (__atomic_exchange_n(&m_locked, 1u, __ATOMIC_ACQUIRE)) [[unlikely]]
            lock_contended();
        __atomic_store_n(&m_owner, this_cpu() + 1, __ATOMIC_RELAXED);
    }

    UK_LOCK_INLINE bool try_lock()
    {
        if (__atomic_load_n(&m_locked, __ATOMIC_RELAXED) || __atomic_exchange_n(&m_locked, 1u, __ATOMIC_ACQUIRE))
            return false;
        note_lock_acquired(m_rank);
        __atomic_store_n(&m_owner, this_cpu() + 1, __ATOMIC_RELAXED);
        return true;
    }

    UK_LOCK_INLINE void unlock()
    {
#ifdef UKSDK_RUNTIME_DEBUG
        VERIFY(is_held_here());
#endif
        __atomic_store_n(&m_owner, 0u, __ATOMIC_RELAXED);
        note_lock_released(m_rank);
        __atomic_store_n(&m_locked, 0u, __ATOMIC_RELEASE);
    }

    // Only this CPU ever stores its own number as the owner, so reading it back means it holds
    // the lock, whatever other CPUs do meanwhile.
    UK_LOCK_INLINE bool is_held_here() const { return __atomic_load_n(&m_owner, __ATOMIC_RELAXED) == this_cpu() + 1; }
    bool is_locked() const { return __atomic_load_n(&m_locked, __ATOMIC_RELAXED) != 0; }
    // The CPU holding it plus one, or 0 (crash reports).
    u32 owner() const { return __atomic_load_n(&m_owner, __ATOMIC_RELAXED); }
    LockRank rank() const { return m_rank; }

private:
    [[gnu::noinline]] void lock_contended()
    {
        do {
            while (__atomic_load_n(&m_locked, __ATOMIC_RELAXED))
                spin_wait();
        } while (__atomic_exchange_n(&m_locked, 1u, __ATOMIC_ACQUIRE));
    }

    u32 m_locked = 0;
    u32 m_owner = 0;
    LockRank m_rank;
};

// A spinlock its holder may take again (each lock() matched by an unlock()). The depth belongs to
// the CPU: when the holder switches threads with the lock held, the scheduler saves its depth and
// gives the CPU the depth of the thread it switches to (set_depth).
class RecursiveSpinLock {
public:
    constexpr explicit RecursiveSpinLock(LockRank rank) : m_lock(rank) {}

    UK_LOCK_INLINE void lock()
    {
        if (m_lock.is_held_here()) {
            ++m_depth;
            return;
        }
        m_lock.lock();
        m_depth = 1;
    }

    UK_LOCK_INLINE void unlock()
    {
#ifdef UKSDK_RUNTIME_DEBUG
        VERIFY(m_lock.is_held_here() && m_depth > 0);
#endif
        if (--m_depth == 0)
            m_lock.unlock();
    }

    UK_LOCK_INLINE bool is_held_here() const { return m_lock.is_held_here(); }
    u32 owner() const { return m_lock.owner(); }
    u32 depth() const { return m_depth; }
    void set_depth(u32 depth) { m_depth = depth; }

private:
    SpinLock m_lock;
    u32 m_depth = 0; // Written only by the holder.
};

// Holds `lock` for a scope; interrupts are left as they are.
template<typename Lock>
class LockGuard {
public:
    UK_LOCK_INLINE explicit LockGuard(Lock& lock) : m_lock(lock) { m_lock.lock(); }
    UK_LOCK_INLINE ~LockGuard() { m_lock.unlock(); }
    LockGuard(const LockGuard&) = delete;
    LockGuard& operator=(const LockGuard&) = delete;

private:
    Lock& m_lock;
};

// Holds `lock` for a scope with interrupts disabled while other CPUs run: for a lock taken under
// the SchedulerLock (the allocators'), which an interrupt handler on this CPU could otherwise
// wait for while another CPU, holding it, waits for this lock. With one CPU there is no other
// CPU, and interrupts stay as they are (under TCG each re-enabling costs a translation-block
// exit).
template<typename Lock>
class SmpIrqLockGuard {
public:
    UK_LOCK_INLINE explicit SmpIrqLockGuard(Lock& lock) : m_lock(lock), m_disabled(cpus_online() > 1)
    {
        if (m_disabled)
            m_saved = save_and_disable_interrupts();
        m_lock.lock();
    }
    UK_LOCK_INLINE ~SmpIrqLockGuard()
    {
        m_lock.unlock();
        if (m_disabled)
            restore_interrupts(m_saved);
    }
    SmpIrqLockGuard(const SmpIrqLockGuard&) = delete;
    SmpIrqLockGuard& operator=(const SmpIrqLockGuard&) = delete;

private:
    Lock& m_lock;
    bool m_disabled;
    u64 m_saved = 0;
};

// Holds `lock` for a scope with interrupts disabled on this CPU: for state that interrupt handlers
// also take the lock for (an interrupt on this CPU while it held the lock would spin forever).
template<typename Lock>
class IrqLockGuard {
public:
    UK_LOCK_INLINE explicit IrqLockGuard(Lock& lock) : m_lock(lock), m_saved(save_and_disable_interrupts()) { m_lock.lock(); }
    UK_LOCK_INLINE ~IrqLockGuard()
    {
        m_lock.unlock();
        restore_interrupts(m_saved);
    }
    IrqLockGuard(const IrqLockGuard&) = delete;
    IrqLockGuard& operator=(const IrqLockGuard&) = delete;

private:
    Lock& m_lock;
    u64 m_saved;
};

}
