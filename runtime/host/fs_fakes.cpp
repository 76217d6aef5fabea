// SPDX-License-Identifier: MIT
// Host stand-ins for what the file-system core needs from the machine, so that it runs in unit
// tests and fuzzers: frames from the C heap (with an optional limit, to test running out) and no
// file mappings. Shared by ukrt_fs_tests, the fuzzers and ukrt_machine_tests.
#include "lib/types.h"
#include "lib/result.h"
#include "mm/file_mapping.h"
#include "mm/frame_allocator.h"

#include <stdlib.h>
#include <string.h>

namespace uk::fs {
struct Inode;
}

namespace uk::host::frames {

namespace {
u64 g_in_use;
u64 g_limit = ~0ull;
}

// At most `limit` frames may be in use at once (~0: no limit).
void set_limit(u64 limit) { g_limit = limit; }
u64 in_use() { return g_in_use; }

} // namespace uk::host::frames

namespace uk::mm {

u64 allocate_kernel_frame()
{
    if (host::frames::g_in_use >= host::frames::g_limit)
        return 0;
    void* page = aligned_alloc(k_page_size, k_page_size);
    if (!page)
        return 0;
    memset(page, 0, k_page_size);
    ++host::frames::g_in_use;
    return reinterpret_cast<u64>(page);
}

void free_frame(u64 phys)
{
    --host::frames::g_in_use;
    free(reinterpret_cast<void*>(phys));
}

void uncommit(u64) {}

void file_pages_removed(void*, u64) {}

Result<u64> map_file(u64, u64, u32, u32, MappedFile, u64) { return error(ENODEV); }

} // namespace uk::mm
