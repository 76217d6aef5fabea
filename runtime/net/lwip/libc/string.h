/* SPDX-License-Identifier: MIT */
/* What lwIP's sources take from <string.h>. The runtime is compiled without libc headers; these
 * functions are musl's (linked into every image; they are pure and never enter the runtime). */
#ifndef UK_LWIP_LIBC_STRING_H
#define UK_LWIP_LIBC_STRING_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif
void* memcpy(void* __restrict dst, const void* __restrict src, size_t n);
void* memmove(void* dst, const void* src, size_t n);
void* memset(void* dst, int c, size_t n);
int memcmp(const void* a, const void* b, size_t n);
size_t strlen(const char* s);
int strcmp(const char* a, const char* b);
int strncmp(const char* a, const char* b, size_t n);
#ifdef __cplusplus
}
#endif

#endif
