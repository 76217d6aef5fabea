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
        Inode* child = TRY(child_of(*directory, component));

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
