// SPDX-License-Identifier: MIT
// Building the file tree at boot, before the program starts.
#pragma once

#include "lib/types.h"

namespace uk::mm {
struct MemoryRange;
}

namespace uk::fs {

// Creates /, the standard directories, /dev, /etc and /proc, unpacks the archive sealed into the
// image (uksdk_embed_directory) and then the `module_count` boot modules (uk-run --initrd), and
// opens descriptors 0, 1 and 2 on the console. Returns null, or what went wrong for the
// boot-failure message. Without archive and modules the standard directories, /dev, /etc and
// /proc are made on the first use of a path instead (vfs.h defer_tree); if that fails,
// `on_failure` (which does not return) gets the message boot would have stopped with.
const char* init(const mm::MemoryRange* modules, size_t module_count, const char* program_name,
    void (*on_failure)(const char* problem));
// The errno behind init()'s last problem: ENOMEM or ENOSPC when memory ran out, another code for
// a corrupt archive.
int init_error();

}
