// SPDX-License-Identifier: MIT
// Host stand-ins for the ramfs's links to devices, pipes and the frame allocator
// (fs/ramfs_nodes.cpp), which the host tests of the tree and of the scheduler do not build:
// opening a node fails, and statfs reports nothing.
#include "fs/ramfs.h"

namespace uk::fs {

Result<FileDescription*> open_ramfs_node(Inode& inode, u32)
{
    unref(inode);
    return error(ENOSYS);
}

void ramfs_statistics(FileSystemStatistics&) {}

}
