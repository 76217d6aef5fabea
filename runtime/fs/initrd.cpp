// SPDX-License-Identifier: MIT
// cpio unpacking. Entries are applied in archive order, creating missing parent directories;
// a later entry replaces an earlier file of the same name (so an initrd can override /etc
// files the runtime generates). Modes and modification times are kept; hard links (newc
// entries sharing an inode number) become hard links again.
#include "fs/initrd.h"

#include "fs/cpio.h"
#include "fs/directory.h"
#include "fs/vfs.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/kmalloc.h"

namespace uk::fs {

namespace {

// First inode seen for each archive inode number that has more than one link.
struct HardLink {
    u32 archive_inode;
    Inode* inode;
};

class HardLinks {
public:
    ~HardLinks()
    {
        for (size_t i = 0; i < m_count; ++i)
            unref(*m_links[i].inode);
        free_page(m_links);
    }
    Inode* find(u32 archive_inode) const
    {
        for (size_t i = 0; i < m_count; ++i)
            if (m_links[i].archive_inode == archive_inode)
                return m_links[i].inode;
        return nullptr;
    }
    void remember(u32 archive_inode, Inode& inode)
    {
        if (!m_links)
            m_links = static_cast<HardLink*>(allocate_page());
        // Beyond one page of them, further hard links unpack as separate copies.
        if (!m_links || m_count == k_page_size / sizeof(HardLink))
            return;
        ref(inode);
        m_links[m_count++] = { archive_inode, &inode };
    }

private:
    HardLink* m_links = nullptr;
    size_t m_count = 0;
};

const char* errno_name(int code)
{
    switch (code) {
    case ENOSPC: return "out of memory";
    case ENOMEM: return "out of memory";
    case ENOTDIR: return "a parent is not a directory";
    case EISDIR: return "a directory of that name exists";
    case ENAMETOOLONG: return "name too long";
    case EEXIST: return "already exists";
    case ELOOP: return "too many symbolic links";
    case ENOENT: return "no such file or directory";
    case EFBIG: return "file too large";
    default: return "cannot create it";
    }
}

// Removes whatever non-directory sits at `path`, so that the entry can replace it.
Result<void> clear_name(const char* path, bool new_is_directory)
{
    auto found = TRY(lookup(root(), path, 0));
    if (!found.inode)
        return {};
    if (found.inode->is_directory()) {
        if (new_is_directory)
            return {};
        return error(EISDIR);
    }
    return unlink(root(), path);
}

void set_attributes(Inode& inode, const CpioEntry& entry)
{
    inode.mode = (inode.mode & k_mode_type_mask) | (entry.mode & k_mode_permission_mask);
    inode.uid = entry.uid;
    inode.gid = entry.gid;
    inode.modify_ns = inode.access_ns = static_cast<i64>(entry.modify_time) * 1'000'000'000;
}

Result<void> unpack_entry(const CpioEntry& entry, const char* path, HardLinks& links)
{
    // Parent directories the archive did not list come first.
    size_t slash = string_length(path);
    while (slash > 0 && path[slash] != '/')
        --slash;
    if (slash > 0) {
        char parent[k_path_max];
        copy_bytes(parent, path, slash);
        parent[slash] = 0;
        TRY(make_directories(parent));
    }

    u32 type = entry.mode & k_mode_type_mask;
    Inode* inode = nullptr;
    switch (type) {
    case k_mode_directory: {
        TRY(clear_name(path, true));
        auto found = TRY(lookup(root(), path, 0));
        inode = found.inode ? found.inode : TRY(create_node(root(), path, k_mode_directory | 0755));
        break;
    }
    case k_mode_regular: {
        TRY(clear_name(path, false));
        if (entry.link_count > 1) {
            if (Inode* first = links.find(entry.inode)) {
                // Link by inode: the first name may since have been replaced.
                auto found = TRY(lookup(root(), path, 0));
                if (!found.inode)
                    TRY(add_entry(*found.parent, found.last, *first));
                inode = first;
                break;
            }
        }
        inode = TRY(create_node(root(), path, k_mode_regular | 0644));
        if (entry.link_count > 1)
            links.remember(entry.inode, *inode);
        break;
    }
    case k_mode_symlink: {
        TRY(clear_name(path, false));
        if (entry.size == 0 || entry.size >= k_path_max)
            return error(entry.size ? ENAMETOOLONG : ENOENT);
        char target[k_path_max];
        copy_bytes(target, entry.data, entry.size);
        target[entry.size] = 0;
        if (string_length(target) != entry.size)
            return error(EINVAL);
        inode = TRY(create_symlink(root(), path, target));
        break;
    }
    case k_mode_char_device:
    case k_mode_block_device:
    case k_mode_fifo:
    case k_mode_socket: {
        TRY(clear_name(path, false));
        u32 number = (entry.device_major << 8) | (entry.device_minor & 0xff);
        inode = TRY(create_node(root(), path, type | 0644, number));
        break;
    }
    default:
        return error(EINVAL);
    }
    if (type == k_mode_regular && entry.size)
        TRY(write_data(*inode, 0, entry.data, entry.size));
    set_attributes(*inode, entry);
    return {};
}

} // namespace

Result<void> unpack_archive(const void* archive, size_t size, char* problem, size_t problem_size)
{
    if (size >= 2 && static_cast<const u8*>(archive)[0] == 0x1f && static_cast<const u8*>(archive)[1] == 0x8b) {
        copy_string(problem, problem_size, "the archive is gzip-compressed; pass an uncompressed newc cpio archive");
        return error(EINVAL);
    }
    CpioReader reader(archive, size);
    HardLinks links;
    CpioEntry entry;
    for (;;) {
        auto more = reader.next(entry);
        if (more.is_error()) {
            const char* name = reader.current_name();
            format(problem, problem_size, "%s (entry %zu%s%s%s at offset %zu of %zu bytes)", reader.problem(),
                reader.entries_read() + 1, *name ? " '" : "", name, *name ? "'" : "", reader.offset(), size);
            return error(EINVAL);
        }
        if (!more.value())
            break;
        // Names are relative to the archive's root: "./etc/x", "/etc/x" and "etc/x" are one file.
        const char* name = entry.name;
        while (*name == '/' || (name[0] == '.' && name[1] == '/'))
            name += *name == '/' ? 1 : 2;
        if (*name == 0 || (name[0] == '.' && name[1] == 0)) {
            if ((entry.mode & k_mode_type_mask) == k_mode_directory)
                set_attributes(root(), entry);
            continue;
        }
        char path[k_path_max];
        if (string_length(name) + 2 > sizeof(path)) {
            format(problem, problem_size, "name too long (entry %zu at offset %zu)", reader.entries_read(),
                reader.offset());
            return error(ENAMETOOLONG);
        }
        format(path, sizeof(path), "/%s", name);
        auto unpacked = unpack_entry(entry, path, links);
        if (unpacked.is_error()) {
            int code = unpacked.error_code();
            format(problem, problem_size, "cannot unpack '%s': %s (entry %zu at offset %zu)", path,
                code == EINVAL ? "unsupported file type or bad symlink" : errno_name(code), reader.entries_read(),
                reader.offset());
            return error(code);
        }
    }
    // Directory times last: adding each directory's entries moved its modification time.
    CpioReader again(archive, size);
    for (;;) {
        auto more = again.next(entry);
        if (more.is_error() || !more.value())
            break;
        if ((entry.mode & k_mode_type_mask) != k_mode_directory)
            continue;
        const char* name = entry.name;
        while (*name == '/' || (name[0] == '.' && name[1] == '/'))
            name += *name == '/' ? 1 : 2;
        char path[k_path_max];
        format(path, sizeof(path), "/%s", name);
        auto found = lookup(root(), path, 0);
        if (!found.is_error() && found.value().inode && found.value().inode->is_directory())
            found.value().inode->modify_ns = static_cast<i64>(entry.modify_time) * 1'000'000'000;
    }
    return {};
}

}
