// SPDX-License-Identifier: MIT
// Mounted shares: the uk.mount= options turned into 9P file systems hanging in the ramfs
// (fs/file_system.h explains how), and the working directory the program starts in (uk.cwd=).
#pragma once

#include "lib/types.h"

namespace uk::fs {

// Mounts every uk.mount=TAG[,ro]:GUESTDIR share; null, or what went wrong (the boot stops).
// Runtime code with the scheduler running: the 9P requests sleep.
const char* mount_shares();
// uk.cwd=PATH: makes PATH the working directory if it names one; otherwise says so on the
// console and the program starts in /.
void enter_initial_directory();
// /proc/mounts lines of the shares; returns the length needed (as format() does).
size_t describe_mounts(char* buffer, size_t capacity);

}
