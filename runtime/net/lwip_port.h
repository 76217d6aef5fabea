// SPDX-License-Identifier: MIT
// The lwIP port's system side (net/lwip_port.cpp): memory budget, random numbers, the clock.
#pragma once

#include "lib/types.h"

namespace uk::net {

// Fixes the memory budget from guest RAM and seeds the random numbers; once, before lwip_init().
void port_init();

struct MemoryUse {
    u64 in_use; // Bytes lwIP holds now.
    u64 peak;
    u64 budget;
};
MemoryUse memory_use();

}
