// SPDX-License-Identifier: MIT
// A directory tree on the host, mounted over 9P2000.L (a virtio-9p share): the FileSystem
// whose inodes are the server's files.
//
// Each remote inode (RemoteNode) stands for one server file, found by qid.path, and owns a fid
// that names it (walked lazily when the node came from a create). Nodes nobody references stay
// cached (up to k_max_unused, least recently used first out), so that the inodes a lookup
// returns stay valid until the caller sleeps (fs/file_system.h) and a path looked up again
// costs one walk, not a new node. Names are not cached: every lookup asks the server, so
// changes the host makes are seen at once. Attributes are fetched once per system call
// (fs/path.h's lookup_epoch()); file data is never cached: reads and writes go to the server,
// so what the guest writes is on the host when write() returns.
#pragma once

#include "fs/9p_client.h"
#include "fs/file_system.h"

namespace uk::virtio {
class NinePDevice;
}

namespace uk::fs {

struct UnusedTag;
struct HashTag;

struct RemoteNode : Inode, ListLink<UnusedTag> {
    u32 fid;                 // ninep::k_no_fid until walked (nodes made by a create).
    u64 qid_path;
    u32 qid_version;         // A symlink whose version changed is a new one: it gets a new node.
    u64 attributes_epoch;    // lookup_epoch() when the attributes were fetched; 0: stale.
    char* name;              // In the parent directory (kmalloc'd); null for the root.
    RemoteNode* hash_next;
    bool hashed;
};

class NinePFileSystem final : public FileSystem {
public:
    // Connects to the device's server and attaches its root; the root inode hangs at `mount_point`
    // (a ramfs directory) once mount_at() in fs/mount.cpp puts it there.
    static Result<NinePFileSystem*> create(virtio::NinePDevice& device, bool read_only, u64 device_number);
    RemoteNode& root() { return *m_root; }
    NinePClient& client() { return m_client; }

    Result<Inode*> lookup(Inode& directory, Name name) override;
    Result<size_t> lookup_many(Inode& directory, const Name* names, size_t count, Inode** found) override;
    Result<const char*> link_target(Inode& link) override;
    Result<void> refresh(Inode& inode) override;
    Result<Inode*> create(Inode& directory, Name name, u32 mode, u32 device_number) override;
    Result<Inode*> create_symlink(Inode& directory, Name name, const char* target) override;
    Result<void> link(Inode& target, Inode& directory, Name name) override;
    Result<void> unlink(Inode& directory, Name name, Inode& child) override;
    Result<void> remove_directory(Inode& directory, Name name, Inode& child) override;
    Result<void> rename(Lookup& from, Lookup& to, u32 flags) override;
    Result<FileDescription*> open(Inode& inode, u32 flags) override;
    Result<FileDescription*> create_and_open(Inode& directory, Name name, u32 flags, u32 mode) override;
    Result<FileDescription*> open_unnamed(Inode& directory, u32 flags, u32 mode) override;
    Result<void> change_attributes(Inode& inode, const AttributeChange& change) override;
    Result<void> allocate(Inode& inode, u32 mode, u64 offset, u64 length) override;
    Result<void> statistics(Inode& inode, FileSystemStatistics& out) override;
    Result<Name> name_of(Inode& directory, Inode& child) override;
    void unreferenced(Inode& inode) override;

    // For the descriptions of open files: the attributes the server gives for `fid`, stored
    // into `node` as well.
    Result<void> fetch_attributes(RemoteNode& node, u32 fid);
    // The node's own fid, walked now if it has none yet.
    Result<u32> node_fid(RemoteNode& node);

private:
    static constexpr size_t k_buckets = 256;
    static constexpr size_t k_max_unused = 512;

    RemoteNode* find(u64 qid_path);
    void insert(RemoteNode& node);
    void unhash(RemoteNode& node);
    // The node for a qid the server just named (cached, or new with `fid`, which it then owns;
    // a cached node takes the fresher fid). Null when out of memory (the fid is then clunked).
    RemoteNode* node_for(const ninep::Qid& qid, u32 fid, RemoteNode& parent, Name name);
    void evict_unused();
    void free_node(RemoteNode& node);
    void forget_link_target(RemoteNode& node);
    void apply(RemoteNode& node, const ninep::Attributes& attributes);
    Result<FileDescription*> describe(RemoteNode& node, u32 open_fid, u32 flags);

    NinePClient m_client;
    RemoteNode* m_root = nullptr;
    RemoteNode** m_buckets = nullptr;
    IntrusiveList<RemoteNode, UnusedTag> m_unused;
    size_t m_unused_count = 0;
};

inline RemoteNode& remote(Inode& inode) { return static_cast<RemoteNode&>(inode); }

// The descriptions of a server's files and directories (fs/9p_files.cpp). Each owns `fid`,
// opened with Tlopen or Tlcreate, and holds a reference on the node (taken over from the caller).
Result<FileDescription*> open_remote_file(NinePFileSystem& fs, RemoteNode& node, u32 fid, u32 flags);
Result<FileDescription*> open_remote_directory(NinePFileSystem& fs, RemoteNode& node, u32 fid, u32 flags);

}
