// SPDX-License-Identifier: MIT
// Placement new for the freestanding runtime (which has no <new>).
#pragma once

#include <stddef.h>

inline void* operator new(size_t, void* place) noexcept { return place; }
