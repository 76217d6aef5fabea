// SPDX-License-Identifier: MIT
// The console: the program's standard output, standard error and standard input, and the
// runtime's own messages. The program's streams use the virtio console's ports (uk.stdout,
// uk.stderr, uk.stdin) when the machine has them; otherwise, and always for the runtime's
// messages and crash reports, the UARTs: COM1 carries standard output and input, COM2 standard
// error (COM1 on a machine without it).
//
// Input framing (uk.stdin=framed, set by uk-run; see docs/runner.md): byte 0xff escapes the
// next byte; 0xff 0xff is a literal 0xff and 0xff 'D' is the end of input. Without framing every
// byte is data and input never ends.
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace uk::console {

enum class Stream { Output, Error };

void init();
// Switches input to the COM1 receive interrupt (once interrupt routing is up).
void start_input_interrupt();
// Starts the virtio console, if the machine has one, once the scheduler runs (at boot, so that
// what it allocates is taken before the program can use up memory). Until then, and without
// it, the program's streams use the UARTs.
void start_devices();
// `listener` runs (in interrupt context) whenever input arrives or ends: the file layer uses it
// to tell the console's descriptions that their readiness changed.
void set_input_listener(void (*listener)());
// The program's writes to standard output or error: whole writes, never interleaved with each
// other. May sleep while the device is busy; EINTR when a signal came before anything was
// written.
Result<size_t> write(Stream stream, const char* data, size_t length);
// The runtime's own messages (printk), in order with the program's output: on the error port
// when that needs no sleeping, else on a UART.
void write_message(const char* data, size_t length);
// Waits (up to 10 s) until the program's queued output has left the machine: before power-off.
void flush_output();
// A crash report follows: the program's queued output gets one bounded chance to leave first,
// then every message goes to the UART.
void begin_crash_report();
bool has_separate_error_port();

void set_input_framing(bool framed);
// Moves received bytes into `buffer`; 0 at the end of input. Blocks until at least one byte
// (or the end) arrives, unless `nonblocking` (then EAGAIN).
Result<size_t> read(void* buffer, size_t length, bool nonblocking);
// True when read() would not block.
bool input_ready();
// Bytes received and not yet read (FIONREAD).
size_t input_pending();

}
