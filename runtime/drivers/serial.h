// SPDX-License-Identifier: MIT
// The 16550 UART console on COM1.
#pragma once

#include "lib/types.h"

namespace uk::serial {
void init();
void write(const char* data, size_t length);
}
