// SPDX-License-Identifier: MIT
// CoreLock: the one lock over all network state (lwIP's core, every socket's buffers and
// queues, the interfaces). Socket system calls and the stack's kernel thread take it around
// every call into lwIP; lwIP's callbacks run inside it, and may take it again (closing a socket
// from a callback, the stack thread delivering loopback packets): it is a spinlock its holder
// may take again, second in the runtime's lock order (after the RuntimeLock). Interrupt handlers
// never take it (drivers/network_device.h), so interrupts stay enabled while it is held; its
// holders are runtime code, never preempted. Nothing sleeps while holding it (unlocked()
// releases it around the sleep), and nothing outside it reads network state except the sockets'
// readiness(), which looks at single fields (never a pcb, which another CPU may free). Inet
// sockets' reads and writes run under it without the RuntimeLock (net/inet_socket_base.h), so
// with several CPUs it is what keeps them apart. lwIP asserts it
// (LWIP_ASSERT_CORE_LOCKED), and its outermost release runs the work deferred to the end of a
// call (delivering loopback packets, telling the stack's thread about a new, earlier timeout).
#pragma once

#include "lib/types.h"

namespace uk::net {

class CoreLock {
public:
    CoreLock();
    ~CoreLock();
    CoreLock(const CoreLock&) = delete;
    CoreLock& operator=(const CoreLock&) = delete;

    // Runs `f()` (a sleep) with the lock released, and returns what it returns. The caller
    // re-checks everything it looked at before.
    template<typename F>
    auto unlocked(F&& f)
    {
        release();
        auto result = f();
        acquire();
        return result;
    }

private:
    void acquire();
    void release();
};

// True while some code holds the core lock.
bool core_locked();

}
