// SPDX-License-Identifier: MIT
// What every virtio driver does the same way: initialization up to DRIVER_OK, queue memory,
// and giving up on a device that broke the protocol.
#include "drivers/virtio/split_virtqueue.h"
#include "drivers/virtio/virtio.h"
#include "lib/format.h"
#include "mm/kmalloc.h"

namespace uk::virtio {

Result<u64> negotiate_features(Transport& t, const char* driver, u64 supported)
{
    t.reset();
    t.set_status(k_status_acknowledge);
    t.set_status(k_status_acknowledge | k_status_driver);
    u64 offered = t.device_features();
    if (!(offered & k_feature_version_1)) {
        printk("uk: %s (%s): the device does not offer VIRTIO_F_VERSION_1 (a legacy-only device); not used\n", driver,
            t.location());
        t.set_status(k_status_failed);
        return error(ENODEV);
    }
    // ACCESS_PLATFORM would put an IOMMU between the device and the runtime's addresses.
    u64 features = offered & (supported | k_feature_version_1) & ~k_feature_access_platform;
    t.set_driver_features(features);
    t.set_status(k_status_acknowledge | k_status_driver | k_status_features_ok);
    // [virtio-1.2 3.1.1] The device clears FEATURES_OK when it cannot work with the subset.
    if (!(t.status() & k_status_features_ok)) {
        printk("uk: %s (%s): the device refused features 0x%lx; not used\n", driver, t.location(), features);
        t.set_status(k_status_failed);
        return error(ENODEV);
    }
    return features;
}

void finish_initialization(Transport& t)
{
    t.set_status(k_status_acknowledge | k_status_driver | k_status_features_ok | k_status_driver_ok);
}

void fail_device(Transport& t, const char* driver, const char* reason)
{
    printk("uk: %s (%s): %s; device reset and disabled\n", driver, t.location(), reason);
    t.set_status(t.status() | k_status_failed);
    t.reset();
}

void* allocate_device_memory(size_t bytes)
{
    // kmalloc blocks are 16-byte aligned; a whole page is page-aligned.
    return bytes <= 2016 ? kmalloc(bytes) : bytes <= k_page_size ? allocate_page() : nullptr;
}

void* DeviceMemoryArea::take(size_t bytes)
{
    bytes = align_up(bytes, 16);
    if (static_cast<size_t>(end - next) < bytes)
        return nullptr;
    void* piece = next;
    next += bytes;
    return piece;
}

Result<void> setup_queue(Transport& t, u16 index, u16 wanted, bool event_index, SplitVirtqueue& queue,
    DeviceMemoryArea* area)
{
    u16 limit = t.queue_max_size(index);
    if (limit == 0)
        return error(ENODEV);
    if (wanted > limit)
        wanted = limit;
    if (wanted > SplitVirtqueue::k_max_size)
        wanted = SplitVirtqueue::k_max_size;
    u16 size = 1;
    while (size * 2 <= wanted)
        size = static_cast<u16>(size * 2);
    auto allocate = [area](size_t bytes) { return area ? area->take(bytes) : allocate_device_memory(bytes); };
    void* descriptors = allocate(SplitVirtqueue::descriptor_table_bytes(size));
    void* available = allocate(SplitVirtqueue::available_ring_bytes(size));
    void* used = allocate(SplitVirtqueue::used_ring_bytes(size));
    void* state = allocate(SplitVirtqueue::state_bytes(size));
    if (!descriptors || !available || !used || !state)
        return error(ENOMEM);
    queue.init(size, descriptors, available, used, state, event_index);
    // Every queue notifies on each publish (see SplitVirtqueue::set_notify_always): event-index
    // suppression of notifications stalled transmit queues under QEMU 7.2's TCG. The event index
    // still spares interrupts (used_event).
    queue.set_notify_always(true);
    return t.enable_queue(index, { size, reinterpret_cast<u64>(descriptors), reinterpret_cast<u64>(available),
                                     reinterpret_cast<u64>(used) });
}

}
