// SPDX-License-Identifier: MIT
// FileSystem: what a tree of inodes does, whoever keeps it. The ramfs (fs/ramfs.cpp) keeps its
// inodes in memory; a mounted 9P share (fs/9p_fs.cpp) asks a server on the host. Every inode
// names its file system, and fs/path.cpp and fs/vfs.cpp reach the nodes only through this
// interface: the walk asks for children, the path operations make their Linux checks (existence,
// types, trailing slashes, read-only mounts, mount points) and then hand the change to the file
// system that holds the directory.
//
// A mounted tree hangs in the ramfs: the ramfs entry of the mount point names the mounted root
// inode (is_mount_root), whose parent is the ramfs directory holding the mount point. So ".."
// walks out of a mount, getcwd names every directory, and nothing else needs to know.
//
// Lifetimes: an operation of a remote file system may sleep (waiting for the server); it holds
// references on the inodes it was given for as long as it uses them. An inode returned without
// a reference (a lookup's result) stays valid until its caller next sleeps: remote inodes
// nobody references are kept in a cache and only dropped while a lookup of that file system
// runs, which means the caller is asleep.
#pragma once

#include "fs/inode.h"
#include "lib/result.h"

namespace uk::fs {

class FileDescription;
struct Lookup;

// What chmod, chown, utimensat and truncate change.
struct AttributeChange {
    enum Bits : u32 { k_mode = 1, k_uid = 2, k_gid = 4, k_size = 8, k_access_time = 16, k_modify_time = 32 };
    u32 mask = 0;
    u32 mode = 0; // Permission bits only.
    u32 uid = 0, gid = 0;
    u64 size = 0;
    // The times to set (nanoseconds since the epoch), or "now" (the file system's clock).
    i64 access_ns = 0, modify_ns = 0;
    bool access_now = false, modify_now = false;
};

// statfs(2)'s answer, in Linux's struct statfs terms.
struct FileSystemStatistics {
    i64 type, block_size;
    u64 blocks, blocks_free, blocks_available, files, files_free;
    i32 fsid[2];
    i64 name_length, fragment_size, flags;
};
inline constexpr i64 k_statfs_read_only = 1; // ST_RDONLY

class FileSystem {
public:
    // The entry `name` of `directory` (never empty, "." or ".."), or null when there is none.
    virtual Result<Inode*> lookup(Inode& directory, Name name) = 0;
    // Several components at once, each looked up in what the one before named (none is "." or
    // ".."): fills found[0..n) and returns n >= 1. found[i] for i < n - 1 are directories; the
    // last may be null (missing), or what cannot be walked further (a symlink, a file, a
    // directory when all names were used). A remote file system answers in one round trip; the
    // default asks lookup() name by name. The chain ends where another file system is mounted.
    virtual Result<size_t> lookup_many(Inode& directory, const Name* names, size_t count, Inode** found);
    // A symlink's target, NUL-terminated, valid as long as the inode is.
    virtual Result<const char*> link_target(Inode& link) = 0;
    // Makes the inode's attributes (mode, size, times, link count) current.
    virtual Result<void> refresh(Inode& inode) = 0;

    // Changes to a directory, made after the generic checks (the name is new, or names `child`).
    // `mode` has its type bits and the umask applied.
    virtual Result<Inode*> create(Inode& directory, Name name, u32 mode, u32 device_number) = 0;
    virtual Result<Inode*> create_symlink(Inode& directory, Name name, const char* target) = 0;
    virtual Result<void> link(Inode& target, Inode& directory, Name name) = 0;
    virtual Result<void> unlink(Inode& directory, Name name, Inode& child) = 0;
    virtual Result<void> remove_directory(Inode& directory, Name name, Inode& child) = 0;
    // Both lookups are in this file system; the generic checks are done (see vfs.cpp).
    virtual Result<void> rename(Lookup& from, Lookup& to, u32 flags) = 0;

    // open(2) of an existing inode (O_TRUNC included); the description holds its own reference.
    virtual Result<FileDescription*> open(Inode& inode, u32 flags) = 0;
    // open(2) with O_CREAT of a name that does not exist.
    virtual Result<FileDescription*> create_and_open(Inode& directory, Name name, u32 flags, u32 mode) = 0;
    // O_TMPFILE in `directory`.
    virtual Result<FileDescription*> open_unnamed(Inode& directory, u32 flags, u32 mode) = 0;

    virtual Result<void> change_attributes(Inode& inode, const AttributeChange& change) = 0;
    // fallocate(2) (`mode` as Linux's).
    virtual Result<void> allocate(Inode& inode, u32 mode, u64 offset, u64 length) = 0;
    virtual Result<void> statistics(Inode& inode, FileSystemStatistics& out) = 0;
    // The name `child`, a directory, has in `directory` (for getcwd).
    virtual Result<Name> name_of(Inode& directory, Inode& child) = 0;
    // The last reference to `inode` is gone: free it once it has no links, or keep it cached.
    virtual void unreferenced(Inode& inode) = 0;

    bool is_read_only() const { return m_read_only; }
    // st_dev of its inodes.
    u64 device_number() const { return m_device_number; }

protected:
    ~FileSystem() = default;
    bool m_read_only = false;
    u64 m_device_number = 0x1a;
};

inline Result<size_t> FileSystem::lookup_many(Inode& directory, const Name* names, size_t count, Inode** found)
{
    Inode* at = &directory;
    for (size_t i = 0; i < count; ++i) {
        found[i] = TRY(lookup(*at, names[i]));
        // A mounted tree's root answers for itself: the caller asks its file system next.
        if (!found[i] || !found[i]->is_directory() || found[i]->file_system != this)
            return i + 1;
        at = found[i];
    }
    return count;
}

// The ramfs every tree starts with.
FileSystem& ramfs();
inline bool is_ramfs(const Inode& inode) { return inode.file_system == &ramfs(); }

// Holds a reference on an inode for a scope (null allowed).
class InodeRef {
public:
    explicit InodeRef(Inode* inode) : m_inode(inode)
    {
        if (m_inode)
            ref(*m_inode);
    }
    ~InodeRef()
    {
        if (m_inode)
            unref(*m_inode);
    }
    InodeRef(const InodeRef&) = delete;
    InodeRef& operator=(const InodeRef&) = delete;
    // Holds `inode` instead (the new reference is taken before the old one is dropped).
    void reset(Inode* inode)
    {
        if (inode)
            ref(*inode);
        if (m_inode)
            unref(*m_inode);
        m_inode = inode;
    }

private:
    Inode* m_inode;
};

}
