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
// An application processor's own local APIC: enabled like the boot CPU's, and its timer set up
// with the boot CPU's calibration.
void local_apic_init_secondary();
// [SDM 3A 10.6.1] Writes the interrupt command register (destination first) and waits until the
// APIC has sent the interrupt.
void send_interrupt_command(u32 apic_id, u32 command);
// Spins for about `microseconds` (TSC-based; the TSC frequency is known after timer_init()).
void delay_us(u64 microseconds);
void end_of_interrupt();
// The timer's interrupt came: timer_arm() must program the next deadline, whatever it is.
void timer_fired();
// Spurious vectors (the APIC's, and the masked legacy PICs' IRQ 7/15) need no end of interrupt.
bool is_spurious_vector(u8 vector);

}
