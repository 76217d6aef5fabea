// SPDX-License-Identifier: MIT
// Invariants of a ramfs tree, checked by the fuzzers after every input, and removal of a whole
// tree (which must bring the inode count back to where it was).
#pragma once

#include "fs/directory.h"
#include "lib/verify.h"

namespace uk::fs::fuzz {

inline void check_tree(Inode& directory, int depth = 0)
{
    VERIFY(depth < 10000);
    u32 subdirectories = 0;
    u64 entries = 0;
    directory.entries.for_each([&](DirEntry& e) {
        ++entries;
        VERIFY(e.name_length > 0 && e.name_length <= k_name_max);
        for (u16 i = 0; i < e.name_length; ++i)
            VERIFY(e.name[i] != '/' && e.name[i] != 0);
        VERIFY(!(e.name_length == 1 && e.name[0] == '.'));
        VERIFY(!(e.name_length == 2 && e.name[0] == '.' && e.name[1] == '.'));
        VERIFY(e.inode->link_count > 0);
        if (e.inode->is_directory()) {
            ++subdirectories;
            VERIFY(e.inode->parent == &directory);
            check_tree(*e.inode, depth + 1);
        }
    });
    VERIFY(entries == directory.entry_count);
    VERIFY(directory.link_count == 2 + subdirectories);
}

inline void remove_tree(Inode& directory)
{
    while (DirEntry* e = directory.entries.front()) {
        if (e->inode->is_directory())
            remove_tree(*e->inode);
        remove_entry(directory, *e);
    }
}

}
