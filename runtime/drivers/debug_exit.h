// SPDX-License-Identifier: MIT
// Ending the virtual machine with the program's exit status.
#pragma once

namespace uk {
// Reports `status` (0-255) on the runner's control channel and powers the machine off.
[[noreturn]] void machine_exit(int status);
// Writes one line to the runner's control channel (the isa-debugcon port).
void control_message(const char* line);
}
