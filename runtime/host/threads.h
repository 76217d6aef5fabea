// SPDX-License-Identifier: MIT
// Test support for the fake machine (host/machine.h): program threads made the way musl's
// pthread_create makes them, and a GoogleTest fixture that boots the machine and checks that each
// test leaves the scheduler as it found it.
#pragma once

// The runtime's headers come before the C library's (lib/errno.h declares the errno names that
// <cerrno> would define as macros): including this header first settles the order for a test.
#include "host/machine.h"
#include "lib/errno.h"
#include "lib/types.h"
#include "sched/scheduler.h"

#include <functional>
#include <gtest/gtest.h>

namespace uk::host {

// A program thread running `body` on a stack of its own (from the C heap, announced to the
// machine), with its FS base set to the object's address and a clear-child-tid word that its exit
// clears and futex-wakes; join() waits on that word as pthread_join does. Create and join from
// program code (outside the runtime).
class ProgramThread {
public:
    explicit ProgramThread(std::function<void()> body, size_t stack_size = 256 * 1024);
    ~ProgramThread(); // Joins.
    ProgramThread(const ProgramThread&) = delete;
    ProgramThread& operator=(const ProgramThread&) = delete;

    void join();
    int tid() const { return m_tid; }
    bool exited() const { return __atomic_load_n(&m_child_tid, __ATOMIC_ACQUIRE) == 0; }
    u64 tls() const { return reinterpret_cast<u64>(this); }
    u64 stack_base() const { return reinterpret_cast<u64>(m_stack); }
    size_t stack_size() const { return m_stack_size; }

private:
    static int entry(void* self);

    std::function<void()> m_body;
    void* m_stack = nullptr;
    size_t m_stack_size;
    int m_tid = 0;
    int m_child_tid = 0;
    bool m_joined = false;
};

// Runs `work` as runtime code (preemption disabled, as a system call does).
template<typename Work>
auto in_runtime(Work&& work);

class MachineTest : public ::testing::Test {
protected:
    void SetUp() override;
    void TearDown() override;
};

}

namespace uk::host {
template<typename Work>
auto in_runtime(Work&& work)
{
    sched::PreemptGuard guard;
    return work();
}
}
