// SPDX-License-Identifier: MIT
// The Linux process entry stack (argc, argv, envp, auxv and the strings they point to), so musl's
// ordinary start-up code runs unchanged. [SysV x86_64 ABI 3.4.1]
#pragma once

#include "lib/types.h"

namespace uk {

enum AuxvType : u64 {
    k_at_null = 0, k_at_phdr = 3, k_at_phent = 4, k_at_phnum = 5, k_at_pagesz = 6, k_at_entry = 9,
    k_at_uid = 11, k_at_euid = 12, k_at_gid = 13, k_at_egid = 14, k_at_platform = 15, k_at_hwcap = 16,
    k_at_clktck = 17, k_at_secure = 23, k_at_random = 25, k_at_hwcap2 = 26, k_at_execfn = 31,
};

struct InitialStackInput {
    const char* const* arguments; // argv[0] first.
    size_t argument_count;
    const char* const* environment;
    size_t environment_count;
    const u64 (*auxv)[2]; // Without AT_RANDOM, AT_EXECFN, AT_PLATFORM and AT_NULL: added here.
    size_t auxv_count;
    u8 random[16];
};

// Lays the stack out downwards from `top` (writable memory, not below `limit`) and returns the
// initial stack pointer, 16-byte aligned and pointing at argc; 0 if it does not fit.
u64 build_initial_stack(u64 top, u64 limit, const InitialStackInput& input);

}
