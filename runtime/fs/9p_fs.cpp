// SPDX-License-Identifier: MIT
// The 9P file system: remote nodes, their cache, and the tree's operations as 9P requests.
#include "fs/9p_fs.h"

#include "fs/file_description.h"
#include "fs/pipe.h"
#include "fs/path.h"
#include "fs/vfs.h"
#include "lib/string.h"
#include "lib/verify.h"
#include "mm/kmalloc.h"

namespace uk::fs {

using namespace ninep;

namespace {

// st_mode's type from a qid, until the attributes say more (a qid cannot tell a FIFO or a device
// from a regular file: those are only treated as such once refresh() has run).
u32 mode_of(const Qid& qid)
{
    if (qid.type & k_qid_directory)
        return k_mode_directory;
    if (qid.type & k_qid_symlink)
        return k_mode_symlink;
    return k_mode_regular;
}

i64 nanoseconds(i64 seconds, i64 nsec) { return seconds * 1'000'000'000 + nsec; }

// The open(2) flags a server is given: the access mode and the flags that change how the file
// is opened or written (9P2000.L's flag values are Linux's).
u32 server_open_flags(u32 flags)
{
    return flags & (k_o_accmode | k_o_trunc | k_o_append | k_o_excl | k_o_dsync | k_o_sync);
}

char* copy_name(Name name)
{
    auto* copy = static_cast<char*>(kmalloc(name.length + 1));
    if (copy) {
        copy_bytes(copy, name.chars, name.length);
        copy[name.length] = 0;
    }
    return copy;
}

} // namespace

Result<NinePFileSystem*> NinePFileSystem::create(virtio::NinePDevice& device, bool read_only, u64 device_number)
{
    auto* fs = make<NinePFileSystem>();
    auto* buckets = static_cast<RemoteNode**>(allocate_page());
    auto* root = make<RemoteNode>();
    static_assert(k_buckets * sizeof(RemoteNode*) <= k_page_size);
    if (!fs || !buckets || !root) {
        destroy(fs);
        destroy(root);
        if (buckets)
            free_page(buckets);
        return error(ENOMEM);
    }
    fs->m_buckets = buckets;
    fs->m_read_only = read_only;
    fs->m_device_number = device_number;
    TRY(fs->m_client.connect(device));
    u32 fid = fs->m_client.new_fid();
    Qid qid = TRY(fs->m_client.attach(fid));
    if (!(qid.type & k_qid_directory))
        return error(ENOTDIR);
    root->file_system = fs;
    root->fid = fid;
    root->qid_path = qid.path;
    root->number = qid.path;
    root->mode = k_mode_directory | 0755;
    root->link_count = 2;
    root->references = 1; // The mount's, forever.
    root->birth_ns = -1;
    root->is_mount_root = true;
    fs->m_root = root;
    fs->insert(*root);
    TRY(fs->fetch_attributes(*root, fid));
    return fs;
}

RemoteNode* NinePFileSystem::find(u64 qid_path)
{
    for (RemoteNode* node = m_buckets[qid_path % k_buckets]; node; node = node->hash_next)
        if (node->qid_path == qid_path)
            return node;
    return nullptr;
}

void NinePFileSystem::insert(RemoteNode& node)
{
    RemoteNode*& head = m_buckets[node.qid_path % k_buckets];
    node.hash_next = head;
    head = &node;
    node.hashed = true;
}

void NinePFileSystem::unhash(RemoteNode& node)
{
    if (!node.hashed)
        return;
    for (RemoteNode** at = &m_buckets[node.qid_path % k_buckets]; *at; at = &(*at)->hash_next) {
        if (*at == &node) {
            *at = node.hash_next;
            break;
        }
    }
    node.hashed = false;
    node.hash_next = nullptr;
}

void NinePFileSystem::forget_link_target(RemoteNode& node)
{
    if (!node.link_target)
        return;
    // link_target() keeps short targets in a slab block and long ones in a page.
    if (string_length(node.link_target) + 1 > 2016)
        free_page(node.link_target);
    else
        kfree(node.link_target);
    node.link_target = nullptr;
}

void NinePFileSystem::free_node(RemoteNode& node)
{
    VERIFY(node.references == 0 && &node != m_root);
    unhash(node);
    m_client.clunk(node.fid);
    forget_link_target(node);
    kfree(node.name);
    Inode* parent = node.parent;
    destroy(&node);
    if (parent)
        unref(*parent);
}

void NinePFileSystem::evict_unused()
{
    while (m_unused_count > k_max_unused) {
        RemoteNode* node = m_unused.pop_front();
        --m_unused_count;
        // A node referenced again since it was queued is in use: it rejoins the queue when its
        // last reference goes.
        if (node->references == 0)
            free_node(*node);
    }
}

void NinePFileSystem::unreferenced(Inode& inode)
{
    RemoteNode& node = remote(inode);
    if (static_cast<ListLink<UnusedTag>&>(node).is_linked()) {
        IntrusiveList<RemoteNode, UnusedTag>::remove(node);
        --m_unused_count;
    }
    m_unused.push_back(node);
    ++m_unused_count;
}

RemoteNode* NinePFileSystem::node_for(const Qid& qid, u32 fid, RemoteNode& parent, Name name)
{
    evict_unused();
    RemoteNode* node = find(qid.path);
    if (node && (mode_of(qid) != node->type() || node == &parent
            || (node->is_symlink() && node->qid_version != qid.version))) {
        // The server reuses a number for another file (the old one was deleted on the host), or
        // a symlink was made anew (its cached target would be stale): the old node lives on for
        // whoever holds it, but is no longer found.
        unhash(*node);
        node = nullptr;
    }
    if (node) {
        // The fid just walked surely names the file; the node's own may not any more (renamed
        // or unlinked behind our back).
        if (fid != k_no_fid) {
            m_client.clunk(node->fid);
            node->fid = fid;
        }
        node->attributes_epoch = 0;
        node->qid_version = qid.version;
        if (node->is_directory() && node->parent != &parent) {
            // A directory has one parent: it moved on the host.
            ref(parent);
            Inode* old = node->parent;
            node->parent = &parent;
            unref(*old);
        }
        if (node->is_directory() || !node->name || !name.equals(node->name, string_length(node->name))) {
            if (char* copy = copy_name(name)) {
                kfree(node->name);
                node->name = copy;
            }
        }
        if (node->references == 0 && static_cast<ListLink<UnusedTag>&>(*node).is_linked()) {
            // Recently used: to the back of the queue.
            IntrusiveList<RemoteNode, UnusedTag>::remove(*node);
            m_unused.push_back(*node);
        }
        return node;
    }
    node = make<RemoteNode>();
    char* copy = copy_name(name);
    if (!node || !copy) {
        destroy(node);
        kfree(copy);
        m_client.clunk(fid);
        return nullptr;
    }
    node->file_system = this;
    node->fid = fid;
    node->qid_path = qid.path;
    node->qid_version = qid.version;
    node->number = qid.path;
    node->mode = mode_of(qid);
    node->link_count = 1;
    node->birth_ns = -1;
    node->name = copy;
    ref(parent);
    node->parent = &parent;
    insert(*node);
    // Nobody references it yet: it starts in the queue of unused nodes.
    m_unused.push_back(*node);
    ++m_unused_count;
    return node;
}

void NinePFileSystem::apply(RemoteNode& node, const Attributes& a)
{
    // A type change means a different file behind the same number; the walk will notice.
    u32 type = a.mode & k_mode_type_mask;
    if (type == node.type() || !(node.is_directory() || type == k_mode_directory))
        node.mode = a.mode;
    node.uid = a.uid;
    node.gid = a.gid;
    node.link_count = static_cast<u32>(a.nlink > 0xffffffffu ? 0xffffffffu : a.nlink);
    // Linux's dev_t from the host (glibc's 64-bit encoding) into the runtime's 32-bit one.
    u64 major = ((a.rdev >> 8) & 0xfff) | ((a.rdev >> 32) & ~0xfffull);
    u64 minor = (a.rdev & 0xff) | ((a.rdev >> 12) & ~0xffull);
    node.device_number = static_cast<u32>(((major & 0xfff) << 8) | (minor & 0xff) | ((minor & 0xfff00) << 12));
    node.size = a.size;
    node.block_size = static_cast<u32>(a.block_size ? a.block_size : k_page_size);
    node.block_count = a.blocks;
    node.access_ns = nanoseconds(a.atime_sec, a.atime_nsec);
    node.modify_ns = nanoseconds(a.mtime_sec, a.mtime_nsec);
    node.change_ns = nanoseconds(a.ctime_sec, a.ctime_nsec);
    node.birth_ns = (a.valid & 0x800) && a.btime_nsec >= 0 && a.btime_nsec < 1'000'000'000
        ? nanoseconds(a.btime_sec, a.btime_nsec)
        : -1;
    node.attributes_epoch = lookup_epoch();
}

Result<void> NinePFileSystem::fetch_attributes(RemoteNode& node, u32 fid)
{
    Attributes a = TRY(m_client.getattr(fid));
    apply(node, a);
    return {};
}

Result<u32> NinePFileSystem::node_fid(RemoteNode& node)
{
    if (node.fid != k_no_fid)
        return node.fid;
    VERIFY(node.parent && node.name && node.parent->file_system == this);
    RemoteNode& parent = remote(*node.parent);
    u32 directory_fid = TRY(node_fid(parent));
    u32 fid = m_client.new_fid();
    Name name { node.name, string_length(node.name) };
    Qid qid;
    u16 walked = TRY(m_client.walk(directory_fid, fid, &name, 1, &qid));
    if (walked != 1)
        return error(ENOENT);
    // Another thread may have given it a fid meanwhile.
    if (node.fid != k_no_fid) {
        m_client.clunk(fid);
        return node.fid;
    }
    node.fid = fid;
    return fid;
}

Result<Inode*> NinePFileSystem::lookup(Inode& directory, Name name)
{
    RemoteNode& parent = remote(directory);
    u32 directory_fid = TRY(node_fid(parent));
    u32 fid = m_client.new_fid();
    Qid qid;
    auto walked = m_client.walk(directory_fid, fid, &name, 1, &qid);
    if (walked.is_error())
        return walked.error_code() == ENOENT ? Result<Inode*>(nullptr) : error(walked.error_code());
    if (walked.value() != 1)
        return static_cast<Inode*>(nullptr);
    RemoteNode* node = node_for(qid, fid, parent, name);
    if (!node)
        return error(ENOMEM);
    return static_cast<Inode*>(node);
}

Result<size_t> NinePFileSystem::lookup_many(Inode& directory, const Name* names, size_t count, Inode** found)
{
    if (count == 1) {
        found[0] = TRY(lookup(directory, names[0]));
        return static_cast<size_t>(1);
    }
    RemoteNode& start = remote(directory);
    u32 directory_fid = TRY(node_fid(start));
    u32 fid = m_client.new_fid();
    Qid qids[k_max_walk_names];
    if (count > k_max_walk_names)
        count = k_max_walk_names;
    auto walked = m_client.walk(directory_fid, fid, names, static_cast<u16>(count), qids);
    if (walked.is_error()) {
        // [9P2000 walk(5)] Only a failure at the first name is an error.
        if (walked.error_code() != ENOENT)
            return error(walked.error_code());
        found[0] = nullptr;
        return static_cast<size_t>(1);
    }
    size_t n = walked.value();
    if (n == 0) {
        found[0] = nullptr;
        return static_cast<size_t>(1);
    }
    // The server's new fid exists only when every name was walked; it then names the last. The
    // directories on the way get nodes without fids (walked again only if an operation needs one).
    RemoteNode* parent = &start;
    InodeRef hold(parent);
    for (size_t i = 0; i < n; ++i) {
        RemoteNode* node = node_for(qids[i], i + 1 == count ? fid : k_no_fid, *parent, names[i]);
        if (!node) {
            if (i + 1 < count)
                m_client.clunk(fid);
            return error(ENOMEM);
        }
        found[i] = node;
        parent = node;
        hold.reset(parent);
    }
    if (n == count)
        return n;
    // The walk stopped early. After a symlink or a file that is expected: the caller follows or
    // refuses it. After a directory, the next name is missing (the server refuses a name only
    // for that here: the runtime asks as root, and names are checked for length before); the
    // directory then gets a fid of its own if the name is the last, where the caller may create.
    if (!(qids[n - 1].type & k_qid_directory))
        return n;
    found[n] = nullptr;
    if (n + 1 == count && parent->fid == k_no_fid)
        TRY(node_fid(*parent));
    return n + 1;
}

Result<const char*> NinePFileSystem::link_target(Inode& inode)
{
    RemoteNode& node = remote(inode);
    if (node.link_target)
        return static_cast<const char*>(node.link_target);
    u32 fid = TRY(node_fid(node));
    auto* buffer = static_cast<char*>(allocate_page());
    if (!buffer)
        return error(ENOMEM);
    auto length = m_client.readlink(fid, buffer, k_page_size);
    if (length.is_error()) {
        free_page(buffer);
        return error(length.error_code());
    }
    // Kept for the node's life: a symlink's target never changes (a new one is a new file).
    char* target = buffer;
    if (length.value() + 1 <= 2016) {
        target = static_cast<char*>(kmalloc(length.value() + 1));
        if (!target) {
            free_page(buffer);
            return error(ENOMEM);
        }
        copy_bytes(target, buffer, length.value() + 1);
        free_page(buffer);
    }
    if (node.link_target) { // Another thread read it meanwhile.
        if (target != buffer)
            kfree(target);
        else
            free_page(buffer);
        return static_cast<const char*>(node.link_target);
    }
    node.link_target = target;
    node.size = length.value();
    return static_cast<const char*>(target);
}

Result<void> NinePFileSystem::refresh(Inode& inode)
{
    RemoteNode& node = remote(inode);
    if (node.attributes_epoch == lookup_epoch())
        return {};
    u32 fid = TRY(node_fid(node));
    return fetch_attributes(node, fid);
}

Result<Inode*> NinePFileSystem::create(Inode& directory, Name name, u32 mode, u32 device_number)
{
    RemoteNode& parent = remote(directory);
    u32 directory_fid = TRY(node_fid(parent));
    Qid qid;
    if ((mode & k_mode_type_mask) == k_mode_directory)
        qid = TRY(m_client.mkdir(directory_fid, name, mode & 07777));
    else
        qid = TRY(m_client.mknod(directory_fid, name, mode, device_number));
    parent.attributes_epoch = 0;
    RemoteNode* node = node_for(qid, k_no_fid, parent, name);
    if (!node)
        return error(ENOMEM);
    return static_cast<Inode*>(node);
}

Result<Inode*> NinePFileSystem::create_symlink(Inode& directory, Name name, const char* target)
{
    RemoteNode& parent = remote(directory);
    u32 directory_fid = TRY(node_fid(parent));
    Qid qid = TRY(m_client.symlink(directory_fid, name, target));
    parent.attributes_epoch = 0;
    RemoteNode* node = node_for(qid, k_no_fid, parent, name);
    if (!node)
        return error(ENOMEM);
    return static_cast<Inode*>(node);
}

Result<void> NinePFileSystem::link(Inode& target, Inode& directory, Name name)
{
    u32 fid = TRY(node_fid(remote(target)));
    u32 directory_fid = TRY(node_fid(remote(directory)));
    TRY(m_client.link(directory_fid, fid, name));
    ++target.link_count;
    remote(target).attributes_epoch = 0;
    remote(directory).attributes_epoch = 0;
    return {};
}

Result<void> NinePFileSystem::unlink(Inode& directory, Name name, Inode& child)
{
    u32 directory_fid = TRY(node_fid(remote(directory)));
    TRY(m_client.unlinkat(directory_fid, name, 0));
    if (child.link_count)
        --child.link_count;
    remote(child).attributes_epoch = 0;
    remote(directory).attributes_epoch = 0;
    return {};
}

Result<void> NinePFileSystem::remove_directory(Inode& directory, Name name, Inode& child)
{
    u32 directory_fid = TRY(node_fid(remote(directory)));
    TRY(m_client.unlinkat(directory_fid, name, k_unlink_directory));
    // Gone: a working directory inside it now has no path (getcwd: ENOENT), as on Linux.
    child.link_count = 0;
    unhash(remote(child));
    remote(directory).attributes_epoch = 0;
    return {};
}

Result<void> NinePFileSystem::rename(Lookup& from, Lookup& to, u32 flags)
{
    // 9P2000.L's Trenameat has no flags: RENAME_NOREPLACE was checked by the caller (a name the
    // host creates in between is replaced), RENAME_EXCHANGE cannot be done, as on Linux's v9fs.
    if (flags & k_rename_exchange)
        return error(EINVAL);
    u32 from_fid = TRY(node_fid(remote(*from.parent)));
    u32 to_fid = TRY(node_fid(remote(*to.parent)));
    TRY(m_client.renameat(from_fid, from.last, to_fid, to.last));
    RemoteNode& moving = remote(*from.inode);
    remote(*from.parent).attributes_epoch = 0;
    remote(*to.parent).attributes_epoch = 0;
    moving.attributes_epoch = 0;
    if (to.inode && to.inode != from.inode) {
        RemoteNode& replaced = remote(*to.inode);
        if (replaced.is_directory()) {
            replaced.link_count = 0;
            unhash(replaced);
        } else if (replaced.link_count) {
            --replaced.link_count;
        }
        replaced.attributes_epoch = 0;
    }
    if (char* copy = copy_name(to.last)) {
        kfree(moving.name);
        moving.name = copy;
    }
    if (moving.parent != to.parent) {
        ref(*to.parent);
        Inode* old = moving.parent;
        moving.parent = to.parent;
        unref(*old);
    }
    return {};
}

Result<FileDescription*> NinePFileSystem::describe(RemoteNode& node, u32 open_fid, u32 flags)
{
    ref(node); // The description's.
    if (node.is_directory())
        return open_remote_directory(*this, node, open_fid, flags);
    return open_remote_file(*this, node, open_fid, flags);
}

Result<FileDescription*> NinePFileSystem::open(Inode& inode, u32 flags)
{
    RemoteNode& node = remote(inode);
    if (flags & k_o_path) {
        ref(node);
        return open_inode_description(node, flags);
    }
    TRY(refresh(node));
    if (node.type() == k_mode_fifo) {
        // As on Linux's v9fs, a FIFO is the guest's own: its data never goes to the host.
        ref(node);
        return open_fifo(node, flags);
    }
    // Sockets and device nodes on the host are the host's (Linux would open the guest's own
    // device of that number; the runtime has none to give).
    if (!node.is_regular() && !node.is_directory())
        return error(ENXIO);
    u32 fid = TRY(node_fid(node));
    u32 open_fid;
    if (node.is_regular() && node.references == 1) {
        // Nobody else uses the node (every operation holds a reference while it does): its own
        // fid becomes the open file's, which saves a walk; the next lookup brings it a new one.
        open_fid = fid;
        node.fid = k_no_fid;
    } else {
        open_fid = m_client.new_fid();
        TRY(m_client.walk(fid, open_fid, nullptr, 0, nullptr));
    }
    auto opened = m_client.lopen(open_fid, server_open_flags(flags) & ~k_o_excl);
    if (opened.is_error()) {
        if (node.fid == k_no_fid && open_fid == fid)
            node.fid = fid;
        else
            m_client.clunk(open_fid);
        return error(opened.error_code());
    }
    if (flags & k_o_trunc)
        node.attributes_epoch = 0;
    return describe(node, open_fid, flags);
}

Result<FileDescription*> NinePFileSystem::create_and_open(Inode& directory, Name name, u32 flags, u32 mode)
{
    RemoteNode& parent = remote(directory);
    u32 directory_fid = TRY(node_fid(parent));
    // Tlcreate turns the fid it is given into the new file's, open: a copy of the directory's.
    u32 open_fid = m_client.new_fid();
    TRY(m_client.walk(directory_fid, open_fid, nullptr, 0, nullptr));
    auto created = m_client.lcreate(open_fid, name, server_open_flags(flags) | k_o_creat, mode);
    if (created.is_error()) {
        m_client.clunk(open_fid);
        return error(created.error_code());
    }
    parent.attributes_epoch = 0;
    RemoteNode* node = node_for(created.value(), k_no_fid, parent, name);
    if (!node) {
        m_client.clunk(open_fid);
        return error(ENOMEM);
    }
    return describe(*node, open_fid, flags);
}

Result<FileDescription*> NinePFileSystem::open_unnamed(Inode&, u32, u32)
{
    // 9P2000.L has no unnamed files (Linux's v9fs refuses O_TMPFILE the same way).
    return error(EOPNOTSUPP);
}

Result<void> NinePFileSystem::change_attributes(Inode& inode, const AttributeChange& change)
{
    RemoteNode& node = remote(inode);
    AttributeChanges c {};
    if (change.mask & AttributeChange::k_mode) {
        c.valid |= k_setattr_mode;
        c.mode = change.mode & 07777;
    }
    if (change.mask & AttributeChange::k_uid) {
        c.valid |= k_setattr_uid;
        c.uid = change.uid;
    }
    if (change.mask & AttributeChange::k_gid) {
        c.valid |= k_setattr_gid;
        c.gid = change.gid;
    }
    if (change.mask & AttributeChange::k_size) {
        c.valid |= k_setattr_size;
        c.size = change.size;
    }
    // Without the _SET bits the server takes its own clock's "now".
    if (change.mask & AttributeChange::k_access_time) {
        c.valid |= k_setattr_atime;
        if (!change.access_now) {
            c.valid |= k_setattr_atime_set;
            c.atime_sec = change.access_ns / 1'000'000'000;
            c.atime_nsec = change.access_ns % 1'000'000'000;
            if (c.atime_nsec < 0) {
                c.atime_nsec += 1'000'000'000;
                --c.atime_sec;
            }
        }
    }
    if (change.mask & AttributeChange::k_modify_time) {
        c.valid |= k_setattr_mtime;
        if (!change.modify_now) {
            c.valid |= k_setattr_mtime_set;
            c.mtime_sec = change.modify_ns / 1'000'000'000;
            c.mtime_nsec = change.modify_ns % 1'000'000'000;
            if (c.mtime_nsec < 0) {
                c.mtime_nsec += 1'000'000'000;
                --c.mtime_sec;
            }
        }
    }
    if (c.valid == 0)
        return {};
    u32 fid = TRY(node_fid(node));
    TRY(m_client.setattr(fid, c));
    node.attributes_epoch = 0;
    return {};
}

Result<void> NinePFileSystem::allocate(Inode&, u32, u64, u64)
{
    // 9P2000.L has no fallocate (Linux's v9fs answers the same).
    return error(EOPNOTSUPP);
}

Result<void> NinePFileSystem::statistics(Inode& inode, FileSystemStatistics& out)
{
    u32 fid = TRY(node_fid(remote(inode)));
    FileSystemStatus s = TRY(m_client.statfs(fid));
    out.type = 0x01021997; // V9FS_MAGIC, what Linux reports for a 9p mount.
    out.block_size = s.block_size;
    out.blocks = s.blocks;
    out.blocks_free = s.blocks_free;
    out.blocks_available = s.blocks_available;
    out.files = s.files;
    out.files_free = s.files_free;
    out.fsid[0] = static_cast<i32>(s.fsid);
    out.fsid[1] = static_cast<i32>(s.fsid >> 32);
    out.name_length = s.name_length;
    out.fragment_size = s.block_size;
    out.flags = 0x20; // ST_VALID
    return {};
}

Result<Name> NinePFileSystem::name_of(Inode&, Inode& child)
{
    RemoteNode& node = remote(child);
    if (!node.name)
        return error(ENOENT);
    return Name { node.name, string_length(node.name) };
}

}
