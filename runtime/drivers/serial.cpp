// SPDX-License-Identifier: MIT
// 16550 UART driver ([16550] National Semiconductor PC16550D data sheet).
#include "drivers/serial.h"

#include "arch/arch.h"

namespace uk::serial {

namespace {
constexpr u16 k_data = 0, k_interrupt_enable = 1, k_fifo_control = 2, k_line_control = 3, k_modem_control = 4,
              k_line_status = 5, k_scratch = 7;
constexpr u8 k_data_ready = 0x01, k_transmit_empty = 0x20;

u16 base(Port port) { return static_cast<u16>(port); }
}

bool init(Port port)
{
    u16 b = base(port);
    // [16550 8.6] The scratch register holds whatever is written to it; with no UART at the
    // port the ISA bus reads back 0xff.
    arch::port_write8(b + k_scratch, 0x5a);
    if (arch::port_read8(b + k_scratch) != 0x5a)
        return false;
    arch::port_write8(b + k_interrupt_enable, 0x00);
    arch::port_write8(b + k_line_control, 0x80); // DLAB: set the divisor.
    arch::port_write8(b + k_data, 0x01);          // 115200 baud.
    arch::port_write8(b + k_interrupt_enable, 0x00);
    arch::port_write8(b + k_line_control, 0x03); // 8N1.
    arch::port_write8(b + k_fifo_control, 0xc7);
    arch::port_write8(b + k_modem_control, 0x03);
    return true;
}

void write(Port port, const char* data, size_t length)
{
    // Every port access is a VM exit, so the line status is checked once per FIFO load: when the
    // transmitter reports empty, the 16-byte FIFO takes 16 bytes without further checks.
    constexpr size_t k_fifo_size = 16;
    u16 b = base(port);
    for (size_t i = 0; i < length; i += k_fifo_size) {
        // Bound the wait so that a missing UART cannot hang the machine.
        for (int spin = 0; spin < 100000; ++spin)
            if (arch::port_read8(b + k_line_status) & k_transmit_empty)
                break;
        for (size_t j = i; j < length && j < i + k_fifo_size; ++j)
            arch::port_write8(b + k_data, static_cast<u8>(data[j]));
    }
}

void enable_receive_interrupt(Port port)
{
    u16 b = base(port);
    // OUT2 gates the UART's interrupt line on PC hardware; QEMU models it too.
    arch::port_write8(b + k_modem_control, 0x0b);
    arch::port_write8(b + k_interrupt_enable, 0x01);
}

u8 isa_irq(Port port) { return port == Port::Com1 ? 4 : 3; }

bool try_read(Port port, u8& byte)
{
    u16 b = base(port);
    if (!(arch::port_read8(b + k_line_status) & k_data_ready))
        return false;
    byte = arch::port_read8(b + k_data);
    return true;
}

}
