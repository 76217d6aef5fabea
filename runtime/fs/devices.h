// SPDX-License-Identifier: MIT
// /dev: null, zero, full, random, urandom, console, tty, stdin, stdout, stderr.
#pragma once

#include "fs/inode.h"

namespace uk::fs {

// Creates /dev and its nodes; seeds the CSPRNG from RDSEED/RDRAND.
Result<void> create_devices();
// Opens the device node `inode` (its reference passes to the description).
Result<FileDescription*> open_device(Inode& inode, u32 flags);
// Which standard streams are terminals (bit 0 stdin, 1 stdout, 2 stderr), from uk.tty.
u32 terminal_streams();

}
