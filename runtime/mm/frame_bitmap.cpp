// SPDX-License-Identifier: MIT
// Next-fit bitmap allocator for physical frames. A set bit means the frame is free.
#include "mm/frame_bitmap.h"

#include "lib/verify.h"

namespace uk::mm {

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
    for (u64 f = first; f < first + count && f < m_frames; ++f)
        if (f != 0 && !is_free(f))
            release(f);
}

void FrameBitmap::claim_range(u64 first, u64 count)
{
    for (u64 f = first; f < first + count && f < m_frames; ++f) {
        if (is_free(f)) {
            m_words[f / 64] &= ~(1ull << (f % 64));
            --m_free;
        }
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
