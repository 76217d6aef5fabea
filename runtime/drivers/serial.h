// SPDX-License-Identifier: MIT
// 16550 UARTs: COM1 carries the program's standard output and input, COM2 (when the machine
// has one) its standard error. Output is polled a FIFO load at a time (every access is a VM
// exit); input arrives by the receive interrupt.
#pragma once

#include "lib/types.h"

namespace uk::serial {

enum class Port : u16 { Com1 = 0x3f8, Com2 = 0x2f8 };

// Programs the UART; false when no UART answers at that port.
bool init(Port port);
void write(Port port, const char* data, size_t length);
// Takes one received byte if one is waiting.
bool try_read(Port port, u8& byte);
// Raises the port's interrupt whenever received data is waiting. [16550 8.4 IER bit 0]
void enable_receive_interrupt(Port port);
// The ISA IRQ the port is wired to on a PC (COM1: 4, COM2: 3).
u8 isa_irq(Port port);

}
