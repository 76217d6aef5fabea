// SPDX-License-Identifier: MIT
// CoreLock: the recursive spinlock and the deferred work run at the outermost release.
#include "net/core_lock.h"

#include "arch/spin_lock.h"
#include "lib/verify.h"
#include "net/stack.h"

namespace uk::net {

namespace {
constinit arch::RecursiveSpinLock g_lock { arch::LockRank::Network };
}

CoreLock::CoreLock() { acquire(); }
CoreLock::~CoreLock() { release(); }

void CoreLock::acquire() { g_lock.lock(); }

void CoreLock::release()
{
    VERIFY(g_lock.is_held_here());
    if (g_lock.depth() == 1)
        finish_core_work_locked();
    g_lock.unlock();
}

bool core_locked() { return g_lock.is_held_here(); }

}

extern "C" void uk_lwip_assert_core_locked(void)
{
    VERIFY(uk::net::core_locked());
}
