// SPDX-License-Identifier: MIT
// Directory entries of ramfs directories: lookup, insertion, removal, and the link counts that
// go with them (a directory has 2 + its number of subdirectories, as on Linux).
#pragma once

#include "fs/inode.h"

namespace uk::fs {

// The entry called `name` in `directory` ("." and ".." are not entries), or null.
DirEntry* find_entry(Inode& directory, Name name);
// "." and ".." included; null if missing.
Inode* lookup_child(Inode& directory, Name name);
// Links `child` into `directory` under `name` (which must not exist). ENOSPC when memory is full.
Result<void> add_entry(Inode& directory, Name name, Inode& child);
// Unlinks the entry (and frees the child if nothing else holds it).
void remove_entry(Inode& directory, DirEntry& entry);
// Takes the entry out of the directory's list and name index and frees it; the link counts, the
// times and the child are the caller's (rename moving a directory).
void drop_entry(Inode& directory, DirEntry& entry);
// Points an existing entry at another inode (rename over an existing name).
void replace_entry(Inode& directory, DirEntry& entry, Inode& child);
// The first entry whose cookie is at least `position`, or null.
DirEntry* entry_at_or_after(Inode& directory, u64 position);
bool is_empty(const Inode& directory);
// True when `ancestor` is `node` or one of its ancestors.
bool is_ancestor(const Inode& ancestor, const Inode& node);
// d_type for getdents64 (DT_* values).
u8 directory_entry_type(const Inode& inode);

}
