// SPDX-License-Identifier: MIT
// The register frame interrupts.S saves: the layout is shared with that file.
#pragma once

#include "lib/types.h"

namespace uk::arch {

struct TrapFrame {
    u64 r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    u64 vector, error_code;
    u64 rip, cs, rflags, rsp, ss; // Pushed by the CPU.
};
static_assert(sizeof(TrapFrame) == 22 * 8);

}
