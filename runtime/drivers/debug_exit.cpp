// SPDX-License-Identifier: MIT
// Exit through QEMU's isa-debug-exit device, reporting the exact status on the debugcon port first
// (isa-debug-exit's own status, (N << 1) | 1, loses the top bit of N).
#include "drivers/debug_exit.h"

#include "arch/arch.h"
#include "drivers/console.h"
#include "lib/format.h"

namespace uk {

namespace {
constexpr u16 k_debugcon_port = 0xe9;
constexpr u16 k_debug_exit_port = 0xf4;
}

void control_message(const char* line)
{
    for (const char* p = line; *p; ++p)
        arch::port_write8(k_debugcon_port, static_cast<u8>(*p));
    arch::port_write8(k_debugcon_port, '\n');
}

void machine_exit(int status)
{
    // QEMU exits at once on the debug-exit write, dropping output it has not written yet.
    console::flush_output();
    char line[32];
    format(line, sizeof(line), "exit %d", status & 0xff);
    control_message(line);
    arch::port_write32(k_debug_exit_port, static_cast<u32>(status & 0xff));
    // No debug-exit device: reset, which QEMU turns into an exit under -no-reboot.
    arch::reset_machine();
}

}
