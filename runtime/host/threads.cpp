// SPDX-License-Identifier: MIT
// Program threads and the test fixture for the fake machine.
#include "host/threads.h"

#include "arch/arch.h"
#include "lib/errno.h"
#include "sched/futex.h"
#include "sched/scheduler.h"
#include "sched/signal.h"

#include <stdlib.h>

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#endif

namespace uk::host {

ProgramThread::ProgramThread(std::function<void()> body, size_t stack_size)
    : m_body(static_cast<std::function<void()>&&>(body))
    , m_stack_size(stack_size)
{
    m_stack = aligned_alloc(64, stack_size);
    VERIFY(m_stack);
    u64 base = reinterpret_cast<u64>(m_stack);
    machine::add_stack(base, stack_size);
    auto created = in_runtime([&] {
        return sched::create_thread(entry, this, base + stack_size, tls(), &m_child_tid, &m_child_tid);
    });
    VERIFY(!created.is_error());
    m_tid = created.value();
}

ProgramThread::~ProgramThread() { join(); }

int ProgramThread::entry(void* raw)
{
    auto* self = static_cast<ProgramThread*>(raw);
    self->m_body();
    return 0;
}

void ProgramThread::join()
{
    if (m_joined)
        return;
    for (;;) {
        int seen = __atomic_load_n(&m_child_tid, __ATOMIC_ACQUIRE);
        if (seen == 0)
            break;
        auto waited = in_runtime([&] { return sched::futex_wait(reinterpret_cast<u64>(&m_child_tid), static_cast<u32>(seen), 0, ~0u); });
        if (waited.is_error() && waited.error_code() == EDEADLK) {
            ADD_FAILURE() << "joining thread " << m_tid << ": every thread is blocked for good";
            return; // Its stack stays: the thread still lives on it.
        }
    }
    m_joined = true;
    u64 base = reinterpret_cast<u64>(m_stack);
    machine::remove_stack(base);
#ifdef __SANITIZE_ADDRESS__
    // The thread's last frames left their redzones poisoned; the memory goes back to the heap.
    __asan_unpoison_memory_region(m_stack, m_stack_size);
#endif
    free(m_stack);
}

void MachineTest::SetUp()
{
    machine::boot();
    ASSERT_TRUE(arch::interrupts_enabled());
    ASSERT_EQ(sched::thread_count(), 1u);
    ASSERT_EQ(sched::current_thread().tid, 1);
}

void MachineTest::TearDown()
{
    EXPECT_TRUE(arch::interrupts_enabled());
    EXPECT_EQ(sched::thread_count(), 1u) << "a test left program threads behind";
    EXPECT_EQ(sched::current_thread().tid, 1);
    EXPECT_EQ(sched::current_thread().preempt_disabled, 0);
    EXPECT_EQ(sched::pending_signals(), 0u) << "a test left signals pending";
}

}
