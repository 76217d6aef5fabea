// SPDX-License-Identifier: MIT
// SplitVirtqueue: the driver's half of a split virtqueue [virtio-1.2 2.7]: it chains
// descriptors for buffers, publishes them in the available ring, decides when the device must
// be notified, and takes buffers back from the used ring.
//
// The used ring is written by the device, so nothing read from it is trusted: the index must
// not run ahead of the buffers the device was given, every element's id must name the head of
// a chain the device holds, and its length must fit in that chain's writable part. The first
// violation marks the queue broken for good (take() returns Broken with problem() saying why);
// the driver then resets the device. The chains themselves are kept in driver-private memory,
// so a device scribbling over the descriptor table cannot redirect the driver either.
//
// Portable code (no arch/ calls): the host unit tests and the fuzzer run it against fake
// devices. Not thread-safe: the owner serializes calls (the SchedulerLock in the runtime).
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace uk::virtio {

// [virtio-1.2 2.7.5] A descriptor.
struct Descriptor {
    u64 address;
    u32 length;
    u16 flags;
    u16 next;
};
static_assert(sizeof(Descriptor) == 16);
inline constexpr u16 k_descriptor_next = 1;
inline constexpr u16 k_descriptor_write = 2;
// [virtio-1.2 2.7.6] Available ring flag: the driver wants no used-buffer notifications.
inline constexpr u16 k_available_no_interrupt = 1;
// [virtio-1.2 2.7.8] Used ring flag: the device wants no available-buffer notifications.
inline constexpr u16 k_used_no_notify = 1;

// One piece of a buffer: `address` is what the device sees (a physical address).
struct Segment {
    u64 address;
    u32 length;
};

class SplitVirtqueue {
public:
    // Every size used here keeps each part within one page.
    static constexpr u16 k_max_size = 256;
    static size_t descriptor_table_bytes(u16 size) { return 16u * size; }
    static size_t available_ring_bytes(u16 size) { return 6u + 2u * size; }
    static size_t used_ring_bytes(u16 size) { return 6u + 8u * size; }
    // The driver-private shadow of the chains.
    static size_t state_bytes(u16 size) { return 16u * size; }

    // `size` is a power of two up to k_max_size; the four areas are zeroed and aligned (16 bytes
    // for descriptors, 4 for the rings, 8 for the state). `event_index`: VIRTIO_F_EVENT_IDX was
    // negotiated [virtio-1.2 2.7.7, 2.7.10].
    void init(u16 size, void* descriptors, void* available, void* used, void* state, bool event_index);

    // Chains `readable` device-readable segments followed by `writable` device-writable ones and
    // queues the chain (not yet visible to the device: see publish()). `cookie` (not null)
    // comes back from take(). ENOSPC: not enough free descriptors; EINVAL: no segments, a null
    // cookie, or writable lengths adding up past 4 GiB; EIO: the queue is broken.
    Result<void> add(const Segment* segments, size_t readable, size_t writable, void* cookie);
    // Makes the chains added so far visible to the device. True when the device asked to be
    // notified of them (the caller then notifies through the transport), or, for a queue set to
    // notify always, whenever something new was published.
    bool publish();
    // Notify on every publish, whatever the device's avail_event says. QEMU 7.2 under TCG
    // sometimes leaves avail_event behind buffers it has not seen and then waits for a
    // notification that event-index suppression would skip: a transmit queue stalled that way
    // under load (wrk -c32) within seconds. An extra notification is always allowed
    // ([virtio-1.2 2.7.10]); a missing one is a stall.
    void set_notify_always(bool always) { m_notify_always = always; }

    enum class Take { Empty, Taken, Broken };
    // Takes the next used buffer: its cookie and the number of bytes the device says it wrote.
    Take take(void*& cookie, u32& written);
    // True when the used ring holds an entry not taken yet (a cheap look, nothing validated).
    bool has_used() const;

    // Used-buffer notification (interrupt) suppression; interrupts are wanted after init().
    // enable_interrupts() returns true when buffers were used meanwhile: the caller must take
    // them, as no interrupt will announce them.
    void disable_interrupts();
    bool enable_interrupts();

    u16 size() const { return m_size; }
    u16 free_descriptors() const { return m_free_count; }
    // Buffers added and not yet taken back.
    u16 outstanding() const { return m_outstanding; }
    // Buffers added but not yet published.
    u16 unpublished() const { return static_cast<u16>(m_next_available - m_published); }
    // Published buffers the device has not used yet, as far as its used index says now (a cheap
    // look, nothing validated: only for deciding whether to notify).
    u16 device_held() const;
    bool is_broken() const { return m_broken; }
    const char* problem() const { return m_problem; }

    // After the device was reset: visits every outstanding buffer's cookie and empties the queue.
    template<typename Visit>
    void reclaim_all(Visit&& visit)
    {
        for (u16 i = 0; i < m_size; ++i)
            if (m_slots[i].cookie)
                visit(m_slots[i].cookie);
        reset_free_list();
    }

private:
    // Per descriptor: its link in a chain or the free list, and, for a chain's head, what the
    // device was given.
    struct Slot {
        void* cookie;  // Non-null only for the head of an outstanding chain.
        u32 writable;  // Head: total device-writable bytes of the chain.
        u16 next;      // Next descriptor of the chain or of the free list; k_end at the end.
        u16 position;  // Head: the available-ring index it was queued at.
    };
    static_assert(sizeof(Slot) == 16 || sizeof(void*) != 8);
    static constexpr u16 k_end = 0xffff;

    void reset_free_list();
    void mark_broken(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
    volatile u16* used_event() const { return m_available + 2 + m_size; }
    volatile u16* available_event() const;
    volatile u16* used_index() const;

    u16 m_size = 0;
    u16 m_mask = 0;
    bool m_event_index = false;
    bool m_notify_always = false;
    bool m_broken = false;
    bool m_interrupts_wanted = true;
    Descriptor* m_descriptors = nullptr;
    volatile u16* m_available = nullptr; // flags, idx, ring[size], used_event
    volatile u8* m_used = nullptr;       // flags, idx, ring[size] of {id, len}, avail_event
    Slot* m_slots = nullptr;
    u16 m_free_head = k_end;
    u16 m_free_count = 0;
    u16 m_next_available = 0;  // The available index the next add() uses.
    u16 m_published = 0;       // The available index the device has been shown.
    u16 m_last_used = 0;       // The used index up to which buffers were taken.
    u16 m_outstanding = 0;
    char m_problem[112] = {};
};

}
