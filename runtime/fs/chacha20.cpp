// SPDX-License-Identifier: MIT
// ChaCha20 block function and the keystream generator.
#include "fs/chacha20.h"

#include "lib/string.h"

namespace uk::fs {

namespace {

u32 rotate_left(u32 v, int n) { return (v << n) | (v >> (32 - n)); }

// [RFC 8439 2.1]
void quarter_round(u32* x, int a, int b, int c, int d)
{
    x[a] += x[b]; x[d] ^= x[a]; x[d] = rotate_left(x[d], 16);
    x[c] += x[d]; x[b] ^= x[c]; x[b] = rotate_left(x[b], 12);
    x[a] += x[b]; x[d] ^= x[a]; x[d] = rotate_left(x[d], 8);
    x[c] += x[d]; x[b] ^= x[c]; x[b] = rotate_left(x[b], 7);
}

} // namespace

void chacha20_block(const u32 key[8], u32 counter, const u32 nonce[3], u8 out[64])
{
    u32 state[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
    for (int i = 0; i < 8; ++i)
        state[4 + i] = key[i];
    state[12] = counter;
    state[13] = nonce[0];
    state[14] = nonce[1];
    state[15] = nonce[2];
    u32 x[16];
    for (int i = 0; i < 16; ++i)
        x[i] = state[i];
    for (int round = 0; round < 10; ++round) {
        quarter_round(x, 0, 4, 8, 12);
        quarter_round(x, 1, 5, 9, 13);
        quarter_round(x, 2, 6, 10, 14);
        quarter_round(x, 3, 7, 11, 15);
        quarter_round(x, 0, 5, 10, 15);
        quarter_round(x, 1, 6, 11, 12);
        quarter_round(x, 2, 7, 8, 13);
        quarter_round(x, 3, 4, 9, 14);
    }
    for (int i = 0; i < 16; ++i) {
        u32 v = x[i] + state[i];
        // Serialized little-endian.
        out[4 * i] = static_cast<u8>(v);
        out[4 * i + 1] = static_cast<u8>(v >> 8);
        out[4 * i + 2] = static_cast<u8>(v >> 16);
        out[4 * i + 3] = static_cast<u8>(v >> 24);
    }
}

void Csprng::add_entropy(const void* data, size_t length)
{
    auto* bytes = static_cast<const u8*>(data);
    for (size_t i = 0; i < length; ++i)
        m_key[(i / 4) % 8] ^= static_cast<u32>(bytes[i]) << (8 * (i % 4));
    m_seeded = true;
    rekey();
}

void Csprng::rekey()
{
    u8 block[64];
    chacha20_block(m_key, 0, m_nonce, block);
    copy_bytes(m_key, block, 32);
    fill_bytes(block, 0, sizeof(block));
}

void Csprng::fill(void* buffer, size_t length)
{
    auto* out = static_cast<u8*>(buffer);
    // Counter 0 is reserved for rekeying; the nonce makes every request's stream distinct.
    if (++m_nonce[0] == 0)
        ++m_nonce[1];
    u32 counter = 1;
    u8 block[64];
    for (size_t done = 0; done < length;) {
        chacha20_block(m_key, counter++, m_nonce, block);
        if (counter == 0) {
            // 256 GiB in one request: move to a fresh nonce rather than repeat the stream.
            ++m_nonce[2];
            counter = 1;
        }
        size_t n = length - done < 64 ? length - done : 64;
        copy_bytes(out + done, block, n);
        done += n;
    }
    fill_bytes(block, 0, sizeof(block));
    rekey();
}

}
