// SPDX-License-Identifier: MIT
// Unpacking a newc cpio archive (the initrd from `uk-run --initrd`, or a tree sealed into the
// image by uksdk_embed_directory) into the file tree.
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace uk::fs {

// Unpacks `archive` into /. On failure `problem` says what was wrong and where, for the boot
// failure message (e.g. "file data runs past the end of the archive (entry 3 'etc/x' at
// offset 512)").
Result<void> unpack_archive(const void* archive, size_t size, char* problem, size_t problem_size);

}
