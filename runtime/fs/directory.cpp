// SPDX-License-Identifier: MIT
// ramfs directories: an insertion-ordered list of entries (and, for large ones, an index by name). Each entry's cookie is its stable
// position in the directory stream, so getdents64, telldir and seekdir stay correct while the
// directory changes between calls (removed entries simply no longer appear).
#include "fs/directory.h"

#include "lib/string.h"
#include "lib/verify.h"
#include "mm/kmalloc.h"

namespace uk::fs {

namespace {

// Large directories get an index by name: one page of bucket heads (512 chains), built when the
// directory passes k_index_threshold entries, so a lookup among 100,000 names walks about 200
// instead of all of them. Without memory for it the list alone still works.
constexpr size_t k_name_buckets = k_page_size / sizeof(DirEntry*);
constexpr u64 k_index_threshold = 32;

size_t bucket_of(Name name)
{
    u32 hash = 2166136261u; // FNV-1a
    for (size_t i = 0; i < name.length; ++i)
        hash = (hash ^ static_cast<u8>(name.chars[i])) * 16777619u;
    return hash % k_name_buckets;
}

void index_entry(Inode& directory, DirEntry& entry)
{
    DirEntry*& head = directory.name_buckets[bucket_of(entry.as_name())];
    entry.hash_next = head;
    head = &entry;
}

void build_index(Inode& directory)
{
    directory.name_buckets = static_cast<DirEntry**>(allocate_page());
    if (!directory.name_buckets)
        return;
    fill_bytes(directory.name_buckets, 0, k_page_size); // allocate_page() promises no contents.
    directory.entries.for_each([&](DirEntry& e) { index_entry(directory, e); });
}

void unindex_entry(Inode& directory, DirEntry& entry)
{
    for (DirEntry** link = &directory.name_buckets[bucket_of(entry.as_name())]; *link; link = &(*link)->hash_next) {
        if (*link == &entry) {
            *link = entry.hash_next;
            return;
        }
    }
    VERIFY_NOT_REACHED();
}

} // namespace

DirEntry* find_entry(Inode& directory, Name name)
{
    if (directory.name_buckets) {
        for (DirEntry* e = directory.name_buckets[bucket_of(name)]; e; e = e->hash_next)
            if (name.equals(e->name, e->name_length))
                return e;
        return nullptr;
    }
    return directory.entries.find_first([&](DirEntry& e) { return name.equals(e.name, e.name_length); });
}

Inode* lookup_child(Inode& directory, Name name)
{
    if (name.is_dot())
        return &directory;
    if (name.is_dot_dot())
        return directory.parent ? directory.parent : &directory;
    DirEntry* entry = find_entry(directory, name);
    return entry ? entry->inode : nullptr;
}

Result<void> add_entry(Inode& directory, Name name, Inode& child)
{
    VERIFY(directory.is_directory());
    if (name.length == 0 || name.length > k_name_max)
        return error(name.length ? ENAMETOOLONG : ENOENT);
    auto* entry = static_cast<DirEntry*>(kmalloc(sizeof(DirEntry) + name.length + 1));
    if (!entry)
        return error(ENOSPC);
    entry->inode = &child;
    entry->cookie = directory.next_cookie++;
    entry->name_length = static_cast<u16>(name.length);
    copy_bytes(entry->name, name.chars, name.length);
    entry->name[name.length] = 0;
    entry->hash_next = nullptr;
    directory.entries.push_back(*entry);
    ++directory.entry_count;
    if (directory.name_buckets)
        index_entry(directory, *entry);
    else if (directory.entry_count > k_index_threshold)
        build_index(directory);
    ++child.link_count;
    if (child.is_directory()) {
        // The child's "." and the parent's new "..".
        if (!child.parent)
            ++child.link_count;
        child.parent = &directory;
        ++directory.link_count;
    }
    touch_modify(directory);
    touch_change(child);
    return {};
}

void drop_entry(Inode& directory, DirEntry& entry)
{
    if (directory.name_buckets)
        unindex_entry(directory, entry);
    IntrusiveList<DirEntry>::remove(entry);
    kfree(&entry);
    --directory.entry_count;
    if (directory.entry_count == 0 && directory.name_buckets) {
        free_page(directory.name_buckets);
        directory.name_buckets = nullptr;
    }
}

void remove_entry(Inode& directory, DirEntry& entry)
{
    Inode& child = *entry.inode;
    drop_entry(directory, entry);
    touch_modify(directory);
    touch_change(child);
    if (child.is_directory()) {
        // Its entry and its own "." go; what remains counts its subdirectories' "..", which
        // only rename (moving a whole subtree) leaves non-zero.
        VERIFY(child.link_count >= 2);
        --directory.link_count;
        child.link_count -= 2;
        child.parent = nullptr;
    } else {
        VERIFY(child.link_count > 0);
        --child.link_count;
    }
    maybe_free(child);
}

void replace_entry(Inode& directory, DirEntry& entry, Inode& child)
{
    Inode& old = *entry.inode;
    entry.inode = &child;
    ++child.link_count;
    if (child.is_directory()) {
        if (!child.parent)
            ++child.link_count;
        child.parent = &directory;
        ++directory.link_count;
    }
    if (old.is_directory()) {
        VERIFY(old.link_count == 2); // Only an empty directory can be replaced.
        --directory.link_count;
        old.link_count = 0;
        old.parent = nullptr;
    } else {
        --old.link_count;
    }
    touch_modify(directory);
    touch_change(old);
    touch_change(child);
    maybe_free(old);
}

DirEntry* entry_at_or_after(Inode& directory, u64 position)
{
    return directory.entries.find_first([&](DirEntry& e) { return e.cookie >= position; });
}

bool is_empty(const Inode& directory) { return directory.entries.empty(); }

bool is_ancestor(const Inode& ancestor, const Inode& node)
{
    for (const Inode* at = &node; at; at = at->parent == at ? nullptr : at->parent)
        if (at == &ancestor)
            return true;
    return false;
}

u8 directory_entry_type(const Inode& inode)
{
    switch (inode.type()) {
    case k_mode_fifo: return 1;
    case k_mode_char_device: return 2;
    case k_mode_directory: return 4;
    case k_mode_block_device: return 6;
    case k_mode_regular: return 8;
    case k_mode_symlink: return 10;
    case k_mode_socket: return 12;
    default: return 0;
    }
}

}
