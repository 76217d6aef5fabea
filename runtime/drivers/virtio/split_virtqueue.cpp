// SPDX-License-Identifier: MIT
// The split virtqueue's driver side, with every value read from the used ring validated.
#include "drivers/virtio/split_virtqueue.h"

#include <stdarg.h>

#include "lib/format.h"
#include "lib/verify.h"

namespace uk::virtio {

namespace {

// The device runs concurrently (another host thread): ring fields it reads or writes are
// accessed atomically, each exactly once per use, in the order the protocol needs.
u16 load_acquire(volatile u16* p) { return __atomic_load_n(const_cast<u16*>(p), __ATOMIC_ACQUIRE); }
u16 load_relaxed16(volatile u16* p) { return __atomic_load_n(const_cast<u16*>(p), __ATOMIC_RELAXED); }
u32 load_relaxed32(volatile u8* p) { return __atomic_load_n(reinterpret_cast<u32*>(const_cast<u8*>(p)), __ATOMIC_RELAXED); }
void store_release(volatile u16* p, u16 v) { __atomic_store_n(const_cast<u16*>(p), v, __ATOMIC_RELEASE); }
void store_relaxed(volatile u16* p, u16 v) { __atomic_store_n(const_cast<u16*>(p), v, __ATOMIC_RELAXED); }
// A store followed by a load of another location needs a full barrier even on x86 (the store
// may otherwise still sit in the store buffer when the load executes). [virtio-1.2 2.7.13.4.1]
void full_barrier() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

} // namespace

volatile u16* SplitVirtqueue::used_index() const { return reinterpret_cast<volatile u16*>(m_used + 2); }

volatile u16* SplitVirtqueue::available_event() const
{
    return reinterpret_cast<volatile u16*>(m_used + 4 + 8 * m_size);
}

void SplitVirtqueue::init(u16 size, void* descriptors, void* available, void* used, void* state, bool event_index)
{
    VERIFY(size > 0 && size <= k_max_size && (size & (size - 1)) == 0);
    m_size = size;
    m_mask = size - 1;
    m_event_index = event_index;
    m_broken = false;
    m_problem[0] = 0;
    m_descriptors = static_cast<Descriptor*>(descriptors);
    m_available = static_cast<volatile u16*>(available);
    m_used = static_cast<volatile u8*>(used);
    m_slots = static_cast<Slot*>(state);
    m_next_available = m_published = m_last_used = 0;
    m_interrupts_wanted = true;
    reset_free_list();
}

void SplitVirtqueue::reset_free_list()
{
    for (u16 i = 0; i < m_size; ++i)
        m_slots[i] = { nullptr, 0, static_cast<u16>(i + 1 < m_size ? i + 1 : k_end), 0 };
    m_free_head = 0;
    m_free_count = m_size;
    m_outstanding = 0;
}

void SplitVirtqueue::mark_broken(const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vformat(m_problem, sizeof(m_problem), fmt, ap);
    va_end(ap);
    m_broken = true;
}

Result<void> SplitVirtqueue::add(const Segment* segments, size_t readable, size_t writable, void* cookie)
{
    if (m_broken)
        return error(EIO);
    size_t count = readable + writable;
    if (count == 0 || !cookie)
        return error(EINVAL);
    if (count > m_free_count)
        return error(ENOSPC);
    u64 writable_bytes = 0;
    for (size_t i = readable; i < count; ++i)
        writable_bytes += segments[i].length;
    if (writable_bytes > 0xffffffffull)
        return error(EINVAL);

    u16 head = m_free_head;
    u16 index = head;
    u16 last = head;
    for (size_t i = 0; i < count; ++i) {
        VERIFY(index != k_end);
        u16 next = m_slots[index].next;
        bool more = i + 1 < count;
        Descriptor& d = m_descriptors[index];
        d.address = segments[i].address;
        d.length = segments[i].length;
        d.flags = static_cast<u16>((i >= readable ? k_descriptor_write : 0) | (more ? k_descriptor_next : 0));
        d.next = more ? next : 0;
        last = index;
        index = next;
    }
    m_free_head = index;
    m_slots[last].next = k_end;
    m_free_count = static_cast<u16>(m_free_count - count);
    m_slots[head].cookie = cookie;
    m_slots[head].writable = static_cast<u32>(writable_bytes);
    m_slots[head].position = m_next_available;
    // The device reads the ring entry only after it sees the index that covers it (publish()).
    store_relaxed(m_available + 2 + (m_next_available & m_mask), head);
    ++m_next_available;
    ++m_outstanding;
    return {};
}

bool SplitVirtqueue::publish()
{
    if (m_broken || m_published == m_next_available)
        return false;
    u16 old_index = m_published;
    u16 new_index = m_next_available;
    // Release: the descriptors and ring entries are written before the device can see the index.
    store_release(m_available + 1, new_index);
    m_published = new_index;
    full_barrier();
    if (m_notify_always)
        return true;
    if (m_event_index) {
        // [virtio-1.2 2.7.10] Notify when the device's avail_event lies in (old, new].
        u16 event = load_relaxed16(available_event());
        return static_cast<u16>(new_index - event - 1) < static_cast<u16>(new_index - old_index);
    }
    return !(load_relaxed16(reinterpret_cast<volatile u16*>(m_used)) & k_used_no_notify);
}

u16 SplitVirtqueue::device_held() const
{
    u16 held = static_cast<u16>(m_published - load_relaxed16(used_index()));
    return held <= m_size ? held : 0;
}

bool SplitVirtqueue::has_used() const { return !m_broken && load_relaxed16(used_index()) != m_last_used; }

SplitVirtqueue::Take SplitVirtqueue::take(void*& cookie, u32& written)
{
    if (m_broken)
        return Take::Broken;
    // Acquire: the element is read only after the index that says it is there.
    u16 used = load_acquire(used_index());
    if (used == m_last_used)
        return Take::Empty;
    u16 pending = static_cast<u16>(used - m_last_used);
    u16 shown = static_cast<u16>(m_published - m_last_used);
    if (pending > shown) {
        mark_broken("used index %u is %u entries ahead, but the device holds %u buffers", used, pending, shown);
        return Take::Broken;
    }
    volatile u8* element = m_used + 4 + 8 * (m_last_used & m_mask);
    u32 id = load_relaxed32(element);
    u32 length = load_relaxed32(element + 4);
    if (id >= m_size) {
        mark_broken("used element %u names descriptor %u of %u", m_last_used, id, m_size);
        return Take::Broken;
    }
    Slot& head = m_slots[id];
    // A chain the device holds: outstanding, and not among those added since the last publish().
    u16 unpublished = static_cast<u16>(m_next_available - m_published);
    if (!head.cookie || static_cast<u16>(head.position - m_published) < unpublished) {
        mark_broken("used element %u names descriptor %u, which the device does not hold", m_last_used, id);
        return Take::Broken;
    }
    if (length > head.writable) {
        mark_broken("used element %u says %u bytes were written to a buffer of %u", m_last_used, length, head.writable);
        return Take::Broken;
    }
    cookie = head.cookie;
    written = length;
    head.cookie = nullptr;
    // Free the chain, following the driver's own links (never the device-visible descriptors).
    u16 count = 1;
    u16 last = static_cast<u16>(id);
    while (m_slots[last].next != k_end) {
        last = m_slots[last].next;
        ++count;
        VERIFY(count <= m_size);
    }
    m_slots[last].next = m_free_head;
    m_free_head = static_cast<u16>(id);
    m_free_count = static_cast<u16>(m_free_count + count);
    ++m_last_used;
    --m_outstanding;
    if (m_event_index && m_interrupts_wanted) {
        // [virtio-1.2 2.7.7] With event indexes the device interrupts only when the used index
        // passes used_event: keep it at the next entry while interrupts are wanted.
        store_relaxed(used_event(), m_last_used);
        full_barrier();
    }
    return Take::Taken;
}

void SplitVirtqueue::disable_interrupts()
{
    m_interrupts_wanted = false;
    if (m_event_index) {
        // [virtio-1.2 2.7.7] The device interrupts when the used index passes used_event; a
        // value just behind the current index is passed only after a full wrap.
        store_relaxed(used_event(), static_cast<u16>(m_last_used - 1));
    } else {
        store_relaxed(m_available, k_available_no_interrupt);
    }
}

bool SplitVirtqueue::enable_interrupts()
{
    m_interrupts_wanted = true;
    if (m_event_index)
        store_relaxed(used_event(), m_last_used);
    else
        store_relaxed(m_available, 0);
    // The device may have used a buffer before it saw the request: look again after it.
    full_barrier();
    return has_used();
}

}
