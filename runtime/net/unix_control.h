// SPDX-License-Identifier: MIT
// Control messages (struct cmsghdr, the kernel's x86_64 layout): walking the ones a program sends
// with the checks of Linux's __scm_send, and writing the ones a receive returns with the
// truncation rules of put_cmsg and scm_detach_fds. Portable (host unit tests in
// unix_control_test.cpp); what SCM_RIGHTS and SCM_CREDENTIALS mean is the AF_UNIX socket's.
#pragma once

#include "lib/result.h"
#include "lib/string.h"
#include "lib/types.h"

namespace uk::net {

struct ControlHeader {
    u64 length; // Header included.
    i32 level;
    i32 type;
};
static_assert(sizeof(ControlHeader) == 16);

inline constexpr size_t control_align(size_t n) { return (n + 7) & ~size_t(7); }
inline constexpr size_t control_length(size_t data) { return sizeof(ControlHeader) + data; } // CMSG_LEN
inline constexpr size_t control_space(size_t data) { return sizeof(ControlHeader) + control_align(data); } // CMSG_SPACE

// Calls `visit(header, data, data_length)` for each control message in `buffer`, as
// for_each_cmsghdr walks it; EINVAL for a length shorter than the header or past the buffer
// (CMSG_OK), or the first error `visit` returns.
template<typename Visit>
Result<void> for_each_control_message(const u8* buffer, size_t length, Visit&& visit)
{
    size_t at = 0;
    while (length >= sizeof(ControlHeader) && at <= length - sizeof(ControlHeader)) {
        ControlHeader header;
        copy_bytes(&header, buffer + at, sizeof(header));
        if (header.length < sizeof(ControlHeader) || header.length > length - at)
            return error(EINVAL);
        TRY(visit(header, buffer + at + sizeof(ControlHeader), static_cast<size_t>(header.length) - sizeof(ControlHeader)));
        size_t next = control_align(static_cast<size_t>(header.length));
        if (next > length - at)
            break;
        at += next;
    }
    return {};
}

// Fills a receive's control buffer. `buffer` null means the program gave none.
class ControlWriter {
public:
    ControlWriter(u8* buffer, size_t capacity) : m_buffer(buffer), m_capacity(capacity) {}

    bool has_buffer() const { return m_buffer != nullptr; }
    // put_cmsg: a message that does not fit is cut to what is left, and MSG_CTRUNC is reported;
    // with less room left than a header nothing is written.
    void put(int level, int type, const void* data, size_t length);
    // scm_detach_fds: how many descriptor numbers fit in what is left.
    size_t rights_capacity() const;
    // Where the descriptor numbers go (rights_capacity() of them).
    u8* rights_data() const { return m_buffer + m_used + sizeof(ControlHeader); }
    // Writes the SCM_RIGHTS header for the `installed` descriptors written at rights_data(), out
    // of `offered`; MSG_CTRUNC when some did not fit.
    void finish_rights(size_t installed, size_t offered);
    // Reports MSG_CTRUNC: something could not be delivered at all.
    void truncated() { m_truncated = true; }

    size_t used() const { return m_used; }
    bool is_truncated() const { return m_truncated; }

private:
    u8* m_buffer;
    size_t m_capacity;
    size_t m_used = 0;
    bool m_truncated = false;
};

}
