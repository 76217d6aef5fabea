// SPDX-License-Identifier: MIT
// Byte and string helpers for the runtime.
#include "lib/string.h"

namespace uk {

void copy_bytes(void* dst, const void* src, size_t n)
{
    auto* d = static_cast<u8*>(dst);
    auto* s = static_cast<const u8*>(src);
    for (size_t i = 0; i < n; ++i)
        d[i] = s[i];
}

void fill_bytes(void* dst, u8 value, size_t n)
{
    auto* d = static_cast<u8*>(dst);
    for (size_t i = 0; i < n; ++i)
        d[i] = value;
}

size_t string_length(const char* s)
{
    size_t n = 0;
    while (s[n])
        ++n;
    return n;
}

bool strings_equal(const char* a, const char* b)
{
    while (*a && *a == *b)
        ++a, ++b;
    return *a == *b;
}

bool starts_with(const char* s, const char* prefix)
{
    while (*prefix)
        if (*s++ != *prefix++)
            return false;
    return true;
}

size_t copy_string(char* dst, size_t capacity, const char* src)
{
    size_t n = 0;
    if (capacity == 0)
        return 0;
    while (src[n] && n + 1 < capacity) {
        dst[n] = src[n];
        ++n;
    }
    dst[n] = 0;
    return n;
}

} // namespace uk
