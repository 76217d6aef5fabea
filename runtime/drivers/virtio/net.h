// SPDX-License-Identifier: MIT
// virtio-net [virtio-1.2 5.1]: one receive and one transmit queue, behind drivers::NetworkDevice.
#pragma once

#include "drivers/network_device.h"

namespace uk::virtio {

// Claims the first virtio network device, starts it and returns it; null when there is none
// (or it could not be started, which a log line explains). Runtime code only.
drivers::NetworkDevice* start_network_device();

}
