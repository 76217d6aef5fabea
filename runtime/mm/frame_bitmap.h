// SPDX-License-Identifier: MIT
// FrameBitmap: which 4 KiB physical frames are free, one bit each (portable, host-tested).
#pragma once

#include "lib/types.h"

namespace uk::mm {

class FrameBitmap {
public:
    // `words` must hold (frame_count + 63) / 64 words; every frame starts out in use.
    void init(u64* words, u64 frame_count);
    void release_range(u64 first, u64 count);
    void claim_range(u64 first, u64 count);
    // Returns a free frame's number and marks it used; 0 when none is free (frame 0 never is).
    u64 allocate();
    void release(u64 frame);
    bool is_free(u64 frame) const;
    u64 free_count() const { return m_free; }
    u64 frame_count() const { return m_frames; }

private:
    u64* m_words = nullptr;
    u64 m_frames = 0;
    u64 m_free = 0;
    u64 m_hint = 0; // Next-fit: the word to start searching from.
};

}
