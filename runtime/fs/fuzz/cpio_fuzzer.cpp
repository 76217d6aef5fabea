// SPDX-License-Identifier: MIT
// libFuzzer target: the cpio parser, and unpacking whatever it accepts into a ramfs tree.
// Any input must either unpack or be refused with a problem message; never read outside the
// input (ASan), never break the tree's invariants, never leak an inode.
#include "fs/cpio.h"
#include "fs/fuzz/tree_check.h"
#include "fs/initrd.h"
#include "fs/vfs.h"

using namespace uk;

extern "C" int LLVMFuzzerTestOneInput(const u8* data, size_t size)
{
    fs::CpioReader reader(data, size);
    fs::CpioEntry entry;
    for (;;) {
        auto more = reader.next(entry);
        if (more.is_error()) {
            VERIFY(reader.problem()[0] != 0);
            break;
        }
        if (!more.value())
            break;
        VERIFY(entry.name[entry.name_length] == 0);
        VERIFY(entry.data >= data && entry.data + entry.size <= data + size);
    }

    static bool s_ready = fs::create_root();
    VERIFY(s_ready);
    u64 baseline = fs::inode_count();
    char problem[512];
    (void)fs::unpack_archive(data, size, problem, sizeof(problem));
    fs::fuzz::check_tree(fs::root());
    fs::fuzz::remove_tree(fs::root());
    VERIFY(fs::inode_count() == baseline);
    return 0;
}
