// SPDX-License-Identifier: MIT
// The lock-order check of debug builds (UKSDK_RUNTIME_DEBUG): each CPU keeps the ranks of the
// locks it holds, and taking a lock whose rank is not later than all of them is a bug that could
// deadlock two CPUs, reported where it happens rather than when it finally does.
#include "arch/spin_lock.h"

#ifdef UKSDK_RUNTIME_DEBUG

namespace uk::arch {

namespace {

const char* rank_name(u32 rank)
{
    switch (static_cast<LockRank>(rank)) {
    case LockRank::Runtime: return "RuntimeLock";
    case LockRank::Network: return "network core lock";
    case LockRank::Descriptors: return "descriptor-table lock";
    case LockRank::AddressSpace: return "address-space lock";
    case LockRank::PageTables: return "page-table lock";
    case LockRank::Scheduler: return "SchedulerLock";
    case LockRank::Heap: return "kmalloc lock";
    case LockRank::Frames: return "frame-allocator lock";
    case LockRank::Devices: return "device-register lock";
    case LockRank::Console: return "console lock";
    }
    return "?";
}

} // namespace

void note_lock_acquired(LockRank rank)
{
    u32& held = this_cpu_held_locks();
    u32 bit = 1u << static_cast<u32>(rank);
    if (u32 later = held & ~(bit - 1)) {
        held = 0; // The report takes locks of its own.
        panic("lock order: taking the %s while holding the %s", rank_name(static_cast<u32>(rank)),
            rank_name(31 - static_cast<u32>(__builtin_clz(later))));
    }
    held |= bit;
}

void note_lock_released(LockRank rank) { this_cpu_held_locks() &= ~(1u << static_cast<u32>(rank)); }

}

#endif
