// SPDX-License-Identifier: MIT
// virtio-console (virtio-serial) [virtio-1.2 5.3] for the program's standard streams: the
// multiport device's ports named uk.stdin, uk.stdout and uk.stderr (uk-run adds them; see
// docs/runner.md) carry input, output and error output. drivers/console.cpp decides what goes
// where and keeps the UARTs for everything else.
//
// Output is copied into the driver's pages (a write returns once its bytes are queued), input
// is read straight from the receive buffers the device filled.
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace uk::virtio {

enum class ConsolePort : u8 { Input, Output, Error };

// Finds a virtio console device, initializes it and learns which ports carry the streams
// (polling, for a bounded time, for the device's answers); false without one. Runtime code with
// interrupts enabled, once (drivers/console.cpp calls it at boot).
bool console_start();
bool console_has_port(ConsolePort port);

// Queues `length` bytes for an output port; blocks while every output buffer is in flight. EIO
// once the device broke; EINTR when a signal came before anything was queued (a short count
// when after). Callers serialize writes.
Result<size_t> console_write(ConsolePort port, const void* data, size_t length);
// Queues up to a page for an output port without sleeping, once the other output port has
// nothing in flight (polled up to `deadline_ns`); false when that or a free buffer is not to
// be had. For the runtime's own messages.
bool console_write_now(ConsolePort port, const void* data, size_t length, u64 deadline_ns);
// Waits, polling (any context but an interrupt handler), until the device has consumed every
// queued output buffer or the monotonic clock passes `deadline_ns`; true if it has.
bool console_wait_output(u64 deadline_ns);
// Sleeps until the device has consumed everything queued for `port` (runtime code; EINTR on a
// signal, EIO when the device broke meanwhile).
Result<void> console_wait_idle(ConsolePort port);

// Input, with interrupts disabled: the oldest received bytes not yet consumed (length 0: none),
// and how many of them were used. A buffer goes back to the device once it is used up.
struct InputChunk {
    const u8* data;
    size_t length;
};
InputChunk console_input_peek_locked();
void console_input_consume_locked(size_t count);
// `handler` runs in interrupt context whenever the device may have delivered input.
void console_set_input_handler(void (*handler)());

}
