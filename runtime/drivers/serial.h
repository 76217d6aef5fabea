// SPDX-License-Identifier: MIT
// 16550 UARTs: COM1 carries the program's standard output and input, COM2 (when the machine
// has one) its standard error. Polled: every access is a VM exit, so output is written a FIFO
// load at a time and input is checked only when a reader wants it.
#pragma once

#include "lib/types.h"

namespace uk::serial {

enum class Port : u16 { Com1 = 0x3f8, Com2 = 0x2f8 };

// Programs the UART; false when no UART answers at that port.
bool init(Port port);
void write(Port port, const char* data, size_t length);
// Takes one received byte if one is waiting.
bool try_read(Port port, u8& byte);

}
