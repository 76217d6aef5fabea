// SPDX-License-Identifier: MIT
// Finding virtio devices: virtio-mmio ones named on the command line, virtio-pci ones on the
// PCI buses. Nothing is probed until a driver asks.
#pragma once

#include "drivers/virtio/virtio.h"

namespace uk::virtio {

// The first device of `type` that no driver has claimed yet, now the caller's; null if none.
// Runtime code only (not interrupt context).
Transport* claim_device(u32 type);

}
