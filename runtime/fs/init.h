// SPDX-License-Identifier: MIT
// Building the file tree at boot, before the program starts.
#pragma once

namespace uk {
struct BootInfo;
}

namespace uk::fs {

// Creates /, the standard directories, /dev, /etc and /proc, unpacks the archive sealed into the
// image (uksdk_embed_directory) and then the boot modules (uk-run --initrd), and opens
// descriptors 0, 1 and 2 on the console. Returns null, or what went wrong for the boot-failure
// message.
const char* init(const BootInfo& boot, const char* program_name);
// The errno behind init()'s last problem: ENOMEM or ENOSPC when memory ran out, another code for
// a corrupt archive.
int init_error();

}
