// SPDX-License-Identifier: MIT
// ByteQueue: the bytes of an AF_UNIX socket's receive queue, first in first out, in a chain of
// pages that grows as data arrives and shrinks as it is read, so that an idle socket holds at most
// one page. Room is reserved before a message is copied in, so a message is queued whole or not at
// all. Portable (host unit tests in unix_byte_queue_test.cpp).
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace uk::net {

class ByteQueue {
public:
    ByteQueue() = default;
    ~ByteQueue() { clear(); }
    ByteQueue(const ByteQueue&) = delete;
    ByteQueue& operator=(const ByteQueue&) = delete;

    size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }

    // Makes room for `length` more bytes (ENOMEM when the pages cannot be had): the appends that
    // follow, up to that many bytes, cannot fail.
    Result<void> reserve(size_t length);
    // Appends bytes into reserved room.
    void append(const void* data, size_t length);
    // Copies `length` bytes that start `offset` bytes after the front, leaving them queued.
    void copy_out(size_t offset, void* out, size_t length) const;
    // Drops `length` bytes from the front.
    void consume(size_t length);
    // Drops everything and frees every page.
    void clear();

private:
    struct Chunk {
        Chunk* next;
        u8 data[k_page_size - sizeof(Chunk*)];
    };
    static constexpr size_t k_chunk_capacity = sizeof(Chunk::data);
    static_assert(sizeof(Chunk) == k_page_size);

    size_t room() const;

    Chunk* m_head = nullptr;  // Holds the front byte (at m_head_offset), if any.
    Chunk* m_tail = nullptr;  // Where the next byte goes (at m_tail_used), once m_tail_used < capacity.
    Chunk* m_last = nullptr;  // The end of the chain: reserved chunks follow m_tail.
    size_t m_head_offset = 0;
    size_t m_tail_used = 0;
    size_t m_size = 0;
};

}
