// SPDX-License-Identifier: MIT
// ByteQueue over whole pages from the runtime heap.
#include "net/unix_byte_queue.h"

#include "lib/string.h"
#include "lib/verify.h"
#include "mm/kmalloc.h"

namespace uk::net {

size_t ByteQueue::room() const
{
    if (!m_tail)
        return 0;
    size_t room = k_chunk_capacity - m_tail_used;
    for (Chunk* c = m_tail->next; c; c = c->next)
        room += k_chunk_capacity;
    return room;
}

Result<void> ByteQueue::reserve(size_t length)
{
    size_t have = room();
    while (have < length) {
        auto* chunk = static_cast<Chunk*>(allocate_page());
        if (!chunk)
            return error(ENOMEM);
        chunk->next = nullptr;
        if (!m_tail) {
            m_head = m_tail = m_last = chunk;
            m_head_offset = m_tail_used = 0;
        } else {
            m_last->next = chunk;
            m_last = chunk;
        }
        have += k_chunk_capacity;
    }
    return {};
}

void ByteQueue::append(const void* data, size_t length)
{
    auto* in = static_cast<const u8*>(data);
    while (length) {
        VERIFY(m_tail);
        if (m_tail_used == k_chunk_capacity) {
            VERIFY(m_tail->next);
            m_tail = m_tail->next;
            m_tail_used = 0;
        }
        size_t n = k_chunk_capacity - m_tail_used;
        if (n > length)
            n = length;
        copy_bytes(m_tail->data + m_tail_used, in, n);
        m_tail_used += n;
        m_size += n;
        in += n;
        length -= n;
    }
}

void ByteQueue::copy_out(size_t offset, void* out, size_t length) const
{
    VERIFY(offset <= m_size && length <= m_size - offset);
    auto* to = static_cast<u8*>(out);
    const Chunk* chunk = m_head;
    size_t at = m_head_offset + offset;
    while (at >= k_chunk_capacity) {
        chunk = chunk->next;
        at -= k_chunk_capacity;
    }
    while (length) {
        size_t n = k_chunk_capacity - at;
        if (n > length)
            n = length;
        copy_bytes(to, chunk->data + at, n);
        to += n;
        length -= n;
        chunk = chunk->next;
        at = 0;
    }
}

void ByteQueue::consume(size_t length)
{
    VERIFY(length <= m_size);
    m_size -= length;
    m_head_offset += length;
    // Pages the front has left behind go back to the heap; the one being written stays.
    while (m_head != m_tail && m_head_offset >= k_chunk_capacity) {
        Chunk* done = m_head;
        m_head = m_head->next;
        m_head_offset -= k_chunk_capacity;
        free_page(done);
    }
    if (m_size == 0) {
        // Empty: start over at the beginning of the current page and give back the reserve.
        while (Chunk* spare = m_tail->next) {
            m_tail->next = spare->next;
            free_page(spare);
        }
        m_head = m_last = m_tail;
        m_head_offset = m_tail_used = 0;
    }
}

void ByteQueue::clear()
{
    for (Chunk* c = m_head; c;) {
        Chunk* next = c->next;
        free_page(c);
        c = next;
    }
    m_head = m_tail = m_last = nullptr;
    m_head_offset = m_tail_used = m_size = 0;
}

}
