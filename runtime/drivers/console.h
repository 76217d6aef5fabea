// SPDX-License-Identifier: MIT
// The console: where the program's standard output and error and the runtime's messages go.
#pragma once

#include "lib/types.h"

namespace uk::console {
void init();
void write(const char* data, size_t length);
}
