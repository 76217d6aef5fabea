// SPDX-License-Identifier: MIT
// Path resolution across every mounted file system (Linux path_resolution(7) semantics):
// components, ".", "..", symlinks (at most 40 per lookup, ELOOP beyond), trailing slashes,
// ENOENT/ENOTDIR/ENAMETOOLONG.
#pragma once

#include "fs/inode.h"

namespace uk::fs {

enum ResolveFlags : u32 {
    k_resolve_follow = 1u << 0, // Follow a symlink in the last component.
};

inline constexpr int k_max_symlinks = 40;

struct Lookup {
    Inode* parent; // The directory holding the last component.
    Name last;     // The last component; empty for "/" (then parent = inode = root).
    Inode* inode;  // What the last component names, or null if it does not exist.
    bool trailing_slash;
};

// Resolves `path` (NUL-terminated, at most k_path_max bytes) relative to `base`. Every
// component but the last must exist; a missing last component is not an error (inode = null),
// so that callers can create it. The root for absolute paths and symlinks is fs::root().
Result<Lookup> lookup(Inode& base, const char* path, u32 flags);

// Like lookup, but the last component must exist.
Result<Inode*> resolve(Inode& base, const char* path, u32 flags);

// Counts lookups: attributes a remote file system fetched since the current lookup began are
// current for the rest of the system call that made it ("cached for the length of a call").
u64 lookup_epoch();

}
