// SPDX-License-Identifier: MIT
// libFuzzer target: path resolution and the operations that change the tree. The input is a
// script of lines "OP PATH [PATH]" (see the seeds in fs/fuzz/path_seeds); each operation runs
// against the ramfs tree, whose invariants are checked after every step.
#include "fs/fuzz/tree_check.h"
#include "fs/file_description.h"
#include "fs/vfs.h"

#include <string.h>

using namespace uk;
using namespace uk::fs;

namespace {

// Splits the next line into up to two NUL-terminated words (the second may contain spaces).
bool next_line(const u8*& at, const u8* end, char& op, char (&a)[600], char (&b)[600])
{
    if (at >= end)
        return false;
    const u8* line_end = static_cast<const u8*>(memchr(at, '\n', static_cast<size_t>(end - at)));
    if (!line_end)
        line_end = end;
    size_t length = static_cast<size_t>(line_end - at);
    op = length ? static_cast<char>(at[0]) : 0;
    a[0] = b[0] = 0;
    size_t i = 1;
    while (i < length && at[i] == ' ')
        ++i;
    size_t n = 0;
    while (i < length && at[i] != ' ' && n + 1 < sizeof(a))
        a[n++] = static_cast<char>(at[i++]);
    a[n] = 0;
    if (i < length)
        ++i;
    n = 0;
    while (i < length && n + 1 < sizeof(b))
        b[n++] = static_cast<char>(at[i++]);
    b[n] = 0;
    at = line_end + 1;
    return true;
}

void run(char op, const char* a, const char* b)
{
    Inode& base = working_directory();
    switch (op) {
    case 'm': (void)create_node(base, a, k_mode_directory | 0755); break;
    case 'f': {
        auto made = write_file(a[0] == '/' ? a : "/f", b, strlen(b), 0644);
        (void)made;
        break;
    }
    case 's': (void)create_symlink(base, a, b[0] ? b : "x"); break;
    case 'l': (void)create_link(base, a, base, b, k_resolve_follow); break;
    case 'u': (void)unlink(base, a); break;
    case 'r': (void)remove_directory(base, a); break;
    case 'n': (void)rename(base, a, base, b, 0); break;
    case 'x': (void)rename(base, a, base, b, k_rename_exchange); break;
    case 'o': {
        auto opened = open_inode(base, a, k_o_creat | k_o_rdwr, 0644);
        if (!opened.is_error()) {
            if (opened.value()->is_regular())
                (void)write_data(*opened.value(), static_cast<u64>(strlen(b)) * 4093, b, strlen(b));
            unref(*opened.value());
        }
        break;
    }
    case 't': {
        auto found = resolve(base, a, k_resolve_follow);
        if (!found.is_error() && found.value()->is_regular())
            (void)set_size(*found.value(), static_cast<u64>(strlen(b)) * 1000);
        break;
    }
    case 'c': {
        auto found = resolve(base, a, k_resolve_follow);
        if (!found.is_error() && found.value()->is_directory())
            set_working_directory(*found.value());
        break;
    }
    case 'q': {
        auto found = lookup(base, a, k_resolve_follow);
        if (!found.is_error()) {
            VERIFY(found.value().parent && found.value().parent->is_directory());
            VERIFY(found.value().last.length <= k_name_max);
        }
        char target[64];
        (void)read_link(base, a, target, sizeof(target));
        break;
    }
    default: break;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const u8* data, size_t size)
{
    static bool s_ready = create_root();
    VERIFY(s_ready);
    u64 baseline = inode_count();
    const u8* at = data;
    char op;
    static char a[600], b[600];
    for (int steps = 0; steps < 200 && next_line(at, data + size, op, a, b); ++steps) {
        run(op, a, b);
        fuzz::check_tree(root());
    }
    set_working_directory(root());
    fuzz::remove_tree(root());
    VERIFY(inode_count() == baseline);
    return 0;
}
