// SPDX-License-Identifier: MIT
// ChaCha20 ([RFC 8439]) and the CSPRNG behind /dev/random and /dev/urandom: ChaCha20 keystream
// with fast key erasure (the key is replaced after every request, so a later compromise of the
// state does not reveal earlier output). Portable, host-tested against RFC 8439's vectors.
#pragma once

#include "lib/types.h"

namespace uk::fs {

// [RFC 8439 2.3] One 64-byte block for (key, counter, nonce).
void chacha20_block(const u32 key[8], u32 counter, const u32 nonce[3], u8 out[64]);

class Csprng {
public:
    // Mixes `length` bytes of entropy into the key.
    void add_entropy(const void* data, size_t length);
    void fill(void* buffer, size_t length);
    bool is_seeded() const { return m_seeded; }

private:
    void rekey();

    u32 m_key[8] {};
    u32 m_nonce[3] {};
    bool m_seeded = false;
};

}
