// SPDX-License-Identifier: MIT
// The table of virtio devices on the machine, built on the first claim.
#include "drivers/virtio/discovery.h"

#include "lib/runtime_options.h"
#include "drivers/pci.h"
#include "drivers/virtio/transport/mmio.h"
#include "drivers/virtio/transport/pci.h"
#include "lib/format.h"

namespace uk::virtio {

namespace {

constexpr size_t k_max_devices = 24;

struct Candidate {
    u32 type;
    bool claimed;
    Transport* mmio;      // virtio-mmio transports exist from the scan on (reading the type
                          // needs the registers mapped anyway).
    size_t pci_function;  // Otherwise the PCI function's index.
};

Candidate g_candidates[k_max_devices];
size_t g_count;
bool g_scanned;

void add(const Candidate& candidate)
{
    if (g_count == k_max_devices) {
        printk("uk: warning: virtio: more than %zu devices; the rest are ignored\n", k_max_devices);
        return;
    }
    g_candidates[g_count++] = candidate;
}

void scan()
{
    if (g_scanned)
        return;
    g_scanned = true;
    const RuntimeOptions& options = runtime_options();
    for (unsigned i = 0; i < options.virtio_mmio_count; ++i) {
        MmioDeviceOption option;
        if (!parse_mmio_device_option(options.virtio_mmio[i], option)) {
            printk("uk: warning: malformed 'virtio_mmio.device=%s' ignored\n", options.virtio_mmio[i]);
            continue;
        }
        auto transport = MmioTransport::create(option);
        if (!transport.is_error())
            add({ transport.value()->device_type(), false, transport.value(), 0 });
    }
    for (size_t i = 0; i < pci::function_count(); ++i)
        if (u32 type = pci_device_type(pci::function(i)))
            add({ type, false, nullptr, i });
}

} // namespace

Transport* claim_device(u32 type)
{
    scan();
    for (size_t i = 0; i < g_count; ++i) {
        Candidate& c = g_candidates[i];
        if (c.claimed || c.type != type)
            continue;
        c.claimed = true;
        if (c.mmio)
            return c.mmio;
        auto transport = PciTransport::create(pci::function(c.pci_function), type);
        if (!transport.is_error())
            return transport.value();
    }
    return nullptr;
}

}
