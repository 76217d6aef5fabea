// SPDX-License-Identifier: MIT
// Memory and string helpers the runtime owns, so it never calls into libc (which may be
// mid-call into the runtime itself).
#pragma once

#include "lib/types.h"

namespace uk {
void copy_bytes(void* dst, const void* src, size_t n);
void fill_bytes(void* dst, u8 value, size_t n);
size_t string_length(const char* s);
bool strings_equal(const char* a, const char* b);
bool starts_with(const char* s, const char* prefix);
size_t copy_string(char* dst, size_t capacity, const char* src); // Truncates, always terminates.
const char* file_name_of(const char* path); // After the last '/' (all of `path` without one).
}
