// SPDX-License-Identifier: MIT
// Crash reports: what happened, the registers, a backtrace, then an exit status like a shell's
// for a process killed by a signal (128 + signal number). Portable code over the machine
// interface (arch/arch.h); it lives in arch/ because a crash is where the runtime stops the
// machine, and it also implements panic() (lib/verify.h). The functions stay in namespace uk:
// their names are gdb breakpoints in docs/debugging.md.
#pragma once

#include "lib/types.h"

namespace uk::arch {
struct TrapFrame;
}

namespace uk {

// Prints "uk: backtrace:" and one "  #N 0xADDRESS" line per frame, walking frame pointers.
void print_backtrace(u64 pc, u64 frame_pointer);

[[noreturn]] void crash_after_trap(const arch::TrapFrame& frame, int signal, const char* what);
[[noreturn]] void crash_here(int signal, const char* what);

}
