// SPDX-License-Identifier: MIT
// Path walking over every mounted file system. A remote file system's lookup sleeps, so the
// walk holds a reference on the directory it stands in and on a symlink while following it;
// what it returns stays valid until the caller next sleeps (see fs/file_system.h).
#include "fs/path.h"

#include "fs/file_system.h"
#include "fs/vfs.h"
#include "lib/string.h"

namespace uk::fs {

namespace {

u64 g_lookup_epoch = 1;

Result<Inode*> child_of(Inode& directory, Name name)
{
    if (name.is_dot())
        return &directory;
    if (name.is_dot_dot())
        return directory.parent ? directory.parent : &directory;
    return directory.file_system->lookup(directory, name);
}

constexpr size_t k_lookahead = 16;

// The component starting at path[at] (slashes before it skipped); `at` moves past it.
Name next_component(const char* path, size_t length, size_t& at)
{
    while (at < length && path[at] == '/')
        ++at;
    size_t begin = at;
    while (at < length && path[at] != '/')
        ++at;
    return { path + begin, at - begin };
}

Result<Lookup> walk(Inode& start, const char* path, size_t length, u32 flags, int& links_left)
{
    if (length == 0)
        return error(ENOENT);
    Inode* directory = &start;
    size_t at = 0;
    if (path[0] == '/') {
        directory = &root();
        while (at < length && path[at] == '/')
            ++at;
        if (at == length)
            return Lookup { directory, { path + at, 0 }, directory, false };
    }
    InodeRef held(directory);
    // What the directory's file system found ahead, for the components after this one: one
    // round trip for a whole path on a remote file system. Valid until the walk leaves the chain
    // (following a symlink) or sleeps otherwise.
    Inode* ahead[k_lookahead];
    size_t ahead_count = 0, ahead_next = 0;
    for (;;) {
        size_t begin = at;
        while (at < length && path[at] != '/')
            ++at;
        Name component { path + begin, at - begin };
        bool had_slash = at < length;
        while (at < length && path[at] == '/')
            ++at;
        bool last = at == length;
        if (!directory->is_directory())
            return error(ENOTDIR);
        if (component.length > k_name_max)
            return error(ENAMETOOLONG);
        Inode* child;
        if (ahead_next < ahead_count) {
            child = ahead[ahead_next++];
        } else if (component.is_dot() || component.is_dot_dot()) {
            child = TRY(child_of(*directory, component));
        } else {
            // This component and the plain ones after it, up to the first "." or "..".
            Name names[k_lookahead];
            size_t count = 0;
            names[count++] = component;
            for (size_t scan = at; count < k_lookahead && scan < length;) {
                Name next = next_component(path, length, scan);
                if (next.length == 0 || next.length > k_name_max || next.is_dot() || next.is_dot_dot())
                    break;
                names[count++] = next;
            }
            ahead_count = TRY(directory->file_system->lookup_many(*directory, names, count, ahead));
            ahead_next = 1;
            child = ahead[0];
        }

        if (last) {
            Lookup result { directory, component, child, had_slash };
            if (child && child->is_symlink() && ((flags & k_resolve_follow) || had_slash)) {
                if (--links_left < 0)
                    return error(ELOOP);
                InodeRef following(child);
                const char* target = TRY(child->file_system->link_target(*child));
                result = TRY(walk(*directory, target, string_length(target), flags | k_resolve_follow, links_left));
                result.trailing_slash |= had_slash;
            }
            if (result.trailing_slash && result.inode && !result.inode->is_directory())
                return error(ENOTDIR);
            return result;
        }

        if (!child)
            return error(ENOENT);
        if (child->is_symlink()) {
            if (--links_left < 0)
                return error(ELOOP);
            ahead_count = ahead_next = 0;
            InodeRef following(child);
            const char* target = TRY(child->file_system->link_target(*child));
            auto followed = TRY(walk(*directory, target, string_length(target), k_resolve_follow, links_left));
            if (!followed.inode)
                return error(ENOENT);
            child = followed.inode;
        }
        if (!child->is_directory())
            return error(ENOTDIR);
        directory = child;
        held.reset(directory);
    }
}

} // namespace

u64 lookup_epoch() { return g_lookup_epoch; }

Result<Lookup> lookup(Inode& base, const char* path, u32 flags)
{
    size_t length = 0;
    while (path[length]) {
        if (++length >= k_path_max)
            return error(ENAMETOOLONG);
    }
    ++g_lookup_epoch;
    int links_left = k_max_symlinks;
    return walk(base, path, length, flags, links_left);
}

Result<Inode*> resolve(Inode& base, const char* path, u32 flags)
{
    auto found = TRY(lookup(base, path, flags));
    if (!found.inode)
        return error(ENOENT);
    return found.inode;
}

}
