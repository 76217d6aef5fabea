// SPDX-License-Identifier: MIT
// The file tree's operations by path (create, link, unlink, rename, open, ...) and on nodes
// (stat, attribute changes, statfs), across every mounted file system: each makes Linux's
// checks, in Linux's order where it matters for the errno, then hands the change to the file
// system that holds the node (fs/file_system.h). Also the process-wide working directory and
// umask. System calls copy paths in from the program and call these; host tests and fuzzers
// call them directly.
#pragma once

#include "fs/file_system.h"
#include "fs/path.h"

namespace uk::fs {

struct Stat;

// Creates the root directory (once); false if out of memory.
bool create_root();
// Defers building the rest of the standard tree (/dev, /etc, /proc, ...) to its first use:
// root(), working_directory(), make_directories() and write_file() run `build` once, first.
// Every path starts from one of the first two, so a program sees the same tree, built a little
// later; one that never looks at a path does not pay for it.
void defer_tree(void (*build)());
// Runs the deferred builder now if it has not run (before anything the tree would copy changes).
void build_deferred_tree();
Inode& root();
Inode& working_directory();
void set_working_directory(Inode& directory);
// A process starts with this umask, as on Linux.
constexpr u32 k_default_umask = 022;
u32 umask();
u32 set_umask(u32 mask);

// renameat2 flags.
enum RenameFlags : u32 { k_rename_noreplace = 1, k_rename_exchange = 2, k_rename_whiteout = 4 };

// Creates a node of `mode` (type and permission bits; the umask is applied here) at `path`.
// EEXIST if the name exists; the new inode is returned without an extra reference.
Result<Inode*> create_node(Inode& base, const char* path, u32 mode, u32 device_number = 0);
Result<Inode*> create_symlink(Inode& base, const char* path, const char* target);
Result<void> create_link(Inode& old_base, const char* old_path, Inode& new_base, const char* new_path, u32 flags);
// linkat(fd, "", ..., AT_EMPTY_PATH): another name for an open file.
Result<void> link_node(Inode& inode, Inode& new_base, const char* new_path);
Result<void> unlink(Inode& base, const char* path);
Result<void> remove_directory(Inode& base, const char* path);
Result<void> rename(Inode& old_base, const char* old_path, Inode& new_base, const char* new_path, u32 flags);
// Copies the symlink's target (not terminated); returns the length copied.
Result<size_t> read_link(Inode& base, const char* path, char* buffer, size_t size);
// The same for the symlink itself (readlinkat with an empty path); ENOENT if it is none.
Result<size_t> read_link_of(Inode& link, char* buffer, size_t size);

// open(2): finds or creates what `path` names and opens it (devices, FIFOs, files,
// directories; O_TRUNC, O_TMPFILE included).
Result<FileDescription*> open(Inode& base, const char* path, u32 open_flags, u32 mode);
// open(2)'s path half for boot-time population and tests: finds or creates the inode `path`
// names (a regular file), without opening it. Returns it with a reference.
Result<Inode*> open_inode(Inode& base, const char* path, u32 open_flags, u32 mode);

// Attributes: refresh() makes them current (a remote node asks its server, once per system
// call), stat() fills a struct stat from them.
Result<void> refresh(Inode& inode);
Result<void> stat(Inode& inode, Stat& out);
Result<void> change_attributes(Inode& inode, const AttributeChange& change);
Result<void> allocate(Inode& inode, u32 mode, u64 offset, u64 length);
Result<void> statistics(Inode& inode, FileSystemStatistics& out);
// The absolute path of `directory` (getcwd), NUL-terminated; returns the length with the NUL.
Result<size_t> path_of(Inode& directory, char* out, size_t size);

// Convenience for boot-time population: creates every missing directory of `path` (mode 0755).
Result<Inode*> make_directories(const char* path);
// Creates or replaces the ramfs file at `path` with `length` bytes of `data`.
Result<Inode*> write_file(const char* path, const void* data, size_t length, u32 mode);

}
