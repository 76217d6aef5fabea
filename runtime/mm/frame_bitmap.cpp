// SPDX-License-Identifier: MIT
// Next-fit bitmap allocator for physical frames. A set bit means the frame is free.
#include "mm/frame_bitmap.h"

#include "lib/verify.h"

namespace uk::mm {

namespace {

// The baseline x86-64 the runtime is built for has no POPCNT instruction (the count is a dozen
// bit-twiddling instructions), and boot marks every frame of RAM free a whole word at a time.
u64 bit_count(u64 bits)
{
    if (bits == 0)
        return 0;
    if (bits == ~0ull)
        return 64;
    return static_cast<u64>(__builtin_popcountll(bits));
}

} // namespace

void FrameBitmap::init(u64* words, u64 frame_count)
{
    m_words = words;
    m_frames = frame_count;
    m_free = 0;
    m_hint = 0;
    for (u64 i = 0; i < (frame_count + 63) / 64; ++i)
        m_words[i] = 0;
}

void FrameBitmap::release_range(u64 first, u64 count)
{
    u64 end = first + count < m_frames ? first + count : m_frames;
    if (first == 0)
        first = 1; // Frame 0 is never handed out.
    for (u64 f = first; f < end;) {
        u64 word = f / 64;
        unsigned bit = f % 64;
        unsigned span = end - f < 64 - bit ? static_cast<unsigned>(end - f) : 64 - bit;
        u64 mask = span == 64 ? ~0ull : ((1ull << span) - 1) << bit;
        m_free += bit_count(mask & ~m_words[word]);
        m_words[word] |= mask;
        f += span;
    }
}

void FrameBitmap::claim_range(u64 first, u64 count)
{
    u64 end = first + count < m_frames ? first + count : m_frames;
    for (u64 f = first; f < end;) {
        u64 word = f / 64;
        unsigned bit = f % 64;
        unsigned span = end - f < 64 - bit ? static_cast<unsigned>(end - f) : 64 - bit;
        u64 mask = span == 64 ? ~0ull : ((1ull << span) - 1) << bit;
        m_free -= bit_count(mask & m_words[word]);
        m_words[word] &= ~mask;
        f += span;
    }
}

bool FrameBitmap::is_free(u64 frame) const { return frame < m_frames && (m_words[frame / 64] >> (frame % 64)) & 1; }

u64 FrameBitmap::allocate()
{
    if (m_free == 0)
        return 0;
    u64 word_count = (m_frames + 63) / 64;
    for (u64 n = 0; n < word_count; ++n) {
        u64 index = (m_hint + n) % word_count;
        u64 word = m_words[index];
        if (!word)
            continue;
        unsigned bit = __builtin_ctzll(word);
        m_words[index] = word & (word - 1);
        --m_free;
        m_hint = index;
        return index * 64 + bit;
    }
    VERIFY_NOT_REACHED();
}

void FrameBitmap::release(u64 frame)
{
    VERIFY(frame != 0 && frame < m_frames);
    VERIFY(!is_free(frame)); // A double free is a runtime bug.
    m_words[frame / 64] |= 1ull << (frame % 64);
    ++m_free;
}

}
