// SPDX-License-Identifier: MIT
// The lwIP interface ("eth0") over a network card driver (drivers/network_device.h): frames in
// and out, nothing about protocols.
#pragma once

#include "lib/result.h"
#include "lib/types.h"

struct netif;

namespace uk::drivers {
class NetworkDevice;
}

namespace uk::net {

// Adds the interface for `device` to lwIP (not yet up, no address). Under the CoreLock.
Result<struct netif*> add_device_interface(drivers::NetworkDevice& device);

// Hands at most `budget` received frames to lwIP, collects finished transmissions and sends
// frames that waited for room in the ring. Returns true if frames may be left (call again after
// letting other threads run). Under the CoreLock.
bool poll_device_locked(size_t budget);

// Hands the device the frames lwIP produced since the last call, with one notification (called
// at the end of every CoreLock section: finish_core_work_locked()). Under the CoreLock.
void flush_device_locked();

}
