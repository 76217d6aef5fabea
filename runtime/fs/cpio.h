// SPDX-License-Identifier: MIT
// CpioReader: walks a cpio archive in the "newc" format (magic 070701, or 070702 with
// checksums) that uk-run and uksdk_embed_directory produce, validating every field against the
// archive's bounds. Portable; fuzzed (fs/cpio_fuzzer.cpp).
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace uk::fs {

struct CpioEntry {
    const char* name; // NUL-terminated, inside the archive.
    size_t name_length;
    u32 inode;
    u32 mode;
    u32 uid, gid;
    u32 link_count;
    u64 modify_time;
    u32 device_major, device_minor; // rdev, for device nodes.
    const u8* data;
    size_t size;
};

class CpioReader {
public:
    CpioReader(const void* archive, size_t size) : m_archive(static_cast<const u8*>(archive)), m_size(size) {}

    // The next entry: true and `out` filled, false after the trailer, or an error (EINVAL) with
    // problem() describing it.
    Result<bool> next(CpioEntry& out);

    const char* problem() const { return m_problem; }
    size_t offset() const { return m_offset; } // Where the entry being read starts.
    size_t entries_read() const { return m_entries; }
    // The name of the entry being read, once its header and name were valid; else "".
    const char* current_name() const { return m_name; }

private:
    Error fail(const char* problem);

    const u8* m_archive;
    size_t m_size;
    size_t m_offset = 0;
    size_t m_entries = 0;
    bool m_done = false;
    const char* m_problem = "";
    const char* m_name = "";
};

}
