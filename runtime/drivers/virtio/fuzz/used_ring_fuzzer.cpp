// SPDX-License-Identifier: MIT
// libFuzzer target: a device that writes whatever it likes into the used ring, interleaved with
// the driver adding, publishing and taking buffers. Whatever the input, take() hands back only
// cookies of buffers the driver queued, each once, with a length that fits the buffer, and the
// descriptor accounting stays exact; or the queue reports itself broken and stays so.
#include "drivers/virtio/split_virtqueue.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <vector>

using namespace uk;
using namespace uk::virtio;

namespace {

struct Input {
    const u8* data;
    size_t size;
    size_t position = 0;
    bool empty() const { return position >= size; }
    u8 byte() { return position < size ? data[position++] : 0; }
    u16 word() { return static_cast<u16>(byte() | (byte() << 8)); }
    u32 dword() { return word() | (u32(word()) << 16); }
};

#define CHECK(cond)                                                                           \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            fprintf(stderr, "used_ring_fuzzer: %s failed at line %d\n", #cond, __LINE__);    \
            abort();                                                                          \
        }                                                                                     \
    } while (0)

struct Outstanding {
    u32 writable;
    u16 descriptors;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const u8* data, size_t size)
{
    Input in { data, size };
    u16 queue_size = static_cast<u16>(1u << (in.byte() % 9)); // 1-256
    bool event_index = in.byte() & 1;
    std::vector<Descriptor> descriptors(queue_size);
    std::vector<u16> available(SplitVirtqueue::available_ring_bytes(queue_size) / 2 + 1);
    std::vector<u32> used(SplitVirtqueue::used_ring_bytes(queue_size) / 4 + 1);
    std::vector<u64> state(SplitVirtqueue::state_bytes(queue_size) / 8);
    SplitVirtqueue q;
    q.init(queue_size, descriptors.data(), available.data(), used.data(), state.data(), event_index);
    auto* used_bytes = reinterpret_cast<u8*>(used.data());

    std::map<uintptr_t, Outstanding> outstanding;
    uintptr_t next_cookie = 1;
    unsigned in_chains = 0;
    bool broken = false;
    while (!in.empty()) {
        switch (in.byte() % 6) {
        case 0: { // The driver queues a chain.
            size_t readable = in.byte() % 4, writable = in.byte() % 4;
            Segment segments[8];
            u64 writable_bytes = 0;
            for (size_t i = 0; i < readable + writable; ++i) {
                segments[i] = { 0x1000u * (i + 1), in.dword() };
                if (i >= readable)
                    writable_bytes += segments[i].length;
            }
            auto r = q.add(segments, readable, writable, reinterpret_cast<void*>(next_cookie));
            if (!r.is_error()) {
                CHECK(!broken && readable + writable > 0 && writable_bytes <= 0xffffffffu);
                outstanding[next_cookie] = { static_cast<u32>(writable_bytes), static_cast<u16>(readable + writable) };
                in_chains += static_cast<unsigned>(readable + writable);
                ++next_cookie;
            } else {
                CHECK(broken || readable + writable == 0 || writable_bytes > 0xffffffffu
                    || readable + writable > q.free_descriptors());
            }
            break;
        }
        case 1:
            q.publish();
            break;
        case 2: { // The device writes an element.
            u16 slot = in.word();
            u32 id = in.dword(), length = in.dword();
            std::memcpy(used_bytes + 4 + 8 * (slot % queue_size), &id, 4);
            std::memcpy(used_bytes + 4 + 8 * (slot % queue_size) + 4, &length, 4);
            break;
        }
        case 3: { // The device moves the used index, or writes its flags or avail_event.
            u16 value = in.word();
            switch (in.byte() % 3) {
            case 0: std::memcpy(used_bytes + 2, &value, 2); break;
            case 1: std::memcpy(used_bytes, &value, 2); break;
            default: std::memcpy(used_bytes + 4 + 8 * queue_size, &value, 2); break;
            }
            break;
        }
        case 4: { // The driver takes what the device says is used.
            void* cookie = nullptr;
            u32 written = 0;
            auto r = q.take(cookie, written);
            if (r == SplitVirtqueue::Take::Taken) {
                CHECK(!broken);
                auto it = outstanding.find(reinterpret_cast<uintptr_t>(cookie));
                CHECK(it != outstanding.end());
                CHECK(written <= it->second.writable);
                in_chains -= it->second.descriptors;
                outstanding.erase(it);
            } else if (r == SplitVirtqueue::Take::Broken) {
                CHECK(q.is_broken() && q.problem()[0] != 0);
                broken = true;
            } else {
                CHECK(!broken);
            }
            break;
        }
        default:
            if (in.byte() & 1)
                q.disable_interrupts();
            else
                q.enable_interrupts();
            break;
        }
        CHECK(q.outstanding() == outstanding.size());
        CHECK(q.free_descriptors() + in_chains == queue_size);
    }
    return 0;
}
