// SPDX-License-Identifier: MIT
// Builds newc cpio archives in memory for the host tests and fuzzer seeds.
#pragma once

#include <stdio.h>
#include <string.h>
#include <string>
#include <vector>

namespace uk::fs::test_support {

class Archive {
public:
    void file(const char* name, const std::string& data, unsigned mode = 0644, unsigned mtime = 0,
        unsigned ino = 0, unsigned nlink = 1)
    {
        entry(name, 0100000 | mode, data, mtime, ino, nlink);
    }
    void directory(const char* name, unsigned mode = 0755) { entry(name, 040000 | mode, "", 0, 0, 2); }
    void symlink(const char* name, const char* target) { entry(name, 0120777, target, 0, 0, 1); }
    void trailer() { entry("TRAILER!!!", 0, "", 0, 0, 1); }
    void pad_to(size_t multiple) { m_bytes.resize((m_bytes.size() + multiple - 1) / multiple * multiple); }

    // An entry whose name field holds exactly `name_size` bytes of `name` (no NUL added).
    void raw_entry(const char* name, size_t name_size, const std::string& data, unsigned mode)
    {
        header(mode, data.size(), name_size, 0, 0, 1);
        m_bytes.insert(m_bytes.end(), name, name + name_size);
        align();
        m_bytes.insert(m_bytes.end(), data.begin(), data.end());
        align();
    }

    void entry(const char* name, unsigned mode, const std::string& data, unsigned mtime, unsigned ino, unsigned nlink)
    {
        size_t name_size = strlen(name) + 1;
        header(mode, data.size(), name_size, mtime, ino ? ino : ++m_next_ino, nlink);
        m_bytes.insert(m_bytes.end(), name, name + name_size);
        align();
        m_bytes.insert(m_bytes.end(), data.begin(), data.end());
        align();
    }

    const unsigned char* data() const { return m_bytes.data(); }
    size_t size() const { return m_bytes.size(); }
    const std::vector<unsigned char>& bytes() const { return m_bytes; }

private:
    void header(unsigned mode, size_t size, size_t name_size, unsigned mtime, unsigned ino, unsigned nlink)
    {
        char h[111];
        snprintf(h, sizeof h, "070701%08x%08x%08x%08x%08x%08x%08zx%08x%08x%08x%08x%08zx%08x", ino, mode, 0u, 0u,
            nlink, mtime, size, 0u, 0u, 0u, 0u, name_size, 0u);
        m_bytes.insert(m_bytes.end(), h, h + 110);
    }
    void align() { m_bytes.resize((m_bytes.size() + 3) & ~static_cast<size_t>(3)); }

    std::vector<unsigned char> m_bytes;
    unsigned m_next_ino = 100;
};

}
