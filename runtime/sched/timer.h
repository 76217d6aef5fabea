// SPDX-License-Identifier: MIT
// Timer: a callback at a point of the monotonic clock. The timer queue serves thread timeouts,
// timerfd expiries and the network stack's timeouts alike; the local APIC timer is armed for the
// earliest of them (and for the end of the running thread's time slice).
#pragma once

#include "lib/intrusive_list.h"
#include "lib/types.h"

namespace uk::sched {

struct TimerTag;

struct Timer : ListLink<TimerTag> {
    using Callback = void (*)(Timer&);

    explicit constexpr Timer(Callback callback = nullptr) : expire(callback) {}

    u64 deadline_ns = 0;
    // Runs in interrupt context (see arch/arch.h for what that allows) or with interrupts
    // disabled, once the clock has reached deadline_ns; the timer is no longer queued by then, so
    // the callback may start it again (periodic timers).
    Callback expire;
    void* context = nullptr; // For the callback.

    bool is_pending() const { return is_linked(); }
};

// Queues `timer` to expire at `deadline_ns` (a pending timer is moved). Interrupts disabled.
void start_timer_locked(Timer& timer, u64 deadline_ns);
void cancel_timer_locked(Timer& timer);
// The same, disabling interrupts themselves.
void start_timer(Timer& timer, u64 deadline_ns);
void cancel_timer(Timer& timer);

}
