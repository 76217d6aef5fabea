// SPDX-License-Identifier: MIT
// /dev: null, zero, full, random, urandom, console, tty, stdin, stdout, stderr.
#pragma once

#include "fs/inode.h"

namespace uk::fs {

// Linux's device numbers (Documentation/admin-guide/devices.txt), as stat reports them: major in
// bits 8-15, minor in 0-7.
constexpr u32 device_number(u32 major, u32 minor) { return (major << 8) | minor; }
// /dev/zero, which mmap maps as anonymous memory.
inline constexpr u32 k_dev_zero = device_number(1, 5);

// Creates /dev and its nodes; seeds the CSPRNG from RDSEED/RDRAND.
Result<void> create_devices();
// Opens the device node `inode` (its reference passes to the description).
Result<FileDescription*> open_device(Inode& inode, u32 flags);
// Which standard streams are terminals (bit 0 stdin, 1 stdout, 2 stderr), from uk.tty.
u32 terminal_streams();

}
