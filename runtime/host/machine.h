// SPDX-License-Identifier: MIT
// The controls of the host's fake machine (runtime/host/machine.cpp implements arch/arch.h with it),
// for unit tests that run the real scheduler, waiting, futexes and descriptions on the host: one
// CPU whose threads are ucontext fibers, a TSC that moves only when a test (or an idle CPU) moves
// it, an interrupt flag, a one-shot timer, and device interrupts that tests raise.
#pragma once

#include "lib/types.h"

namespace uk::host::machine {

// Starts the clock and the scheduler once per process (the calling thread becomes the boot
// thread, tid 1) and enables interrupts. Later calls do nothing.
void boot();

// The monotonic clock: the fake TSC runs at 1 GHz, so one tick is one nanosecond.
inline constexpr u64 k_tsc_hz = 1'000'000'000;
u64 now_ns();
// The current thread runs program code for `ns` nanoseconds of wall time: each timer or device
// interrupt that falls due meanwhile is taken at its time (when interrupts are enabled), and may
// switch threads, as a real interrupt would. Returns once the clock has reached the end.
void run_for(u64 ns);
// What the timer is armed for (a monotonic time), or 0 when it is disarmed.
u64 armed_deadline_ns();

// Device interrupts. A vector is what register_interrupt/register_msi returned.
// Raises `vector` now: it is taken at once if interrupts are enabled, else as soon as they are.
void raise(u8 vector);
// The device raises `vector` when the clock reaches `at_ns`; an idle CPU jumps the clock there.
void raise_at(u8 vector, u64 at_ns);
// Interrupts taken so far (timer and devices), and how often the CPU went idle.
u64 interrupts_taken();
u64 idle_count();

// Stacks the fake switches to must be known to it (ucontext needs their bounds, and so does
// AddressSanitizer): the tests' program-thread stacks and alternate signal stacks.
void add_stack(u64 base, u64 size);
void remove_stack(u64 base);

// A stand-in for the FPU's registers: what fpu_save stores and fpu_restore loads, so that tests
// can check that every thread gets its own state back.
u64 fpu_register();
void set_fpu_register(u64 value);

// Signal handlers that an interrupt return redirected the current thread into, so far.
u64 signal_frames_run();

}
