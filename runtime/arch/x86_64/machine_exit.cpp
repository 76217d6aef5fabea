// SPDX-License-Identifier: MIT
// Ending the machine through QEMU's isa-debug-exit device, reporting the exact status on the
// isa-debugcon port first (isa-debug-exit's own status, (N << 1) | 1, loses the top bit of N).
// Both ports are this machine's: the runner (scripts/uk-run) adds the two devices.
#include "arch/arch.h"
#include "arch/x86_64/cpu.h"
#include "lib/format.h"

namespace uk::arch {

namespace {
constexpr u16 k_debugcon_port = 0xe9;
constexpr u16 k_debug_exit_port = 0xf4;
OutputHooks g_hooks;
bool g_exiting;
}

void set_output_hooks(const OutputHooks& hooks) { g_hooks = hooks; }

void before_crash_report()
{
    if (g_hooks.before_crash_report)
        g_hooks.before_crash_report();
}

void control_message(const char* line)
{
    for (const char* p = line; *p; ++p)
        out8(k_debugcon_port, static_cast<u8>(*p));
    out8(k_debugcon_port, '\n');
}

void machine_exit(int status)
{
    // QEMU exits at once on the debug-exit write, dropping output it has not written yet. (Once:
    // a crash while flushing must not flush again.)
    if (!g_exiting && g_hooks.before_exit) {
        g_exiting = true;
        g_hooks.before_exit();
    }
    char line[32];
    format(line, sizeof(line), "exit %d", status & 0xff);
    control_message(line);
    out32(k_debug_exit_port, static_cast<u32>(status & 0xff));
    // No debug-exit device: reset, which QEMU turns into an exit under -no-reboot.
    reset_machine();
}

}
