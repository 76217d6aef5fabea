// SPDX-License-Identifier: MIT
// Per-thread FPU/SSE/AVX state: XSAVE when the CPU has it (the enabled components' size from
// CPUID leaf 0xd), FXSAVE otherwise. [SDM 1 13.4]
#include "arch/arch.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/per_cpu.h"
#include "lib/string.h"
#include "lib/verify.h"

namespace uk::arch {

namespace {
bool g_use_xsave;
u32 g_state_size = 512;
alignas(64) u8 g_initial_state[k_max_fpu_state];
}

void fpu_init()
{
    g_use_xsave = read_cr4() & (1u << 18);
    if (g_use_xsave)
        g_state_size = cpuid(0xd, 0).ebx;
    VERIFY(g_state_size <= k_max_fpu_state);
    // The state every new thread starts with: x87 and SSE defaults (MXCSR 0x1f80, all exceptions masked).
    asm volatile("fninit");
    u32 mxcsr = 0x1f80;
    asm volatile("ldmxcsr %0" ::"m"(mxcsr));
    fpu_save(g_initial_state);
}

void fpu_init_secondary()
{
    asm volatile("fninit");
    u32 mxcsr = 0x1f80;
    asm volatile("ldmxcsr %0" ::"m"(mxcsr));
}

size_t fpu_state_size() { return g_state_size; }

void fpu_save(void* area)
{
    if (g_use_xsave)
        asm volatile("xsave64 (%0)" ::"r"(area), "a"(0xffffffff), "d"(0xffffffff) : "memory");
    else
        asm volatile("fxsave64 (%0)" ::"r"(area) : "memory");
}

void fpu_restore(const void* area)
{
    if (g_use_xsave)
        asm volatile("xrstor64 (%0)" ::"r"(area), "a"(0xffffffff), "d"(0xffffffff) : "memory");
    else
        asm volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
}

void fpu_init_state(void* area) { copy_bytes(area, g_initial_state, g_state_size); }

}
