// SPDX-License-Identifier: MIT
// Inode: one node of the file tree (regular file, directory, symlink, device, FIFO), its
// lifetime (links from directories plus references from open files, the working directory and
// mappings), and the data of regular files.
#pragma once

#include "fs/page_tree.h"
#include "mm/file_mapping.h"
#include "lib/intrusive_list.h"
#include "lib/result.h"
#include "lib/types.h"

namespace uk::fs {

// st_mode's file-type bits (Linux values).
enum ModeBits : u32 {
    k_mode_type_mask = 0170000,
    k_mode_socket = 0140000,
    k_mode_symlink = 0120000,
    k_mode_regular = 0100000,
    k_mode_block_device = 0060000,
    k_mode_directory = 0040000,
    k_mode_char_device = 0020000,
    k_mode_fifo = 0010000,
    k_mode_permission_mask = 07777,
};

// A name inside a directory: not NUL-terminated, points into a path or an entry.
struct Name {
    const char* chars;
    size_t length;
    bool equals(const char* other, size_t other_length) const;
    bool is_dot() const { return length == 1 && chars[0] == '.'; }
    bool is_dot_dot() const { return length == 2 && chars[0] == '.' && chars[1] == '.'; }
};

inline constexpr size_t k_name_max = 255;
inline constexpr size_t k_path_max = 4096;

struct Inode;
class FileDescription;
class FileSystem;
class Pipe;

struct DirEntry : ListLink<> {
    DirEntry* hash_next; // The next entry in its bucket of the directory's name index.
    Inode* inode;
    u64 cookie; // Position in the directory stream: increases in insertion order.
    u16 name_length;
    char name[]; // NUL-terminated.
    Name as_name() const { return { name, name_length }; }
};

// A character device's behaviour: opening it yields a description (see fs/devices.cpp).
struct DeviceDriver {
    const char* name;
    Result<FileDescription*> (*open)(Inode& inode, u32 flags);
};

// Produces a synthetic file's whole content (for /proc); returns the length it needed.
using Generator = size_t (*)(char* buffer, size_t capacity);

struct Inode {
    FileSystem* file_system; // The tree it belongs to (fs/file_system.h); never null.
    u64 number;
    u32 mode;
    u32 uid, gid;
    u32 link_count;
    u32 references;
    u64 size;
    i64 access_ns, modify_ns, change_ns, birth_ns;
    u32 device_number; // st_rdev of device nodes.
    u32 shared_mappings; // MAP_SHARED mappings of this file's pages.

    PageTree pages; // Regular ramfs files.
    // stat's st_blocks and st_blksize where the data is not in `pages` (remote files).
    u64 block_count;
    u32 block_size;

    // Directories.
    IntrusiveList<DirEntry> entries;
    // An index by name once the directory is large (fs/directory.cpp), k_name_buckets chains.
    DirEntry** name_buckets;
    Inode* parent;
    u64 next_cookie;
    u64 entry_count;

    char* link_target; // Symlinks (kmalloc'd, NUL-terminated).
    const DeviceDriver* driver; // Character devices.
    Generator generator; // Synthetic regular files.
    Pipe* fifo; // FIFOs, while open.
    // The root of a mounted tree: it hangs in a ramfs directory's entry and cannot be removed,
    // renamed or replaced (EBUSY).
    bool is_mount_root;

    u32 type() const { return mode & k_mode_type_mask; }
    bool is_directory() const { return type() == k_mode_directory; }
    bool is_regular() const { return type() == k_mode_regular; }
    bool is_symlink() const { return type() == k_mode_symlink; }
};

// A new ramfs inode with one reference and no links; null when memory is full.
Inode* create_inode(u32 mode);
void ref(Inode& inode);
// Drops a reference; with none left, the inode's file system decides (a ramfs inode is freed
// once it has neither links nor references; a remote one is cached).
void unref(Inode& inode);
// ramfs: called after link_count dropped, to free an inode nobody references any more.
void maybe_free(Inode& inode);

i64 now_ns();
// While set (non-zero), now_ns() on this CPU returns this instead of the clock: the standard
// tree, when it is built on first use, gets the timestamps it would have had at boot
// (fs/init.cpp). The caller must not be preempted until it sets 0 again.
void set_fixed_time_ns(i64 ns);
void touch_modify(Inode& inode); // mtime and ctime = now
void touch_change(Inode& inode); // ctime = now

// Regular-file data. Reads stop at the end of the file; writes grow it, filling gaps with holes.
size_t read_data(Inode& inode, u64 offset, void* buffer, size_t length);
// A ramfs file as mm::map_file maps it (its pages are the file's own).
mm::MappedFile mapped_file(Inode& inode);
Result<size_t> write_data(Inode& inode, u64 offset, const void* buffer, size_t length);
Result<void> set_size(Inode& inode, u64 size);
// Pages backing [offset, offset + length) are allocated now (fallocate).
Result<void> allocate_range(Inode& inode, u64 offset, u64 length);

// The largest file size ramfs accepts (EFBIG beyond), as Linux's MAX_LFS_FILESIZE for tmpfs.
inline constexpr u64 k_max_file_size = PageTree::k_max_pages * k_page_size;

u64 inode_count();

}
