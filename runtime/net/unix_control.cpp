// SPDX-License-Identifier: MIT
// Writing control messages into a receive's buffer.
#include "net/unix_control.h"

#include "net/socket.h"

namespace uk::net {

void ControlWriter::put(int level, int type, const void* data, size_t length)
{
    size_t left = m_capacity - m_used;
    if (!m_buffer || left < sizeof(ControlHeader)) {
        m_truncated = true;
        return;
    }
    size_t message_length = control_length(length);
    if (left < message_length) {
        m_truncated = true;
        message_length = left;
    }
    ControlHeader header { message_length, level, type };
    copy_bytes(m_buffer + m_used, &header, sizeof(header));
    copy_bytes(m_buffer + m_used + sizeof(header), data, message_length - sizeof(header));
    size_t space = control_space(length);
    m_used += space < left ? space : left;
}

size_t ControlWriter::rights_capacity() const
{
    size_t left = m_capacity - m_used;
    if (!m_buffer || left <= sizeof(ControlHeader))
        return 0;
    return (left - sizeof(ControlHeader)) / sizeof(int);
}

void ControlWriter::finish_rights(size_t installed, size_t offered)
{
    if (installed > 0) {
        size_t left = m_capacity - m_used;
        ControlHeader header { control_length(installed * sizeof(int)), k_sol_socket, k_scm_rights };
        copy_bytes(m_buffer + m_used, &header, sizeof(header));
        size_t space = control_space(installed * sizeof(int));
        m_used += space < left ? space : left;
    }
    if (installed < offered)
        m_truncated = true;
}

}
