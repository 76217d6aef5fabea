// SPDX-License-Identifier: MIT
// The ramfs's links to the rest of fs/ (ramfs() itself is declared in fs/file_system.h):
// opening a node as the description its type calls for, and the memory numbers statfs reports.
// They live in fs/ramfs_nodes.cpp, apart from the tree, so that the host tests of the tree
// need neither devices nor pipes.
#pragma once

#include "fs/file_system.h"

namespace uk::fs {

// The description for a ramfs node: a device, a FIFO, a regular file, a directory or (O_PATH)
// anything. Takes over the caller's reference on `inode`.
Result<FileDescription*> open_ramfs_node(Inode& inode, u32 flags);
void ramfs_statistics(FileSystemStatistics& out);

}
