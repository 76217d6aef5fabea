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

// [SDM 3A 4.7] The error code of a page fault (vector 14).
enum PageFaultError : u64 {
    k_page_fault_present = 1 << 0, // Set: a protection violation; clear: the page is not mapped.
    k_page_fault_write = 1 << 1,
    k_page_fault_user = 1 << 2,
    k_page_fault_reserved_bit = 1 << 3,
    k_page_fault_instruction_fetch = 1 << 4,
};

}
