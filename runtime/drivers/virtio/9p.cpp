// SPDX-License-Identifier: MIT
// The virtio-9p driver: one request queue, a few slots of pages for messages in flight,
// completions taken by the interrupt handler [virtio-1.2 5.11].
#include "drivers/virtio/9p.h"

#include "drivers/virtio/discovery.h"
#include "drivers/virtio/split_virtqueue.h"
#include "drivers/virtio/virtio.h"
#include "lib/format.h"
#include "lib/runtime_options.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "sched/locks.h"
#include "sched/wait_queue.h"

namespace uk::virtio {

namespace {

constexpr const char* k_driver = "virtio-9p";
constexpr u32 k_device_9p = 9;
// [virtio-1.2 5.11.3] The configuration space holds the mount tag.
constexpr u64 k_feature_mount_tag = 1ull << 0;
// [virtio-1.2 5.11.4] struct virtio_9p_config { le16 tag_len; u8 tag[tag_len]; }
constexpr u32 k_config_tag_length = 0, k_config_tag = 2;
constexpr size_t k_max_tag = 64;
constexpr u16 k_request_queue = 0;
// QEMU's queue has 128 entries; every slot may need a descriptor per page.
constexpr u16 k_queue_size = 128;
constexpr u16 k_slots = 3;
static_assert(k_slots * NinePSlot::k_pages <= k_queue_size);
constexpr size_t k_max_devices = 8;

enum class SlotState : u8 { Free, Owned, InFlight, Posted };

struct Slot {
    NinePSlot buffers;
    SlotState state;
    bool done;
    bool failed;
    u32 written;
};

} // namespace

class NinePDevice {
public:
    Transport* transport = nullptr;
    SplitVirtqueue queue;
    Slot slots[k_slots] = {};
    sched::WaitQueue replies { sched::WakeSource::External };
    sched::WaitQueue free_slots { sched::WakeSource::External };
    bool broken = false;
    char tag[k_max_tag + 1] = {};
    char name[k_max_tag + 64] = {};

    Result<void> start();
    void fail(const char* reason);
    void take_replies_locked();
    bool allocate_slot_pages(Slot& slot);
    Result<void> submit(Slot& slot, size_t request_length, size_t reply_capacity);
    static void on_interrupt(void* self, u8 causes);
};

namespace {

NinePDevice* g_devices[k_max_devices];
size_t g_device_count;
bool g_started;

// Sleeps on `queue` until `ready()`. A signal does not end the wait: the device owns the
// slot's pages until it answers (9P's Tflush could end it early, at the price of another round
// trip), so a thread with a signal pending halts until the next interrupt instead of sleeping,
// and the signal is delivered the few microseconds later that the server needs.
template<typename Predicate>
void wait_uninterruptibly(sched::WaitQueue& queue, Predicate&& ready)
{
    if (queue.wait_until(ready) != sched::WaitResult::Interrupted)
        return;
    for (;;) {
        sched::SchedulerGuard guard;
        if (ready())
            return;
        arch::wait_for_interrupt();
    }
}

Slot& slot_of(NinePSlot& buffers) { return *reinterpret_cast<Slot*>(&buffers); }
static_assert(__builtin_offsetof(Slot, buffers) == 0);

} // namespace

void NinePDevice::fail(const char* reason)
{
    if (broken)
        return;
    broken = true;
    fail_device(*transport, name, reason);
    // Nothing will come back: whatever was in flight ends with EIO.
    queue.reclaim_all([](void* cookie) {
        Slot& slot = *static_cast<Slot*>(cookie);
        if (slot.state == SlotState::Posted)
            slot.state = SlotState::Free;
        slot.failed = true;
        slot.done = true;
    });
    replies.wake_all();
    free_slots.wake_all();
}

// Interrupts disabled.
void NinePDevice::take_replies_locked()
{
    void* cookie;
    u32 written;
    SplitVirtqueue::Take r;
    bool freed = false;
    while ((r = queue.take(cookie, written)) == SplitVirtqueue::Take::Taken) {
        Slot& slot = *static_cast<Slot*>(cookie);
        if (slot.state == SlotState::Posted) {
            slot.state = SlotState::Free;
            freed = true;
        } else {
            slot.written = written;
            slot.done = true;
        }
    }
    if (r == SplitVirtqueue::Take::Broken) {
        char reason[200];
        format(reason, sizeof(reason), "request queue: %s", queue.problem());
        fail(reason);
        return;
    }
    replies.wake_all();
    if (freed)
        free_slots.wake_all();
}

void NinePDevice::on_interrupt(void* self, u8 causes)
{
    sched::SchedulerGuard guard; // What interrupt handlers share with threads is under it.
    auto* device = static_cast<NinePDevice*>(self);
    if ((causes & k_cause_config) && (device->transport->status() & k_status_needs_reset)) {
        device->fail("the device set DEVICE_NEEDS_RESET");
        return;
    }
    if (!device->broken)
        device->take_replies_locked();
}

bool NinePDevice::allocate_slot_pages(Slot& slot)
{
    for (size_t i = 0; i < NinePSlot::k_pages; ++i) {
        if (slot.buffers.pages[i])
            continue;
        slot.buffers.pages[i] = static_cast<u8*>(allocate_page());
        if (!slot.buffers.pages[i]) {
            // Give back what was taken: a slot is used whole or not at all.
            for (size_t j = 0; j < i; ++j) {
                free_page(slot.buffers.pages[j]);
                slot.buffers.pages[j] = nullptr;
            }
            return false;
        }
    }
    return true;
}

Result<void> NinePDevice::start()
{
    format(name, sizeof(name), "%s (%s)", k_driver, transport->location());
    auto features = TRY(negotiate_features(*transport, k_driver, k_feature_mount_tag | k_feature_event_index));
    if (features & k_feature_mount_tag) {
        u32 generation;
        do {
            generation = transport->config_generation();
            u16 length = transport->read_config16(k_config_tag_length);
            if (length > k_max_tag)
                length = k_max_tag;
            for (u16 i = 0; i < length; ++i)
                tag[i] = static_cast<char>(transport->read_config8(k_config_tag + i));
            tag[length] = 0;
        } while (generation != transport->config_generation());
        format(name, sizeof(name), "%s %s (%s)", k_driver, tag, transport->location());
    }
    if (transport->set_interrupt_handler(on_interrupt, this).is_error()) {
        fail("no interrupt could be routed");
        return error(ENODEV);
    }
    if (setup_queue(*transport, k_request_queue, k_queue_size, features & k_feature_event_index, queue).is_error()
        || queue.size() < NinePSlot::k_pages) {
        fail("the request queue could not be set up");
        return error(ENODEV);
    }
    for (u16 i = 0; i < k_slots; ++i)
        slots[i].buffers.tag = i;
    // One slot's pages now, so that a mounted share can always make progress; the others when
    // several threads use the device at once.
    if (!allocate_slot_pages(slots[0])) {
        fail("out of memory for message buffers");
        return error(ENOMEM);
    }
    finish_initialization(*transport);
    if (runtime_options().verbose)
        printk("uk: %s: %s, queue of %u\n", name, transport->interrupt_kind(), queue.size());
    return {};
}

NinePDevice* ninep_find(const char* tag)
{
    if (!g_started) {
        g_started = true;
        while (Transport* t = claim_device(k_device_9p)) {
            if (g_device_count == k_max_devices) {
                printk("uk: warning: %s: more than %zu devices; the rest are ignored\n", k_driver, k_max_devices);
                break;
            }
            auto* device = make<NinePDevice>();
            if (!device)
                break;
            device->transport = t;
            if (!device->start().is_error())
                g_devices[g_device_count++] = device;
        }
    }
    for (size_t i = 0; i < g_device_count; ++i)
        if (strings_equal(g_devices[i]->tag, tag))
            return g_devices[i];
    return nullptr;
}

const char* ninep_name(const NinePDevice& device) { return device.name; }

NinePSlot* ninep_try_acquire(NinePDevice& device)
{
    sched::SchedulerGuard guard;
    if (device.broken)
        return nullptr;
    for (Slot& slot : device.slots) {
        // A slot without pages is used only once allocation succeeds (below, outside the guard).
        if (slot.state == SlotState::Free && slot.buffers.pages[0]) {
            slot.state = SlotState::Owned;
            slot.done = slot.failed = false;
            return &slot.buffers;
        }
    }
    return nullptr;
}

NinePSlot* ninep_acquire(NinePDevice& device)
{
    for (;;) {
        if (NinePSlot* slot = ninep_try_acquire(device))
            return slot;
        if (device.broken)
            return nullptr;
        // Every slot with pages is busy: give one more slot its pages if memory allows.
        for (Slot& slot : device.slots) {
            if (slot.buffers.pages[0] || slot.state != SlotState::Free)
                continue;
            if (device.allocate_slot_pages(slot))
                break;
        }
        if (NinePSlot* slot = ninep_try_acquire(device))
            return slot;
        auto ready = [&device] {
            if (device.broken)
                return true;
            for (Slot& slot : device.slots)
                if (slot.state == SlotState::Free && slot.buffers.pages[0])
                    return true;
            return false;
        };
        // Giving up here on a signal would fail a system call that Linux would simply have run.
        wait_uninterruptibly(device.free_slots, ready);
    }
}

void ninep_release(NinePDevice& device, NinePSlot& buffers)
{
    Slot& slot = slot_of(buffers);
    sched::SchedulerGuard guard;
    VERIFY(slot.state == SlotState::Owned);
    slot.state = SlotState::Free;
    device.free_slots.wake_all_locked();
}

Result<void> NinePDevice::submit(Slot& slot, size_t request_length, size_t reply_capacity)
{
    size_t first_reply = ninep_reply_page(request_length);
    size_t reply_pages = (reply_capacity + k_page_size - 1) / k_page_size;
    VERIFY(request_length > 0 && reply_capacity > 0 && first_reply + reply_pages <= NinePSlot::k_pages);
    Segment segments[NinePSlot::k_pages];
    size_t count = 0;
    for (size_t i = 0; i < first_reply; ++i) {
        size_t left = request_length - i * k_page_size;
        segments[count++] = { reinterpret_cast<u64>(slot.buffers.pages[i]),
            static_cast<u32>(left < k_page_size ? left : k_page_size) };
    }
    for (size_t i = 0; i < reply_pages; ++i) {
        size_t left = reply_capacity - i * k_page_size;
        segments[count++] = { reinterpret_cast<u64>(slot.buffers.pages[first_reply + i]),
            static_cast<u32>(left < k_page_size ? left : k_page_size) };
    }
    sched::SchedulerGuard guard;
    if (broken)
        return error(EIO);
    // Three slots of at most k_pages descriptors fit the queue, so there is always room.
    if (queue.add(segments, first_reply, reply_pages, &slot).is_error()) {
        fail("no room in the request queue");
        return error(EIO);
    }
    if (queue.publish())
        transport->notify(k_request_queue);
    return {};
}

Result<u32> ninep_exchange(NinePDevice& device, NinePSlot& buffers, size_t request_length, size_t reply_capacity)
{
    Slot& slot = slot_of(buffers);
    VERIFY(slot.state == SlotState::Owned);
    slot.done = slot.failed = false;
    slot.state = SlotState::InFlight;
    auto submitted = device.submit(slot, request_length, reply_capacity);
    if (submitted.is_error()) {
        slot.state = SlotState::Owned;
        return error(submitted.error_code());
    }
    wait_uninterruptibly(device.replies, [&slot] { return slot.done; });
    slot.state = SlotState::Owned;
    if (slot.failed)
        return error(EIO);
    if (slot.written > reply_capacity) {
        sched::SchedulerGuard guard;
        device.fail("the device reported a reply longer than its buffer");
        return error(EIO);
    }
    return slot.written;
}

void ninep_post(NinePDevice& device, NinePSlot& buffers, size_t request_length, size_t reply_capacity)
{
    Slot& slot = slot_of(buffers);
    VERIFY(slot.state == SlotState::Owned);
    slot.state = SlotState::Posted;
    if (device.submit(slot, request_length, reply_capacity).is_error()) {
        sched::SchedulerGuard guard;
        slot.state = SlotState::Free;
        device.free_slots.wake_all_locked();
    }
}

}
