// SPDX-License-Identifier: MIT
// newc cpio parsing. Format (as in the Linux kernel's Documentation/driver-api/early-userspace/
// buffer-format.rst): a 110-byte header of "070701" and thirteen 8-digit hexadecimal fields,
// the NUL-terminated name, padding to a multiple of 4, the data, padding to a multiple of 4.
// The archive ends with an entry named "TRAILER!!!".
#include "fs/cpio.h"

namespace uk::fs {

namespace {

constexpr size_t k_header_size = 110;

bool parse_hex(const u8* field, u32& out)
{
    u32 value = 0;
    for (int i = 0; i < 8; ++i) {
        u8 c = field[i];
        u32 digit;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        else
            return false;
        value = value << 4 | digit;
    }
    out = value;
    return true;
}

size_t pad4(size_t v) { return (v + 3) & ~static_cast<size_t>(3); }

} // namespace

Error CpioReader::fail(const char* problem)
{
    m_problem = problem;
    m_done = true;
    return error(EINVAL);
}

Result<bool> CpioReader::next(CpioEntry& out)
{
    if (m_done)
        return false;
    m_name = "";
    if (m_size - m_offset < k_header_size) {
        // Archives are often padded with zeros to a block size after the trailer, but a missing
        // trailer means the archive was cut short.
        return fail(m_offset == m_size ? "archive ends without a TRAILER!!! entry" : "truncated entry header");
    }
    const u8* header = m_archive + m_offset;
    static constexpr char k_magic[] = "07070";
    for (int i = 0; i < 5; ++i)
        if (header[i] != static_cast<u8>(k_magic[i]))
            return fail("bad magic (not a newc cpio archive)");
    if (header[5] != '1' && header[5] != '2')
        return fail("bad magic (not a newc cpio archive)");
    u32 fields[13];
    for (int i = 0; i < 13; ++i)
        if (!parse_hex(header + 6 + 8 * i, fields[i]))
            return fail("header field is not hexadecimal");
    u32 name_size = fields[11];
    u32 file_size = fields[6];
    if (name_size == 0)
        return fail("empty name");
    size_t name_at = m_offset + k_header_size;
    if (name_size > m_size - name_at)
        return fail("name runs past the end of the archive");
    const char* name = reinterpret_cast<const char*>(m_archive + name_at);
    if (name[name_size - 1] != 0)
        return fail("name is not NUL-terminated");
    size_t name_length = name_size - 1;
    for (size_t i = 0; i < name_length; ++i)
        if (name[i] == 0)
            return fail("name contains a NUL byte");
    m_name = name;
    size_t data_at = pad4(name_at + name_size);
    if (data_at > m_size)
        return fail("name padding runs past the end of the archive");
    static constexpr char k_trailer[] = "TRAILER!!!";
    bool trailer = name_length == 10;
    for (size_t i = 0; trailer && i < 10; ++i)
        trailer = name[i] == k_trailer[i];
    if (trailer) {
        m_done = true;
        return false;
    }
    if (file_size > m_size - data_at)
        return fail("file data runs past the end of the archive");
    size_t end = data_at + file_size;
    // The padding after the last entry's data may be missing only if nothing follows it.
    size_t next = pad4(end);
    if (next > m_size)
        next = m_size;

    out.name = name;
    out.name_length = name_length;
    out.inode = fields[0];
    out.mode = fields[1];
    out.uid = fields[2];
    out.gid = fields[3];
    out.link_count = fields[4];
    out.modify_time = fields[5];
    out.device_major = fields[9];
    out.device_minor = fields[10];
    out.data = m_archive + data_at;
    out.size = file_size;
    m_offset = next;
    ++m_entries;
    return true;
}

}
