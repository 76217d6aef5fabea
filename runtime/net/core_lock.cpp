// SPDX-License-Identifier: MIT
// CoreLock's bookkeeping: the nesting depth and the deferred work run at the outermost release.
#include "net/core_lock.h"

#include "lib/verify.h"
#include "net/stack.h"

namespace uk::net {

namespace {
// Nesting depth: lwIP callbacks run inside a locked call and may lock again (closing a socket
// from a callback, the stack thread delivering loopback packets).
int g_depth;
}

CoreLock::CoreLock() { acquire(); }
CoreLock::~CoreLock() { release(); }

void CoreLock::acquire() { ++g_depth; }

void CoreLock::release()
{
    VERIFY(g_depth > 0);
    if (g_depth == 1)
        finish_core_work_locked();
    --g_depth;
}

bool core_locked() { return g_depth > 0; }

}

extern "C" void uk_lwip_assert_core_locked(void)
{
    VERIFY(uk::net::core_locked());
}
