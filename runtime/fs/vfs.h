// SPDX-License-Identifier: MIT
// The file tree's operations by path (create, link, unlink, rename, ...), on the single ramfs
// that forms the whole tree, plus the process-wide working directory and umask. System calls
// copy paths in from the program and call these; host tests and fuzzers call them directly.
#pragma once

#include "fs/path.h"

namespace uk::fs {

// Creates the root directory (once); false if out of memory.
bool create_root();
Inode& root();
Inode& working_directory();
void set_working_directory(Inode& directory);
u32 umask();
u32 set_umask(u32 mask);

// renameat2 flags.
enum RenameFlags : u32 { k_rename_noreplace = 1, k_rename_exchange = 2, k_rename_whiteout = 4 };

// Creates a node of `mode` (type and permission bits; the umask is applied here) at `path`.
// EEXIST if the name exists; the new inode is returned without an extra reference.
Result<Inode*> create_node(Inode& base, const char* path, u32 mode, u32 device_number = 0);
Result<Inode*> create_symlink(Inode& base, const char* path, const char* target);
Result<void> create_link(Inode& old_base, const char* old_path, Inode& new_base, const char* new_path, u32 flags);
Result<void> unlink(Inode& base, const char* path);
Result<void> remove_directory(Inode& base, const char* path);
Result<void> rename(Inode& old_base, const char* old_path, Inode& new_base, const char* new_path, u32 flags);
// Copies the symlink's target (not terminated); returns the length copied.
Result<size_t> read_link(Inode& base, const char* path, char* buffer, size_t size);

// open(2)'s path half: finds or creates the inode `path` names. Returns it with a reference.
Result<Inode*> open_inode(Inode& base, const char* path, u32 open_flags, u32 mode);

// Convenience for boot-time population: creates every missing directory of `path` (mode 0755).
Result<Inode*> make_directories(const char* path);
// Creates or replaces the regular file at `path` with `length` bytes of `data`.
Result<Inode*> write_file(const char* path, const void* data, size_t length, u32 mode);

}
