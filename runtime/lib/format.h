// SPDX-License-Identifier: MIT
// printf-style formatting into fixed buffers (no allocation), and printk() to the console.
#pragma once

#include <stdarg.h>

#include "lib/types.h"

namespace uk {

// Supports %d %i %u %x %X %p %s %c %% with flags '-', '0', a width, and the length modifiers
// l, ll, z. Returns the length the full output would have; the buffer is always terminated.
size_t vformat(char* buf, size_t capacity, const char* fmt, va_list ap);
size_t format(char* buf, size_t capacity, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

// Writes to the console (the program's stderr stream), prefixed by nothing.
void printk(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}
