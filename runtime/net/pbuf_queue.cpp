// SPDX-License-Identifier: MIT
// PbufQueue: received bytes in their pbufs.
#include "net/pbuf_queue.h"

#include "lib/string.h"
#include "lib/verify.h"

extern "C" {
#include <lwip/pbuf.h>
}

namespace uk::net {

void PbufQueue::append(struct pbuf* p)
{
    while (p) {
        struct pbuf* next = p->next;
        // Unlinking moves the reference the chain held on `next` to the queue.
        p->next = nullptr;
        if (p->len == 0) {
            pbuf_free(p);
        } else {
            m_bytes += p->len;
            if (m_tail)
                m_tail->next = p;
            else
                m_head = p;
            m_tail = p;
        }
        p = next;
    }
}

size_t PbufQueue::copy_out(const Message& message, size_t offset, size_t skip, size_t length) const
{
    // Position in the program's segments.
    size_t segment = 0;
    size_t in_segment = offset;
    while (segment < message.segment_count && in_segment >= message.segments[segment].length) {
        in_segment -= message.segments[segment].length;
        ++segment;
    }
    // Position in the queue.
    struct pbuf* p = m_head;
    size_t in_pbuf = m_head_offset + skip;
    while (p && in_pbuf >= p->len) {
        in_pbuf -= p->len;
        p = p->next;
    }
    size_t copied = 0;
    while (copied < length && p && segment < message.segment_count) {
        size_t from_pbuf = p->len - in_pbuf;
        size_t to_segment = message.segments[segment].length - in_segment;
        size_t n = length - copied;
        if (n > from_pbuf)
            n = from_pbuf;
        if (n > to_segment)
            n = to_segment;
        copy_bytes(static_cast<u8*>(message.segments[segment].base) + in_segment,
            static_cast<const u8*>(p->payload) + in_pbuf, n);
        copied += n;
        in_pbuf += n;
        in_segment += n;
        if (in_pbuf == p->len) {
            p = p->next;
            in_pbuf = 0;
        }
        if (in_segment == message.segments[segment].length) {
            ++segment;
            in_segment = 0;
        }
    }
    return copied;
}

void PbufQueue::consume(size_t length)
{
    VERIFY(length <= m_bytes);
    m_bytes -= length;
    while (length) {
        size_t left = m_head->len - m_head_offset;
        if (length < left) {
            m_head_offset += length;
            return;
        }
        length -= left;
        struct pbuf* next = m_head->next;
        m_head->next = nullptr;
        pbuf_free(m_head);
        m_head = next;
        m_head_offset = 0;
    }
    if (!m_head)
        m_tail = nullptr;
}

void PbufQueue::clear()
{
    while (m_head) {
        struct pbuf* next = m_head->next;
        m_head->next = nullptr;
        pbuf_free(m_head);
        m_head = next;
    }
    m_tail = nullptr;
    m_head_offset = 0;
    m_bytes = 0;
}

}
