// SPDX-License-Identifier: MIT
// Mounting shares at boot and entering the initial working directory.
#include "fs/mount.h"

#include "drivers/virtio/9p.h"
#include "fs/9p_fs.h"
#include "fs/directory.h"
#include "fs/vfs.h"
#include "lib/format.h"
#include "lib/runtime_options.h"
#include "lib/string.h"

namespace uk::fs {

namespace {

struct Mount {
    NinePFileSystem* file_system;
    const char* tag;
    size_t tag_length;
    const char* path;
    bool read_only;
};

Mount g_mounts[RuntimeOptions::k_max_mounts];
size_t g_mount_count;
char g_problem[512];

const char* problem(const char* option, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

const char* problem(const char* option, const char* fmt, ...)
{
    size_t length = format(g_problem, sizeof(g_problem), "uk.mount=%s: ", option);
    va_list ap;
    va_start(ap, fmt);
    if (length < sizeof(g_problem))
        vformat(g_problem + length, sizeof(g_problem) - length, fmt, ap);
    va_end(ap);
    return g_problem;
}

// Parses "TAG[,ro]:GUESTDIR" in place of the option's own storage (the command line's).
bool parse(const char* option, Mount& out)
{
    const char* colon = option;
    while (*colon && *colon != ':')
        ++colon;
    if (!*colon || colon == option)
        return false;
    out.tag = option;
    out.tag_length = static_cast<size_t>(colon - option);
    out.read_only = false;
    if (out.tag_length > 3 && starts_with(colon - 3, ",ro")) {
        out.tag_length -= 3;
        out.read_only = true;
    }
    out.path = colon + 1;
    return true;
}

// Hangs `root` at `path`: the ramfs directory there (made if missing) stays, hidden behind it,
// as Linux keeps a mount point's own contents.
const char* attach(const char* option, const char* path, RemoteNode& root)
{
    auto made = make_directories(path);
    if (made.is_error())
        return problem(option, "cannot make the directory %s (errno %d)", path, made.error_code());
    Inode& point = *made.value();
    if (!is_ramfs(point) || point.is_mount_root)
        return problem(option, "%s is inside another share; shares cannot be nested", path);
    if (&point == &fs::root())
        return problem(option, "a share cannot be mounted at /");
    Inode& parent = *point.parent;
    DirEntry* entry = parent.entries.find_first([&](DirEntry& e) { return e.inode == &point; });
    if (!entry)
        return problem(option, "%s has no name in its parent", path);
    ref(point);
    ref(parent);
    root.parent = &parent;
    entry->inode = &root;
    return nullptr;
}

} // namespace

const char* mount_shares()
{
    const RuntimeOptions& options = runtime_options();
    for (unsigned i = 0; i < options.mount_count; ++i) {
        const char* option = options.mounts[i];
        Mount mount {};
        if (!parse(option, mount) || mount.path[0] != '/')
            return problem(option, "expected TAG[,ro]:/ABSOLUTE/PATH");
        char tag[65];
        if (mount.tag_length >= sizeof(tag))
            return problem(option, "the tag is longer than 64 bytes");
        copy_bytes(tag, mount.tag, mount.tag_length);
        tag[mount.tag_length] = 0;
        virtio::NinePDevice* device = virtio::ninep_find(tag);
        if (!device)
            return problem(option, "no virtio-9p device has the tag '%s'", tag);
        auto created = NinePFileSystem::create(*device, mount.read_only, 0x1b + i);
        if (created.is_error())
            return problem(option, "cannot attach the share (errno %d)", created.error_code());
        mount.file_system = created.value();
        if (const char* failed = attach(option, mount.path, mount.file_system->root()))
            return failed;
        g_mounts[g_mount_count++] = mount;
        if (options.verbose)
            printk("uk: %s mounted at %s%s (messages of %u bytes)\n", virtio::ninep_name(*device), mount.path,
                mount.read_only ? " read-only" : "", mount.file_system->client().message_size());
    }
    return nullptr;
}

void enter_initial_directory()
{
    const char* path = runtime_options().initial_directory;
    if (!path)
        return;
    auto found = resolve(root(), path, k_resolve_follow);
    if (found.is_error() || !found.value()->is_directory()) {
        printk("uk: uk.cwd=%s: %s; the program starts in /\n", path,
            found.is_error() && found.error_code() == ENOENT ? "no such directory" : "not a directory");
        return;
    }
    set_working_directory(*found.value());
}

size_t describe_mounts(char* buffer, size_t capacity)
{
    size_t length = 0;
    auto put = [&](char c) {
        if (length + 1 < capacity) {
            buffer[length] = c;
            buffer[length + 1] = 0;
        }
        ++length;
    };
    for (size_t i = 0; i < g_mount_count; ++i) {
        const Mount& m = g_mounts[i];
        for (size_t j = 0; j < m.tag_length; ++j)
            put(m.tag[j]);
        put(' ');
        // Linux's octal escapes for the characters that separate the fields.
        for (const char* c = m.path; *c; ++c) {
            if (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\\') {
                put('\\');
                put(static_cast<char>('0' + ((*c >> 6) & 3)));
                put(static_cast<char>('0' + ((*c >> 3) & 7)));
                put(static_cast<char>('0' + (*c & 7)));
            } else {
                put(*c);
            }
        }
        length += format(buffer + (length < capacity ? length : capacity), length < capacity ? capacity - length : 0,
            " 9p %s,trans=virtio,version=9p2000.L,msize=%u 0 0\n", m.read_only ? "ro" : "rw",
            m.file_system->client().message_size());
    }
    return length;
}

}
