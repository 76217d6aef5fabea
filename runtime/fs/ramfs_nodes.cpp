// SPDX-License-Identifier: MIT
// Opening ramfs nodes (devices, FIFOs, files, directories) and the ramfs's statfs numbers.
#include "fs/devices.h"
#include "fs/file_description.h"
#include "fs/pipe.h"
#include "fs/ramfs.h"
#include "mm/frame_allocator.h"

namespace uk::fs {

Result<FileDescription*> open_ramfs_node(Inode& inode, u32 flags)
{
    if (flags & k_o_path)
        return open_inode_description(inode, flags);
    switch (inode.type()) {
    case k_mode_char_device:
        return open_device(inode, flags);
    case k_mode_fifo:
        return open_fifo(inode, flags);
    case k_mode_block_device:
    case k_mode_socket:
        unref(inode);
        return error(ENXIO);
    default:
        return open_inode_description(inode, flags);
    }
}

void ramfs_statistics(FileSystemStatistics& out)
{
    out.type = 0x01021994; // TMPFS_MAGIC: ramfs behaves like tmpfs.
    out.block_size = k_page_size;
    out.blocks = mm::total_frames();
    // Pages not yet promised to anyone: what a new file could still get.
    out.blocks_free = out.blocks_available = mm::uncommitted_frames();
    out.files = mm::total_frames();
    out.files_free = mm::uncommitted_frames();
    out.fsid[0] = 0x1a;
    out.name_length = k_name_max;
    out.fragment_size = k_page_size;
    out.flags = 0x20 | 0x1000; // ST_VALID | ST_RELATIME, as tmpfs reports.
}

}
