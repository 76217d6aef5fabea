// SPDX-License-Identifier: MIT
// The local APIC as the rest of arch/x86_64 uses it: enabling it, ending interrupts, and its id.
// [SDM 3A 11]
#pragma once

#include "lib/types.h"

namespace uk::arch {

// Masks the legacy PICs, then maps the local APIC at `physical_base` (from the MADT; the MSR's
// value when 0) and enables it with the spurious vector.
void local_apic_init(u64 physical_base);
u32 local_apic_id();
void end_of_interrupt();
// Spurious vectors (the APIC's, and the masked legacy PICs' IRQ 7/15) need no end of interrupt.
bool is_spurious_vector(u8 vector);

}
