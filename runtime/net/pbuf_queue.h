// SPDX-License-Identifier: MIT
// PbufQueue: a TCP socket's received bytes, kept in the pbufs they arrived in (no copy until
// the program reads them). Each pbuf is a separate node linked through ->next and owned by the
// queue; tot_len is not used.
#pragma once

#include "lib/types.h"
#include "net/socket.h"

struct pbuf;

namespace uk::net {

class PbufQueue {
public:
    PbufQueue() = default;
    PbufQueue(const PbufQueue&) = delete;
    PbufQueue& operator=(const PbufQueue&) = delete;

    size_t size() const { return m_bytes; }
    bool empty() const { return m_bytes == 0; }

    // Takes over the chain `p` (its reference).
    void append(struct pbuf* p);
    // Copies up to `length` bytes, starting `skip` bytes into the queue, into the program's
    // segments starting `offset` bytes into them. Returns the count copied.
    size_t copy_out(const Message& message, size_t offset, size_t skip, size_t length) const;
    // Drops the first `length` bytes.
    void consume(size_t length);
    void clear();

private:
    struct pbuf* m_head = nullptr;
    struct pbuf* m_tail = nullptr;
    size_t m_head_offset = 0; // Bytes of m_head already consumed.
    size_t m_bytes = 0;
};

}
