// SPDX-License-Identifier: MIT
// The registry of network devices, probed on the network stack's first request: an image that
// never asks pays neither the probe nor (with --gc-sections) the driver's code.
#include "drivers/network_device.h"

#include "drivers/virtio/net.h"
#include "lib/format.h"

namespace uk::drivers {

namespace {
constexpr size_t k_max_devices = 4;
NetworkDevice* g_devices[k_max_devices];
size_t g_count;
bool g_probed;
}

void register_network_device(NetworkDevice& device)
{
    if (g_count == k_max_devices) {
        printk("uk: warning: more than %zu network devices; the rest are ignored\n", k_max_devices);
        return;
    }
    g_devices[g_count++] = &device;
}

NetworkDevice* first_network_device()
{
    if (!g_probed) {
        g_probed = true;
        if (NetworkDevice* device = virtio::start_network_device())
            register_network_device(*device);
    }
    return g_count ? g_devices[0] : nullptr;
}

}
