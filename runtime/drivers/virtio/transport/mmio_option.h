// SPDX-License-Identifier: MIT
// The `virtio_mmio.device=SIZE@BASE:IRQ[:ID]` entries QEMU's microvm appends to the kernel
// command line (Linux's syntax, drivers/virtio/virtio_mmio.c: SIZE takes K/M/G suffixes, BASE
// and IRQ are C-style numbers).
#pragma once

#include "lib/types.h"

namespace uk::virtio {

struct MmioDeviceOption {
    u64 base;
    u64 size;
    u32 irq;
};

// Parses the value after "virtio_mmio.device="; false when it is malformed, the size is below
// the 0x100 bytes of registers, the range wraps, or the IRQ is not an I/O APIC input (> 255).
bool parse_mmio_device_option(const char* value, MmioDeviceOption& out);

}
