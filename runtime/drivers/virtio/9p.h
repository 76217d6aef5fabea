// SPDX-License-Identifier: MIT
// virtio-9p [virtio-1.2 5.11]: a transport for 9P messages to a file server on the host (QEMU's
// -fsdev with virtio-9p-device or virtio-9p-pci). The driver only moves messages: a request
// goes out in the pages of a slot, the reply comes back in the pages after it. What the
// messages say is fs/9p_protocol's business.
//
// A slot is one request in flight; its 9P tag is its index. Each holds k_slot_pages pages, so a
// request and its reply together may take up to k_slot_bytes (a large Twrite, or a Tread whose
// reply is large). The request starts at page 0; the reply starts at the first page the request
// does not touch (reply_page()).
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace uk::virtio {

class NinePDevice;

struct NinePSlot {
    static constexpr size_t k_pages = 34;
    u8* pages[k_pages];
    u16 tag;
};

inline constexpr size_t k_ninep_slot_bytes = NinePSlot::k_pages * k_page_size;

// The first page of the reply for a request of `request_length` bytes.
inline size_t ninep_reply_page(size_t request_length) { return (request_length + k_page_size - 1) / k_page_size; }

// Starts every virtio-9p device (on the first call) and returns the one whose mount tag is
// `tag`; null if there is none. Runtime code (it sleeps).
NinePDevice* ninep_find(const char* tag);
// For log lines: "virtio-9p uk.share0 (virtio-mmio@0xfeb00e00)".
const char* ninep_name(const NinePDevice& device);

// A free slot, sleeping while every slot is busy; null when the device broke.
NinePSlot* ninep_acquire(NinePDevice& device);
// A free slot if one is free now, else null. Never sleeps.
NinePSlot* ninep_try_acquire(NinePDevice& device);
void ninep_release(NinePDevice& device, NinePSlot& slot);
// Sends the request in the slot's first `request_length` bytes and sleeps until the device has
// answered into the `reply_capacity` bytes from ninep_reply_page() on. Returns how many bytes
// the device wrote. EIO when the device broke (then or before). The slot stays the caller's.
Result<u32> ninep_exchange(NinePDevice& device, NinePSlot& slot, size_t request_length, size_t reply_capacity);
// Sends the request and returns at once; the slot is released when the device answers, the
// reply unread (for Tclunk). Never sleeps.
void ninep_post(NinePDevice& device, NinePSlot& slot, size_t request_length, size_t reply_capacity);

}
